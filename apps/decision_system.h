// The real-time decision system of an e-commerce site, end to end: three recorded streams
// (data/demo/, with their truth beside them), one run, one micro-batch clock of event time.
//
//   clicks      -> online logistic regression (CTR, AdaGrad), test-then-train
//                  -> each impression's click probability              (clicks_scores.csv)
//   monitoring  -> per-service deviations from the same hour of the last days
//                  -> sliding-window DBSCAN: its noise points are the anomalies
//                  -> auto-scaling (DS2's rate rule; a CBC MIP when services are coupled)
//                  -> each service's anomaly flag and instance count    (monitoring_decisions.csv)
//   transactions -> per-customer activity + ALS taste factors -> churn risk, learned from labels
//                  that mature 30 days late (algorithms/churn/churn_model.h)
//                  -> at the end of each day: every scored customer's risk  (churn_risks.csv),
//                     the 20 riskiest                                       (churn_top_risk.csv),
//                     and the day's retention budget allocated by CBC's MIP
//                     (which customers get which offer)                     (churn_offers.csv)
//
// The streams need not be equally long: a lane that reaches its stream's end leaves the clock
// and the others go on (the bundled transactions cover 128 days, the other two 60), so the
// clock's ticks are the longest lane's.
//
// With `kafka` set, each lane reads its stream from a Kafka topic into which the recorded file is
// produced (decision_kafka.h), and its decisions go to a topic too.
//
// Each stream is a lane: a Pipeline of its own (source, stages, file sinks, checkpoints under
// <checkpoint_dir>/<lane>/), run on its own thread and batched on the shared grid (origin,
// batch_seconds), and every lane ends each batch at one LaneClock (lane_clock.h): batch k of
// every lane covers the same hour, and no lane runs ahead. Decisions go to file sinks written
// exactly once across crashes; `resume` continues each lane from its newest checkpoint, so a
// resumed run's outputs are byte for byte an uninterrupted run's.
//
// The run knows nothing of the truth; judge_decision_system (decision_judge.h) reads the
// decisions the sinks wrote and compares them with it.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "algorithms/optimize/retention.h"
#include "core/event_time.h"
#include "streaming/pipeline.h"

namespace streamml {

struct DecisionSystemSettings {
  std::string data_dir = "data/demo";  // clicks.csv, monitoring.csv, transactions.csv (and their truth)
  std::string out_dir = "build/demo";  // decisions/, <lane>_report.json
  std::string checkpoint_dir;          // empty: <out_dir>/checkpoints
  std::int64_t checkpoint_every = 240; // batches (hours of event time); 0: no checkpoints
  bool resume = false;                 // go on from the newest checkpoints
  double speed = 0;                    // 0: as fast as possible; X: X times the recorded pace
  // Empty: the lanes read the recorded files. "mock" (librdkafka's mock cluster in this process)
  // or bootstrap servers: each lane reads its stream from a topic and writes its decisions to a
  // topic as well (decision_kafka.h); speed then paces the producers.
  std::string kafka;
  double batch_seconds = 3600;         // the clock's tick
  EventTime origin = 1767225600LL * kMicrosPerSecond;  // where batch 0 starts: 2026-01-01T00:00:00Z
  std::size_t threads = 0;             // per lane; 0: every core
  bool progress = true;                // the system's progress line on stderr

  void validate() const;  // throws Error(InvalidInput)
  std::string checkpoints() const;
  std::string decisions_dir() const;
};

struct LaneReport {
  std::string lane;     // "clicks", "monitoring", "churn"
  PipelineReport pipeline;
};

struct DecisionSystemReport {
  std::vector<LaneReport> lanes;
  std::int64_t ticks = 0;     // batches of the clock (the longest lane's)
  double wall_seconds = 0;
};

// The lanes' names, in the order they run.
std::vector<std::string> decision_lanes();

// The churn lane's daily retention campaign: two offers (a 5 voucher keeping 10 % of those who
// would leave, a 25 one keeping 35 %), 500 a day, over the 200 riskiest customers. The judge
// prices the plans with these, and the offline optimum is the same MIP.
RetentionSettings demo_retention();
constexpr std::size_t kDemoTopRisk = 20;  // the daily top-risk list's length

// Runs every lane to the end of its stream. Writes <out_dir>/decisions/<lane>_*.csv and
// <out_dir>/<lane>_report.json (the lane's PipelineReport). Throws the first lane's error
// (the others stop at their next batch).
DecisionSystemReport run_decision_system(const DecisionSystemSettings& settings);

}  // namespace streamml
