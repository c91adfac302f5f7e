#include "streaming/line_source.h"

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

bool digits(std::string_view s, std::size_t at, std::size_t n, int& out) {
  if (at + n > s.size()) return false;
  out = 0;
  for (std::size_t i = at; i < at + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    out = out * 10 + (s[i] - '0');
  }
  return true;
}

// Days since 1970-01-01 of a civil date (Howard Hinnant's days_from_civil).
std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = unsigned(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + std::int64_t(doe) - 719468;
}

}  // namespace

std::optional<EventTime> common_log_time(std::string_view line) {
  const auto open = line.find('[');
  if (open == std::string_view::npos) return std::nullopt;
  const std::string_view s = line.substr(open + 1);  // 10/Oct/2000:13:55:36 -0700]
  int day, year, hh, mm, ss, zh, zm;
  if (s.size() < 26 || s[2] != '/' || s[6] != '/' || s[11] != ':' || s[14] != ':' || s[17] != ':' || s[20] != ' ' ||
      s[26] != ']')
    return std::nullopt;
  const int month = month_of(s.substr(3, 3));
  if (!month || !digits(s, 0, 2, day) || !digits(s, 7, 4, year) || !digits(s, 12, 2, hh) || !digits(s, 15, 2, mm) ||
      !digits(s, 18, 2, ss) || !digits(s, 22, 2, zh) || !digits(s, 24, 2, zm) || (s[21] != '+' && s[21] != '-'))
    return std::nullopt;
  if (day < 1 || day > 31 || hh > 23 || mm > 59 || ss > 60) return std::nullopt;
  const std::int64_t offset = (s[21] == '-' ? -1 : 1) * (zh * 3600 + zm * 60);
  const std::int64_t secs = days_from_civil(year, unsigned(month), unsigned(day)) * 86400 + hh * 3600 + mm * 60 + ss - offset;
  return secs * kMicrosPerSecond;
}

}  // namespace streamml
