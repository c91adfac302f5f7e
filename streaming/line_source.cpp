#include "streaming/line_source.h"

#include <cstdio>
#include <cstring>

#include "core/error.h"

namespace streamml {

LineSource::LineSource(const std::string& path, LineSourceOptions options)
    : TextFileSource("lines", path, false, options.chunk_bytes), options_(std::move(options)) {
  SchemaOptions columns;
  columns.key = "line";
  if (options_.event_time) columns.time = "time";
  schema_ = Schema::from_header(options_.event_time ? std::vector<std::string>{"line", "time"}
                                                    : std::vector<std::string>{"line"},
                                columns);
}

RecordBlock LineSource::parse(Chunk chunk) const {
  RecordBlock block = RecordBlock::for_chunk(chunk);
  Batch& out = block.records;
  auto& lines = out.keys.emplace<std::vector<std::string>>();
  lines.reserve(block.end_offsets.capacity());
  const char* const base = chunk.bytes.data();
  const char* const end = base + chunk.bytes.size();
  std::int64_t line = chunk.begin_line;
  std::int64_t record = chunk.begin_record;
  for (const char* p = base; p < end;) {
    const char* nl = static_cast<const char*>(std::memchr(p, '\n', std::size_t(end - p)));
    const char* eol = nl ? nl : end;
    const char* stop = (eol > p && eol[-1] == '\r') ? eol - 1 : eol;
    const char* next = nl ? nl + 1 : end;
    ++line;
    if (is_empty_line(p, stop)) {
      p = next;
      continue;
    }
    ++record;
    const std::string_view text(p, std::size_t(stop - p));
    std::optional<EventTime> t;
    if (options_.event_time) t = options_.event_time(text);
    if (options_.event_time && !t) {
      block.bad.push_back({line, 0, "cannot read an event time from the line", std::string(text.substr(0, 1024))});
    } else {
      lines.emplace_back(text);
      if (t) out.event_times.push_back(*t);
      block.add_end(chunk.begin_offset + (next - base), line, record);
    }
    p = next;
  }
  out.rows = lines.size();
  check_counts(chunk, record, line);
  return block;
}

std::unique_ptr<Source> open_line_source(const std::string& path, LineSourceOptions options) {
  return std::make_unique<LineSource>(path, std::move(options));
}

namespace {

int month_of(std::string_view m) {
  static const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  for (int i = 0; i < 12; ++i)
    if (m == kMonths[i]) return i + 1;
  return 0;
}

}  // namespace

std::optional<EventTime> common_log_time(std::string_view line) {
  const auto open = line.find('[');
  if (open == std::string_view::npos) return std::nullopt;
  const std::string_view s = line.substr(open + 1);  // 10/Oct/2000:13:55:36 -0700]
  if (s.size() < 27 || s[2] != '/' || s[6] != '/' || s[11] != ':' || s[20] != ' ' || s[26] != ']') return std::nullopt;
  const int month = month_of(s.substr(3, 3));
  if (!month) return std::nullopt;
  // As ISO 8601, "2000-10-10T13:55:36-07:00", which parse_event_time reads (and checks).
  char iso[32];
  std::snprintf(iso, sizeof iso, "%.4s-%02d-%.2sT%.8s%.3s:%.2s", s.data() + 7, month, s.data(), s.data() + 12,
                s.data() + 21, s.data() + 24);
  return parse_event_time(iso);
}

}  // namespace streamml
