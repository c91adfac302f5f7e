// Synthetic recorded streams whose ground truth is known (`streamml generate KIND`), one file
// per kind: clicks.h, sensors.h, weblog.h, transactions.h say what each stream holds.
//
// A generated file is an ordinary recorded stream (CSV with a header, or JSON Lines), so it
// replays like any other; the truth that made it is written beside it, never inside it, so a
// learner cannot peek. Same options + same seed ⇒ the same bytes: randomness comes from
// std::mt19937_64 through our own distributions (random.h). Only exp/log/sin/cos/sqrt come
// from the C maths library; every value is rounded before it is written and before it enters
// the truth, so the file is exactly consistent with its truth.
//
// Common to every kind
//   event_time  ISO 8601 UTC with milliseconds, "2026-01-01T00:00:01.234Z" (readable by
//               replay --time and by parse_event_time). Arrivals are a Poisson process:
//               exponential gaps of mean 1/rate seconds, accumulated in microseconds and
//               written truncated to the millisecond, so times never decrease (equal
//               neighbours are possible at high rates).
//   numbers     fixed notation, 6 decimals for click features and 4 for sensor readings
//               (std::to_chars): the values are rounded to that grid first, so what a reader
//               parses is exactly what the generator used.
//   format      .jsonl / .ndjson ⇒ one JSON object per line with the same fields in the same
//               order (no header); anything else ⇒ CSV with a header line.
//   side files  <out>.model.json (the settings every kind shares, then the kind's truth) and,
//               for some kinds, <out>.truth.csv or <out>.truth.json.
//
// From C++, without the command line:
//   GenerateOptions o;
//   o.kind = "clicks";
//   o.out = "clicks.csv";
//   o.events = 10'000;
//   const GenerateReport r = generate_stream(o);  // or generate_clicks(o) from clicks.h
//
// Adding a kind (say "ratings"):
//   1. datasets/ratings.h: what the stream holds (columns, laws, side files) and
//      `GenerateReport generate_ratings(const GenerateOptions&)`.
//   2. datasets/ratings.cpp: begin_stream("ratings", options, default rate) checks the common
//      options; then Random (random.h) for every draw, OutputFile + RecordWriter
//      (record_writer.h) for the rows, Arrivals for event times, and write_common_settings,
//      write_json_side_file and make_report (stream_setup.h) for the side files and report.
//   3. One line in kKinds in generator.cpp. The command line, generator_kinds() and the
//      unknown-kind message read that list; nothing else names a kind.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/event_time.h"

namespace streamml {

struct GenerateOptions {
  std::string kind;                      // one of generator_kinds()
  std::string out;                       // data file; side files are <out>.model.json, ...
  std::int64_t events = 100000;
  std::uint64_t seed = 42;
  std::string format = "auto";           // csv, jsonl, or auto (from the extension of out)
  EventTime start = 1767225600LL * kMicrosPerSecond;  // first arrival after 2026-01-01T00:00:00Z
  double rate = 0;                       // mean events per second; 0: the kind's default
  // clicks
  std::int64_t users = 5000;             // also weblog: client addresses
  double zipf_exponent = 1.1;
  // sensors
  std::int64_t devices = 200;
  int clusters = 4;
  double anomaly_rate = 0.005;
  double drift = 3.0;                    // sd units each centre travels over the stream
  // weblog
  std::int64_t pages = 200;
  // transactions
  std::int64_t customers = 1000;
};

struct GenerateReport {
  std::int64_t events = 0;
  std::string out;
  std::string format;                    // csv, jsonl, or clf (weblog)
  std::vector<std::string> written;      // side files, in the order written
  EventTime first_event_time = 0;
  EventTime last_event_time = 0;
};

// Writes the stream and its side files. Throws streamml::Error: InvalidInput for an unknown
// kind (the message lists the known ones) or a setting out of range; Io naming the path when
// a file cannot be written.
GenerateReport generate_stream(const GenerateOptions& options);

// The kinds generate_stream knows, in the order shown to users.
std::vector<std::string> generator_kinds();

}  // namespace streamml
