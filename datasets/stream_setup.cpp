#include "datasets/stream_setup.h"

#include <cmath>
#include <string_view>

#include "core/error.h"
#include "core/json.h"

namespace streamml {

namespace {

constexpr int kGeneratorVersion = 1;
constexpr EventTime kYear10000 = 253'402'300'800LL * kMicrosPerSecond;

bool ends_with(const std::string& s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

}  // namespace

Stream begin_stream(std::string kind, const StreamOptions& o, double default_rate) {
  STREAMML_CHECK(!o.out.empty(), InvalidInput, "generate needs an output file, got an empty path");
  STREAMML_CHECK(o.events >= 1 && o.events <= 1'000'000'000, InvalidInput,
                 "events must be in [1, 1000000000], got " << o.events);
  STREAMML_CHECK(o.start >= 0 && o.start < kYear10000, InvalidInput,
                 "start must be between 1970 and 9999, got " << o.start << " µs since the epoch");
  const double rate = o.rate == 0 ? default_rate : o.rate;
  STREAMML_CHECK(std::isfinite(rate) && rate > 0 && rate <= 1e6, InvalidInput,
                 "rate must be in (0, 1e6] events per second, got " << o.rate);
  std::string format = o.format;
  if (format == "auto") format = ends_with(o.out, ".jsonl") || ends_with(o.out, ".ndjson") ? "jsonl" : "csv";
  STREAMML_CHECK(format == "csv" || format == "jsonl", InvalidInput,
                 "format must be csv, jsonl or auto, got '" << o.format << "'");
  return {std::move(kind), o, format == "jsonl", rate};
}

void write_common_settings(JsonWriter& w, const Stream& s, const std::string& format, EventTime first,
                           EventTime last) {
  const StreamOptions& o = s.options;
  w.key("kind").value(s.kind);
  w.key("generator_version").value(kGeneratorVersion);
  w.key("seed").value(std::to_string(o.seed));  // a string: JSON readers lose uint64 precision
  w.key("events").value(o.events);
  w.key("format").value(format);
  w.key("rate_per_second").value(s.rate);
  w.key("start_time").value(format_event_time(o.start));
  w.key("time_format").value("ISO 8601 UTC with milliseconds");
  w.key("first_event_time").value(format_event_time(first));
  w.key("last_event_time").value(format_event_time(last));
}

std::string side_path(const Stream& s, const std::string& suffix) { return s.options.out + suffix; }

std::string write_json_side_file(const Stream& s, const std::string& suffix, const JsonWriter& w) {
  const std::string path = side_path(s, suffix);
  write_text_file(path, w.str() + "\n");
  return path;
}

std::string file_name(const std::string& path) {
  const auto slash = path.find_last_of('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

GenerateReport make_report(const Stream& s, std::string format, std::vector<std::string> written,
                           EventTime first, EventTime last) {
  GenerateReport report;
  report.events = s.options.events;
  report.out = s.options.out;
  report.format = std::move(format);
  report.written = std::move(written);
  report.first_event_time = first;
  report.last_event_time = last;
  return report;
}

}  // namespace streamml
