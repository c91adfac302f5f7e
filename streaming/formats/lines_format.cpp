#include "streaming/formats/lines_format.h"

#include <cstdint>

#include <cstdio>
#include <cstring>

#include "core/error.h"
#include "streaming/text_file.h"
#include "streaming/transport.h"

namespace streamml {

LinesFormat::LinesFormat(LinesFormatOptions options, const Transport& transport)
    : options_(std::move(options)), stream_(transport.name()) {
  SchemaOptions columns;
  columns.key = "line";
  if (options_.event_time) columns.time = "time";
  schema_ = Schema::from_header(options_.event_time ? std::vector<std::string>{"line", "time"}
                                                    : std::vector<std::string>{"line"},
                                columns);
}

RecordBlock LinesFormat::parse(Chunk chunk) const {
  RecordBlock block = RecordBlock::for_chunk(chunk);
  Batch& out = block.records;
  auto& lines = out.keys.emplace<std::vector<std::string>>();
  lines.reserve(block.end_offsets.capacity());
  // One record: its text, and its time when the lines have one; false: no readable time.
  auto take = [&](std::string_view text) {
    std::optional<EventTime> t;
    if (options_.event_time && !(t = options_.event_time(text))) return false;
    lines.emplace_back(text);
    if (t) out.event_times.push_back(*t);
    return true;
  };
  static const char* const kNoTime = "cannot read an event time from the line";
  if (chunk.has_messages()) {
    parse_messages(chunk, block, [&](const Message&, const char* begin, const char* end, BadRecord& bad) {
      while (end > begin && (end[-1] == '\n' || end[-1] == '\r')) --end;
      if (take(std::string_view(begin, std::size_t(end - begin)))) return true;
      bad.reason = kNoTime;
      return false;
    });
    out.rows = lines.size();
    return block;
  }
  const char* const base = chunk.bytes.data();
  const char* const end = base + chunk.bytes.size();
  std::int64_t line = chunk.begin_line;
  std::int64_t record = chunk.begin_record;
  for (const char* p = base; p < end;) {
    const char* nl = static_cast<const char*>(std::memchr(p, '\n', std::size_t(end - p)));
    const char* eol = nl ? nl : end;
    const char* stop = line_content_end(p, eol);
    const char* next = nl ? nl + 1 : end;
    ++line;
    if (is_empty_line(p, eol)) {  // the line before its '\n': nothing, or just '\r' (as the reader counts)
      p = next;
      continue;
    }
    ++record;
    const std::string_view text(p, std::size_t(stop - p));
    if (take(text)) {
      block.add_end(chunk.begin_offset + (next - base), line, record);
    } else {
      block.bad.push_back({line, 0, kNoTime, std::string(text.substr(0, kMaxBadRecordText)), record, {}, -1});
    }
    p = next;
  }
  out.rows = lines.size();
  check_chunk_counts(chunk, record, line, stream_);
  return block;
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
