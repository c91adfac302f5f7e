// Soak runs: a long generated stream through a pipeline with checkpoints, sampled along the
// way, and judged for flatness. What `make soak` runs at 10^8 records and ctest at 10^6.
//
// Two pipelines (SoakKind):
//   logreg  SyntheticSource -> logistic regression, evaluated prequentially ("ctr")
//                           -> a DStream graph ("window"): per user bucket, the count of
//                              records in sliding event-time windows (60 s every 10 s)
//   als     SyntheticSource (implicit feedback) -> ALS fed every batch ("als"), its
//           interaction store bounded by max_per_user and a horizon
// both checkpointed every N batches (keeping the newest few) on the background writer.
//
// Every `sample_every` batches a sample: records, seconds, resident memory (/proc/self/statm),
// the records per second since the previous sample, the size of each stage's newest
// checkpoint file and (als) the store's cells. The verdict (judge_soak), after a warm-up share
// of the records:
//   rss         the largest RSS of the second half of the samples is within rss_tolerance
//               (and rss_slack_mb, for the allocator's page-level noise) of the first half's
//   checkpoint  each stage's checkpoint size varies by at most checkpoint_slack_bytes (the
//               JSON attributes' digits grow; the state must not) plus checkpoint_tolerance
//               of the largest (als: the store's cell count moves under its horizon)
//   store       (als) the store never holds more than users x max_per_user cells
//   throughput  (only when judge_throughput: machines are noisy) the median records/s of the
//               second half is at least throughput_ratio of the first half's
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "tools/soak/synthetic_source.h"

namespace streamml {

enum class SoakKind { Logreg, Als };

struct SoakSettings {
  SoakKind kind = SoakKind::Logreg;
  SyntheticStream stream;
  std::size_t batch_size = 1000;
  std::int64_t checkpoint_every = 1000;  // batches
  std::size_t keep_checkpoints = 2;
  std::int64_t sample_every = 100;       // batches
  std::string checkpoint_dir;            // required; emptied first
  std::size_t threads = 0;               // 0: every core
  // als
  std::int64_t als_rank = 8;
  std::int64_t als_max_per_user = 20;
  double als_horizon_seconds = 300;
  // Verdict.
  double warmup = 0.2;  // share of the records before samples are judged
  double rss_tolerance = 0.05;
  double rss_slack_mb = 8;
  std::int64_t checkpoint_slack_bytes = 1024;
  double checkpoint_tolerance = -1;  // < 0: 0 for logreg, 0.05 for als
  bool judge_throughput = false;
  double throughput_ratio = 0.5;

  void validate() const;
};

struct SoakSample {
  std::int64_t records = 0;
  std::int64_t batches = 0;
  double seconds = 0;
  std::int64_t rss_bytes = 0;
  double records_per_second = 0;       // since the previous sample
  std::vector<std::int64_t> checkpoint_bytes;  // per stage; 0 before its first checkpoint
  std::int64_t store_cells = -1;       // als only
};

struct SoakCheck {
  std::string name;
  bool pass = false;
  std::string detail;
};

struct SoakResult {
  std::string kind;
  std::vector<std::string> stages;  // the checkpointed stages, as in SoakSample::checkpoint_bytes
  std::vector<SoakSample> samples;
  std::int64_t records = 0;
  double wall_seconds = 0;
  std::int64_t checkpoints_written = 0;
  std::int64_t store_bound = -1;  // als: users x max_per_user
};

SoakResult run_soak(const SoakSettings& settings);
std::vector<SoakCheck> judge_soak(const SoakResult& result, const SoakSettings& settings);
// The samples as CSV: records,batches,seconds,rss_mb,records_per_second,<stage>_checkpoint_bytes...,store_cells
std::string soak_csv(const SoakResult& result);

// Resident memory of this process in bytes (/proc/self/statm).
std::int64_t resident_bytes();

}  // namespace streamml
