// Synthetic recorded streams whose ground truth is known (`streamml generate KIND`), one kind
// per file pair: clicks.h, sensors.h, weblog.h, transactions.h, monitoring.h say what each
// stream holds.
//
// Adding a kind (say "ratings") is two files and one line:
//   1. datasets/ratings.h: what the stream holds (columns, laws, side files); a settings
//      struct RatingsSettings with kKind = "ratings", kDefaultRate and its own options, and
//      `GenerateReport generate_ratings(const StreamOptions&, const RatingsSettings&)`.
//   2. datasets/ratings.cpp: RatingsSettings::settings_table() declares each option once
//      (name, range, one line of doc); generate_ratings starts with begin_stream(options,
//      settings), which checks the common options and the table's ranges, then draws with
//      Random (random.h), writes rows with OutputFile + RecordWriter (record_writer.h) at
//      Arrivals' event times, and ends with write_common_settings, write_json_side_file and
//      make_report (stream_setup.h).
//   3. One line in the list of kinds in generator.cpp: kind<RatingsSettings, generate_ratings>().
// The command line (`streamml generate ratings --<option> ...` and its help), Python's
// streamml.generate keywords, generator_kinds() and the errors read that list and the
// settings tables; nothing else names a kind or its options. Then test the stream against its
// truth in tests/cpp/test_generate.cpp.
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
//   side files  a JSON file beside the data (<out>.model.json; weblog's <out>.truth.json)
//               starts with the settings every kind shares, then the kind's truth; some
//               kinds add <out>.truth.csv.
//
// From C++, without the command line, by name with the kind's settings as text:
//   GenerateOptions o;
//   o.kind = "clicks";
//   o.out = "clicks.csv";
//   o.events = 10'000;
//   o.settings["users"] = "300";
//   const GenerateReport r = generate_stream(o);
// or through the kind's own function and typed settings (clicks.h):
//   ClicksSettings clicks;
//   clicks.users = 300;
//   const GenerateReport r = generate_clicks(o, clicks);  // o: any StreamOptions
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "core/event_time.h"

namespace streamml {

class SettingsTableBase;

// The options every kind shares.
struct StreamOptions {
  std::string out;                       // data file; side files are <out>.model.json, ...
  std::int64_t events = 100000;
  std::uint64_t seed = 42;
  std::string format = "auto";           // csv, jsonl, or auto (from the extension of out)
  EventTime start = 1767225600LL * kMicrosPerSecond;  // first arrival after 2026-01-01T00:00:00Z
  double rate = 0;                       // mean events per second; 0: the kind's default
};

// A kind by name, with its own settings as text ({"users", "300"}) read by its settings table:
// an unknown name or a value out of range is an error naming the kind and the setting.
struct GenerateOptions : StreamOptions {
  std::string kind;                             // one of generator_kinds()
  std::map<std::string, std::string> settings;  // absent settings keep their defaults
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

// A kind's own settings (names, types, ranges, docs, defaults); nullptr for an unknown kind.
const SettingsTableBase* generator_settings(const std::string& kind);

}  // namespace streamml
