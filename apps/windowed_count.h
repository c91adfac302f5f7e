// `streamml replay ... --count-by COL --window 60s --slide 1s [--top N]`: the windowed count of
// a column's values on the records' event times, without code — a DStream graph
//   keys -> with_watermark(lateness) -> count_by_key_and_window(window, slide)
// whose windows are printed, as the watermark closes them, with their top N keys — or handed,
// whole, to a function (streamml.Pipeline.add_count_by_window in Python).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include "core/event_time.h"
#include "streaming/file_source.h"
#include "streaming/stage.h"

namespace streamml {

struct WindowedCountOptions {
  std::string count_by;    // the column whose values are counted (read as the stream's key)
  std::string window;      // e.g. "60s"
  std::string slide;       // e.g. "1s"; empty: the window (tumbling windows)
  std::string lateness = "0s";  // the watermark's allowed lateness
  std::size_t top = 5;
  std::string name = "count_by_window";  // the stage's name (in progress, reports, checkpoints)

  bool enabled() const { return !count_by.empty(); }
};

// Checks the options against the source's and sets the source up to read only the time and
// count-by columns (the count-by column as its key). Throws Error(InvalidInput) naming the
// flag at fault.
void prepare_windowed_count(const WindowedCountOptions& options, const std::string& input, FileSourceOptions& source);

// One window of event time once the watermark has closed it: every key seen in it with its
// count, in no particular order (int keys as decimal text).
struct ClosedWindow {
  EventTime start = 0;
  EventTime end = 0;
  std::vector<std::pair<std::string, std::int64_t>> counts;
};

class WindowedCount {
 public:
  // The result table each batch that closes windows carries for sinks (--output): one row per
  // key shown — window_start, window_end, rank (1 = most records), key, count, and the
  // window's window_keys and window_records.
  static constexpr const char* kTable = "windows";

  // Prints each window as it closes to `out`:
  //   window 2026-01-01T00:00:00.000000Z +60s: u00042 17, u00007 12, ... (N keys, M records)
  WindowedCount(const WindowedCountOptions& options, bool int_keys, std::ostream& out);
  // Hands each window, oldest first, to `sink` as it closes (options.top is not used).
  WindowedCount(const WindowedCountOptions& options, bool int_keys, std::function<void(ClosedWindow)> sink);
  ~WindowedCount();
  std::unique_ptr<Stage> stage();
  std::int64_t windows() const;
  std::int64_t late_records() const;

 private:
  struct Graph;
  std::unique_ptr<Graph> graph_;
};

}  // namespace streamml
