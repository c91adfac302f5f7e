#include "apps/decision_system.h"

#include <chrono>
#include <exception>
#include <filesystem>
#include <fstream>
#include <limits>
#include <memory>
#include <thread>

#include "algorithms/churn/churn_model.h"
#include "algorithms/clustering/windowed_dbscan.h"
#include "algorithms/linear/logistic_regression_sgd.h"
#include "algorithms/optimize/autoscale.h"
#include "apps/decision_kafka.h"
#include "apps/lane_clock.h"
#include "core/error.h"
#include "streaming/file_source.h"
#include "streaming/sinks/file_sink.h"
#include "streaming/stages/decision_stage.h"
#include "streaming/stages/learner_stage.h"
#include "streaming/stages/retention_stage.h"
#include "streaming/stages/seasonal_anomaly_stage.h"

namespace streamml {

namespace fs = std::filesystem;

void DecisionSystemSettings::validate() const {
  STREAMML_CHECK(!data_dir.empty() && !out_dir.empty(), InvalidInput, "decision system: data and output folders must be named");
  STREAMML_CHECK(checkpoint_every >= 0, InvalidInput, "decision system: checkpoint_every must be >= 0, got " << checkpoint_every);
  STREAMML_CHECK(!resume || checkpoint_every > 0, InvalidInput, "decision system: resume needs checkpoints (checkpoint_every > 0)");
  STREAMML_CHECK(speed >= 0, InvalidInput, "decision system: speed must be >= 0, got " << speed);
  STREAMML_CHECK(batch_seconds >= 1e-3, InvalidInput, "decision system: batch_seconds must be >= 0.001, got " << batch_seconds);
}

std::string DecisionSystemSettings::checkpoints() const {
  return checkpoint_dir.empty() ? (fs::path(out_dir) / "checkpoints").string() : checkpoint_dir;
}

std::string DecisionSystemSettings::decisions_dir() const { return (fs::path(out_dir) / "decisions").string(); }

std::vector<std::string> decision_lanes() { return {"clicks", "monitoring", "churn"}; }

RetentionSettings demo_retention() {
  RetentionSettings r;
  r.offer_cost = {5.0, 25.0};
  r.offer_uplift = {0.1, 0.35};
  r.budget = 500.0;
  r.candidates = 200;
  r.max_idle_days = 14;  // offers to customers who bought in the last two weeks: the others have mostly left
  return r;
}

namespace {

// A lane under construction: its pipeline and the stages whose progress the clock shows.
struct Lane {
  std::string name;
  std::unique_ptr<Pipeline> pipeline;
  std::vector<const Stage*> shown;

  Stage& add(std::unique_ptr<Stage> stage, bool show = true) {
    Stage& s = *stage;
    pipeline->add_stage(std::move(stage));
    if (show) shown.push_back(&s);
    return s;
  }
  // The decisions to their file, and in Kafka mode to the topic named after the file.
  void sink(const std::string& path, std::vector<std::string> columns, const DecisionKafka* kafka, std::string table = {}) {
    if (kafka) pipeline->add_sink(kafka->sink(fs::path(path).stem().string(), columns, table));
    FileSinkSettings out;
    out.path = path;
    out.columns = std::move(columns);
    out.table = std::move(table);
    pipeline->add_sink(std::make_unique<FileSink>(out));
  }
};

PipelineSettings lane_settings(const DecisionSystemSettings& s, const std::string& lane) {
  PipelineSettings p;
  p.batching.interval_us = std::int64_t(std::llround(s.batch_seconds * 1e6));
  p.batching.origin = s.origin;
  p.speed = s.kafka.empty() ? s.speed : 0;  // in Kafka mode the producers keep the pace
  p.threads = s.threads;
  p.bad_records.on_bad = OnBadRecord::Error;  // the bundled files are clean: any bad record is a bug
  if (s.checkpoint_every > 0) {
    p.checkpoint.dir = (fs::path(s.checkpoints()) / lane).string();
    p.checkpoint.every_batches = s.checkpoint_every;
    p.checkpoint.keep_last = 3;
    p.checkpoint.resume = s.resume;
  }
  return p;
}

// The lane's stream: the recorded file, or in Kafka mode the topic (named after the lane) it is
// produced into.
std::unique_ptr<Source> lane_source(const DecisionSystemSettings& s, DecisionKafka* kafka, const std::string& lane,
                                    const std::string& name, const FileSourceOptions& in) {
  const fs::path path = fs::path(s.data_dir) / name;
  STREAMML_CHECK(fs::exists(path), Io, "decision system: '" << path.string() << "' not found (the bundled streams live in data/demo/)");
  return kafka ? kafka->source(lane, path.string(), in) : open_file_source(path.string(), in);
}

// Clicks -> online logistic regression, test-then-train: each impression's click probability
// is scored before the model learns from its click.
Lane clicks_lane(const DecisionSystemSettings& s, DecisionKafka* kafka) {
  FileSourceOptions in;
  in.schema.label = "clicked";
  in.schema.key = "user";
  in.schema.time = "event_time";
  in.schema.categorical = {"device", "ad_category"};
  Lane lane{"clicks", std::make_unique<Pipeline>(lane_source(s, kafka, "clicks", "clicks.csv", in), lane_settings(s, "clicks")), {}};
  LogisticRegressionSGDSettings ctr;
  ctr.mode = LogisticMode::Online;
  ctr.optimizer = OnlineOptimizer::AdaGrad;
  ctr.fit_intercept = true;
  EvaluationSettings evaluation;
  evaluation.prequential.window = 5000;
  lane.add(make_learner_stage("ctr", std::make_shared<LogisticRegressionSGD>(ctr), evaluation));
  lane.sink((fs::path(s.decisions_dir()) / "clicks_scores.csv").string(), {"ctr.probability"}, kafka);
  return lane;
}

// The platform the demo's monitoring stream describes (data/demo/README.md): 8 services, 1 to
// 100 instances each, a started or stopped instance costing half an instance-hour, on a shared
// cluster of 200 instance slots (the optimal offline plan peaks at 101 instances).
constexpr std::int64_t kServices = 8;
constexpr double kCapacity = 200;

// Monitoring -> per-service deviations -> windowed DBSCAN anomaly flags -> auto-scaling.
Lane monitoring_lane(const DecisionSystemSettings& s, DecisionKafka* kafka) {
  FileSourceOptions in;
  in.schema.key = "service";
  in.schema.key_type = KeyType::Int64;
  in.schema.time = "event_time";
  in.schema.features = {"requests", "processing_rate"};
  Lane lane{"monitoring",
            std::make_unique<Pipeline>(lane_source(s, kafka, "monitoring", "monitoring.csv", in), lane_settings(s, "monitoring")),
            {}};
  // Normal hours gather within a few percent of their usual level (noise 5 %); a burst (+60 %)
  // or a slowed dependency (-50 % processing rate) lies far outside. Six hours of 8 services
  // make the window: a cluster needs 8 neighbours, which an anomaly of one service (a burst
  // lasts 5 hours) never has.
  WindowedDBSCANSettings dbscan;
  dbscan.eps = 0.15;
  dbscan.min_samples = 8;
  dbscan.window_batches = 6;
  SeasonalAnomalySettings seasonal;  // the same hour of the last 7 days
  lane.add(std::make_unique<SeasonalAnomalyStage>("monitor", seasonal, std::make_shared<WindowedDBSCAN>(dbscan)));
  // DS2's count at 70 % utilisation for a Holt forecast that follows the daily cycle closely
  // (hourly windows move up to 13 % an hour), sized for the higher forecast of the last 2 hours.
  // The services share a cluster of kCapacity instance slots, so each hour's counts come from
  // CBC's MIP (instances + the cost of starting and stopping them, under the shared capacity).
  AutoscaleSettings scaling;
  scaling.services = kServices;
  scaling.min_instances = 1;
  scaling.max_instances = 100;
  scaling.scale_change_cost = 0.5;
  scaling.cpu_capacity = kCapacity;
  scaling.alpha = 0.8;
  scaling.beta = 0.3;
  scaling.stabilization_window = 2;
  lane.add(std::make_unique<DecisionStage>("autoscale", std::make_shared<Autoscaler>(scaling)));
  lane.sink((fs::path(s.decisions_dir()) / "monitoring_decisions.csv").string(),
            {"monitor.anomaly", "monitor.deviation", "autoscale.instances", "autoscale.planned_arrivals"}, kafka);
  return lane;
}

// Transactions -> churn risk (delayed labels) -> at each day's end: every customer's risk, the
// top-risk list and the retention plan. The model learns every hour; the campaign is daily.
Lane churn_lane(const DecisionSystemSettings& s, DecisionKafka* kafka) {
  FileSourceOptions in;
  in.schema.key = "customer";
  in.schema.time = "event_time";
  in.schema.ids = {{"item", "category"}};
  in.schema.features = {"amount"};
  Lane lane{"churn", std::make_unique<Pipeline>(lane_source(s, kafka, "churn", "transactions.csv", in), lane_settings(s, "churn")),
            {}};
  auto churn = std::make_shared<ChurnModel>(ChurnModelSettings{});  // 30-day horizon, ALS tastes of rank 4
  lane.add(make_learner_stage("churn", churn, EvaluationSettings{}));
  constexpr EventTime kDay = 86400 * kMicrosPerSecond;
  lane.add(std::make_unique<RetentionStage>("offers", churn, demo_retention(), kDay));
  lane.add(std::make_unique<TopRiskStage>("top_risk", churn, kDemoTopRisk, kDay), false);
  // Every scored customer, riskiest first: what the judge measures the model's AUC on.
  lane.add(std::make_unique<TopRiskStage>("risks", churn, std::numeric_limits<std::size_t>::max(), kDay), false);
  for (const char* table : {"risks", "top_risk", "offers"})
    lane.sink((fs::path(s.decisions_dir()) / ("churn_" + std::string(table) + ".csv")).string(), {}, kafka, table);
  return lane;
}

// The clock's progress line: the event time reached, the files read, each lane's figures.
class SystemProgress {
 public:
  SystemProgress(std::vector<std::string> lanes, std::int64_t total_bytes, const DecisionSystemSettings& s)
      : lanes_(std::move(lanes)), total_(total_bytes), origin_(s.origin),
        tick_us_(std::int64_t(std::llround(s.batch_seconds * 1e6))), start_(std::chrono::steady_clock::now()) {}

  ProgressSnapshot snapshot(std::int64_t tick, const std::vector<LaneTick>& lanes) const {
    ProgressSnapshot p;
    p.batches = tick + 1;
    for (const auto& l : lanes) {
      p.records += l.records;
      p.done += l.offset;
    }
    p.total = total_;
    p.elapsed_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    p.stages = format_event_time(origin_ + (tick + 1) * tick_us_).substr(0, 16);
    for (std::size_t i = 0; i < lanes.size(); ++i)
      if (!lanes[i].progress.empty()) p.stages += " | " + lanes_[i] + ": " + lanes[i].progress;
    return p;
  }

 private:
  std::vector<std::string> lanes_;
  std::int64_t total_;
  EventTime origin_;
  std::int64_t tick_us_;
  std::chrono::steady_clock::time_point start_;
};

}  // namespace

DecisionSystemReport run_decision_system(const DecisionSystemSettings& settings) {
  settings.validate();
  const auto t0 = std::chrono::steady_clock::now();
  fs::create_directories(settings.decisions_dir());
  if (!settings.resume && settings.checkpoint_every > 0)  // a fresh start: earlier runs' checkpoints would be resumed by mistake later
    for (const auto& lane : decision_lanes()) fs::remove_all(fs::path(settings.checkpoints()) / lane);

  std::unique_ptr<DecisionKafka> kafka;
  if (!settings.kafka.empty()) kafka = std::make_unique<DecisionKafka>(settings.kafka, settings.speed, settings.resume);
  std::vector<Lane> lanes;
  lanes.push_back(clicks_lane(settings, kafka.get()));
  lanes.push_back(monitoring_lane(settings, kafka.get()));
  lanes.push_back(churn_lane(settings, kafka.get()));
  std::vector<std::string> names;
  std::int64_t total_bytes = 0;
  for (auto& lane : lanes) {
    names.push_back(lane.name);
    total_bytes += lane.pipeline->source().total_size().value_or(0);
  }

  SystemProgress progress(names, total_bytes, settings);
  ProgressReporter reporter;
  std::int64_t last_tick = -1;
  LaneClock clock(lanes.size(), [&](std::int64_t tick, const std::vector<LaneTick>& at) {
    last_tick = tick;  // ticks complete one at a time, each by the lane that finished it last
    if (settings.progress) reporter.update(progress.snapshot(tick, at));
  });
  for (std::size_t i = 0; i < lanes.size(); ++i)
    lanes[i].pipeline->add_stage(clock_stage(clock, i, lanes[i].shown));

  DecisionSystemReport report;
  report.lanes.resize(lanes.size());
  std::vector<std::exception_ptr> errors(lanes.size());
  std::vector<std::thread> threads;
  if (kafka) kafka->start();
  for (std::size_t i = 0; i < lanes.size(); ++i)
    threads.emplace_back([&, i] {
      try {
        report.lanes[i].lane = lanes[i].name;
        report.lanes[i].pipeline = lanes[i].pipeline->run();
        clock.leave(i);
      } catch (...) {
        errors[i] = std::current_exception();
        clock.abort(lanes[i].name);
      }
    });
  for (auto& t : threads) t.join();
  if (kafka) {  // a producer's failure first: the lanes' errors would follow from it
    bool failed = false;
    for (const auto& e : errors) failed |= bool(e);
    kafka->finish(failed);
  }
  // The failing lane's own error (the first to abort the clock), not the others' "stopped" that
  // followed it.
  for (std::size_t i = 0; i < lanes.size(); ++i)
    if (errors[i] && lanes[i].name == clock.aborted_by()) std::rethrow_exception(errors[i]);
  for (const auto& e : errors)
    if (e) std::rethrow_exception(e);

  if (settings.progress) reporter.finish(progress.snapshot(last_tick, clock.lanes()));
  for (const auto& lane : report.lanes) {
    std::ofstream out(fs::path(settings.out_dir) / (lane.lane + "_report.json"));
    out << lane.pipeline.to_json() << "\n";
    STREAMML_CHECK(out.good(), Io, "cannot write " << (fs::path(settings.out_dir) / (lane.lane + "_report.json")).string());
  }
  report.ticks = last_tick + 1;
  report.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return report;
}

}  // namespace streamml
