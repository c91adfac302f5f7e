// The progress line a replay shows on stderr: records done, rate, and for files a percentage
// and ETA, plus what the stages report. On a terminal it is redrawn in place several times a
// second; otherwise (a log, CI) it is a plain line every few seconds, so logs stay readable.
#pragma once

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>

namespace streamml {

struct ProgressSnapshot {
  std::int64_t records = 0;            // good records delivered in batches
  std::int64_t batches = 0;
  std::int64_t bad_records = 0;
  std::int64_t done = 0;               // source position offset (bytes for files)
  std::optional<std::int64_t> total;   // source size in the same unit, when known
  double elapsed_seconds = 0;
  std::string stages;                  // "logreg auc 0.81"
};

// One line of text for a snapshot, e.g.
// "42.0%  210,000 records  1.05M rec/s  batches 210  bad 3  ETA 0:03  | logreg auc 0.812"
std::string format_progress(const ProgressSnapshot& s);

class ProgressReporter {
 public:
  // interactive: redraw in place (default: whether `out` is a terminal).
  explicit ProgressReporter(std::FILE* out = stderr, std::optional<bool> interactive = {},
                            double plain_interval_seconds = 5.0);
  // Called after every batch; prints only when the refresh interval has passed.
  void update(const ProgressSnapshot& s);
  // The final line (always printed), ending the in-place line on a terminal.
  void finish(const ProgressSnapshot& s);

 private:
  std::FILE* out_;
  bool interactive_;
  double interval_;
  std::chrono::steady_clock::time_point last_{};
  bool printed_ = false;
};

}  // namespace streamml
