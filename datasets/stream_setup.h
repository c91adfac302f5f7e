// What every kind does alike before and after its own records: check the common options and
// settle their defaults, draw arrival times, write the settings every model file starts with,
// and fill in the report.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/event_time.h"
#include "datasets/generator.h"
#include "datasets/random.h"
#include "datasets/record_writer.h"

namespace streamml {

class JsonWriter;

// The common options, checked, with the kind's defaults settled.
struct Stream {
  std::string kind;
  const StreamOptions& options;
  bool jsonl;   // JSON Lines, else CSV
  double rate;  // mean events per second of event time
  const char* format() const { return jsonl ? "jsonl" : "csv"; }
};

// Throws Error(InvalidInput) naming the first common option out of range; `default_rate` is
// the kind's rate when options.rate is 0.
Stream begin_stream(std::string kind, const StreamOptions& options, double default_rate);

// What a kind's generate function does first: the common options checked as above, then the
// kind's settings against its table.
template <class Settings>
Stream begin_stream(const StreamOptions& options, const Settings& settings) {
  Stream s = begin_stream(Settings::kKind, options, Settings::kDefaultRate);
  Settings::settings_table().validate(settings);
  return s;
}

// Poisson arrivals: exponential gaps accumulated in microseconds, reported in milliseconds
// (what the file shows), so every derived quantity uses the time a reader will see.
class Arrivals {
 public:
  Arrivals(EventTime start, double rate) : now_(start), mean_gap_micros_(1e6 / rate) {}
  std::int64_t next_millis(Random& rng) {
    now_ += std::llround(rng.exponential(mean_gap_micros_));
    return floor_div(now_, 1000);
  }

 private:
  EventTime now_;
  double mean_gap_micros_;
};

// The settings every generator's model file starts with, and the span of event times it made.
void write_common_settings(JsonWriter& w, const Stream& s, const std::string& format, EventTime first,
                           EventTime last);

// <out><suffix>, e.g. "<out>.truth.csv".
std::string side_path(const Stream& s, const std::string& suffix);

// Writes the finished JSON document `w` to <out><suffix> with a final newline; returns the path.
std::string write_json_side_file(const Stream& s, const std::string& suffix, const JsonWriter& w);

// The last path component: side files name their data file by it.
std::string file_name(const std::string& path);

GenerateReport make_report(const Stream& s, std::string format, std::vector<std::string> written,
                           EventTime first, EventTime last);

}  // namespace streamml
