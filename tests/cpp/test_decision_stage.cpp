// The decision stage (streaming/stages/decision_stage.h): allocation and auto-scaling learners
// run by a pipeline, their decisions as output columns, their figures summed, and a stream
// crashed and resumed from a checkpoint that decides exactly as an uninterrupted one.
//
// Oracles: the same learner fed the same batches directly (the stage adds nothing but the
// columns and the sums); plan_cost (datasets/monitoring.h) and a recount of direction changes
// over the output column for the stage's figures; an uninterrupted run for resume.
#include <gtest/gtest.h>

#include <cstdlib>
#include <iostream>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <type_traits>
#include <vector>

#include "algorithms/linear/logistic_regression_sgd.h"
#include "algorithms/optimize/allocation.h"
#include "algorithms/optimize/autoscale.h"
#include "apps/cli.h"
#include "core/checkpoint_store.h"
#include "datasets/monitoring.h"
#include "streaming/memory_source.h"
#include "streaming/pipeline.h"
#include "streaming/stages/decision_stage.h"
#include "test_helpers.h"

namespace streamml {
namespace {

using testing::error_of;

// 8 services, one-hour "days" of one-minute windows, 3 days (180 windows), with an incident.
MonitoringTrace trace(std::uint64_t seed = 42) {
  MonitoringSettings s;
  s.day_seconds = 3600;
  s.burst_probability = 0.01;
  StreamOptions o;
  o.events = 8 * 180;
  o.seed = seed;
  return monitoring_trace(o, s);
}

// The whole stream as one batch of records, window after window (keys: the services).
Batch stream_of(const MonitoringTrace& t) {
  Batch all = monitoring_window(t, 0);
  for (std::int64_t w = 1; w < t.windows; ++w) {
    const Batch b = monitoring_window(t, w);
    all.append(b, 0, b.rows);
  }
  return all;
}

AutoscaleSettings autoscale_settings(bool budget) {
  AutoscaleSettings s;
  s.services = 8;
  if (budget) {  // binding at the daily peaks: the CBC path
    s.budget = 150;
    s.mip_rel_gap = 0;
  }
  return s;
}

// 8 services on 4 servers with a move cost: the LP in moves, re-solved warm every batch.
AllocationSettings allocation_settings() {
  AllocationSettings s;
  s.capacity = {1400, 1100, 1200, 900};
  s.services = 8;
  for (int i = 0; i < 4; ++i)
    for (int j = 0; j < 8; ++j) s.cost.push_back(1.0 + double((i * 5 + j * 3) % 7));
  s.move_cost = 0.1;
  s.headroom = 0.1;
  return s;
}

// Every output column of the stage, record after record, as text (exact: %.17g).
struct Collected {
  std::map<std::string, std::vector<std::string>> columns;
  std::vector<std::int64_t> batches;
};

std::string text_of(const OutputValues& v, std::size_t r) {
  std::ostringstream s;
  s.precision(17);
  std::visit([&](const auto& values) { s << values[r]; }, v);
  return s.str();
}

void collect(Pipeline& p, const std::string& prefix, Collected& out) {
  p.add_stage("collect", [prefix, &out](Batch& b) {
    out.batches.push_back(b.index);
    for (const auto& c : b.outputs)
      if (c.name.rfind(prefix, 0) == 0)
        for (std::size_t r = 0; r < b.rows; ++r) out.columns[c.name].push_back(text_of(c.values, r));
  }, StageState::Stateless);
}

PipelineSettings per_window() {
  PipelineSettings p;
  p.batching.batch_size = 8;  // one window of 8 services per batch
  return p;
}

// Oracle: the Autoscaler fed the same windows directly. Its counts and planned arrivals are
// the columns, record by record; plan_cost of the decisions is the stage's cost; a recount of
// the counts' direction changes is its reversals.
TEST(DecisionStage, AutoscaleColumnsAndFiguresEqualTheLearnerFedDirectly) {
  const MonitoringTrace t = trace();
  for (bool budget : {false, true}) {
    auto learner = std::make_shared<Autoscaler>(autoscale_settings(budget));
    Pipeline pipeline(std::make_unique<MemorySource>(stream_of(t), 100), per_window());
    auto stage = std::make_unique<DecisionStage>("scale", learner);
    const DecisionTotals& totals = stage->totals();
    pipeline.add_stage(std::move(stage));
    Collected got;
    collect(pipeline, "scale.", got);
    const PipelineReport report = pipeline.run();
    ASSERT_EQ(report.batches, t.windows);

    Autoscaler direct(autoscale_settings(budget));
    std::vector<std::string> instances, planned;
    std::vector<std::int64_t> decisions;  // windows x services
    for (std::int64_t w = 0; w < t.windows; ++w) {
      direct.partial_fit(monitoring_window(t, w));
      for (std::int64_t j = 0; j < t.services; ++j) {
        instances.push_back(std::to_string(direct.instances()[std::size_t(j)]));
        planned.push_back(text_of(std::vector<double>{direct.last_decision().planned[j]}, 0));
        decisions.push_back(direct.instances()[std::size_t(j)]);
      }
    }
    EXPECT_EQ(got.columns["scale.instances"], instances) << "budget " << budget;
    EXPECT_EQ(got.columns["scale.planned_arrivals"], planned) << "budget " << budget;
    EXPECT_EQ(got.columns.size(), 2u);

    // The stage's sums: plan_cost prices each decision by instance cost 1 and change cost 0.5,
    // starting from min_instances, exactly the Autoscaler's settings here.
    MonitoringSettings prices;
    prices.instance_cost = 1;
    prices.scale_change_cost = 0.5;
    prices.min_instances = 1;
    const double want_cost = plan_cost(prices, t.services, decisions);
    std::int64_t want_reversals = 0, want_changed = 0;
    for (std::int64_t j = 0; j < t.services; ++j) {
      std::int64_t previous = 1, last = 0;
      for (std::int64_t w = 0; w < t.windows; ++w) {
        const std::int64_t n = decisions[std::size_t(w * t.services + j)], step = n - previous;
        want_changed += std::abs(step);
        const std::int64_t dir = step > 0 ? 1 : step < 0 ? -1 : 0;
        if (dir != 0 && last != 0 && dir != last) ++want_reversals;
        if (dir != 0) last = dir;
        previous = n;
      }
    }
    EXPECT_EQ(totals.decisions, t.windows);
    EXPECT_NEAR(totals.cost, want_cost, 1e-9 * want_cost);
    EXPECT_EQ(totals.changed, double(want_changed));
    EXPECT_EQ(totals.reversals, want_reversals);
    EXPECT_GT(want_reversals, 0);
    EXPECT_EQ(learner->instances(), direct.instances());
  }
}

// Oracle: the Allocator fed the same windows directly: served is Σ_i x_ij, unmet u_j, and the
// placement text lists exactly the servers with x_ij > 0 and their amounts.
TEST(DecisionStage, AllocationColumnsAreEachServicesAllocation) {
  const MonitoringTrace t = trace(7);
  auto learner = std::make_shared<Allocator>(allocation_settings());
  Pipeline pipeline(std::make_unique<MemorySource>(stream_of(t), 64), per_window());
  auto stage = std::make_unique<DecisionStage>("place", learner);
  const DecisionTotals& totals = stage->totals();
  pipeline.add_stage(std::move(stage));
  std::int64_t checked = 0;
  Allocator direct(allocation_settings());
  double cost = 0, moved = 0;
  pipeline.add_stage("check", [&](Batch& b) {
    direct.partial_fit(b);
    cost += direct.last_decision().objective;
    moved += direct.last_decision().moved;
    const auto& keys = std::get<std::vector<std::int64_t>>(b.keys);
    const auto& served = std::get<std::vector<double>>(b.output("place.served")->values);
    const auto& unmet = std::get<std::vector<double>>(b.output("place.unmet")->values);
    const auto& placement = std::get<std::vector<std::string>>(b.output("place.placement")->values);
    const RowMatrix& x = direct.last_decision().x;
    for (std::size_t r = 0; r < b.rows; ++r) {
      const Eigen::Index j = keys[r];
      EXPECT_EQ(served[r], direct.served()[j]);
      EXPECT_EQ(unmet[r], direct.last_decision().unmet[j]);
      std::istringstream parts(placement[r]);
      std::string part;
      double sum = 0;
      Eigen::Index listed = 0;
      while (parts >> part) {
        const auto colon = part.find(':');
        const Eigen::Index i = std::stol(part.substr(0, colon));
        const double amount = std::stod(part.substr(colon + 1));
        EXPECT_NEAR(amount, x(i, j), 1e-9 * x(i, j)) << part;
        sum += amount;
        ++listed;
      }
      EXPECT_EQ(listed, (x.col(j).array() > 0).count()) << placement[r];
      EXPECT_NEAR(sum, served[r], 1e-8 * (1 + served[r]));
      ++checked;
    }
  }, StageState::Stateless);
  pipeline.run();
  EXPECT_EQ(checked, 8 * t.windows);
  EXPECT_TRUE(learner->last_decision().x == direct.last_decision().x);
  EXPECT_TRUE(learner->last_decision().warm);
  EXPECT_EQ(totals.decisions, t.windows);
  EXPECT_NEAR(totals.cost, cost, 1e-9 * cost);
  EXPECT_NEAR(totals.changed, moved, 1e-9 * moved);
  EXPECT_EQ(totals.reversals, 0);
  EXPECT_GT(moved, 0);
}

// Oracle: an uninterrupted run. A stream stopped by an injected failure at batch 45 (the
// checkpoint after batch 39 is the newest complete one), then resumed, adds the same columns
// to every batch after the checkpoint, ends with the same learner state and the same sums;
// the allocator's first decision after the resume is a warm re-solve with the uninterrupted
// run's pivots.
template <class Model>
void expect_resume_decides_as_uninterrupted(const typename Model::Settings& settings, const std::string& name) {
  const MonitoringTrace t = trace(3);
  const auto dir = testing::temp_dir("decision_resume_" + name);
  struct Run {
    Collected columns;
    std::shared_ptr<Model> learner;
    std::string summary;
    std::vector<std::int64_t> iterations;
    std::vector<bool> warm;
  };
  auto run = [&](const std::string& ck, std::int64_t stop_at, bool resume) {
    Run r;
    r.learner = std::make_shared<Model>(settings);
    PipelineSettings p = per_window();
    p.checkpoint.dir = ck;
    p.checkpoint.every_batches = 10;
    p.checkpoint.resume = resume;
    Pipeline pipeline(std::make_unique<MemorySource>(stream_of(t), 50), p);
    pipeline.add_learner(name, r.learner);
    collect(pipeline, name + ".", r.columns);
    pipeline.add_stage("crash", [stop_at, &r](Batch& b) {
      if constexpr (std::is_same_v<Model, Allocator>) {
        r.iterations.push_back(r.learner->last_decision().iterations);
        r.warm.push_back(r.learner->last_decision().warm);
      }
      if (b.index == stop_at) throw std::runtime_error("injected failure");
    }, StageState::Stateless);
    try {
      r.summary = pipeline.run().stage_summaries;
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find("injected failure"), std::string::npos) << e.what();
    }
    return r;
  };
  const Run whole = run((dir / "whole").string(), -1, false);
  const Run cut = run((dir / "cut").string(), 45, false);
  EXPECT_EQ(cut.columns.batches.back(), 45);
  const Run resumed = run((dir / "cut").string(), -1, true);
  ASSERT_FALSE(resumed.columns.batches.empty());
  EXPECT_EQ(resumed.columns.batches.front(), 40);
  const std::size_t skipped = std::size_t(40 * t.services);
  ASSERT_FALSE(whole.columns.columns.empty());
  for (const auto& [column, values] : whole.columns.columns) {
    const std::vector<std::string> tail(values.begin() + std::ptrdiff_t(skipped), values.end());
    EXPECT_EQ(resumed.columns.columns.at(column), tail) << column;
  }
  EXPECT_EQ(resumed.summary, whole.summary);
  EXPECT_EQ(resumed.learner->metrics_json(), whole.learner->metrics_json());
  if constexpr (std::is_same_v<Model, Allocator>) {
    EXPECT_TRUE(resumed.learner->last_decision().x == whole.learner->last_decision().x);
    ASSERT_FALSE(resumed.warm.empty());
    EXPECT_TRUE(resumed.warm.front());  // the first decision after the resume re-solved warm
    const std::vector<std::int64_t> tail(whole.iterations.begin() + 40, whole.iterations.end());
    EXPECT_EQ(resumed.iterations, tail);  // with the uninterrupted run's pivots
  } else {
    EXPECT_EQ(resumed.learner->instances(), whole.learner->instances());
  }
}

TEST(DecisionStage, AllocationResumedAfterACrashDecidesAsUninterrupted) {
  expect_resume_decides_as_uninterrupted<Allocator>(allocation_settings(), "place");
}

TEST(DecisionStage, AutoscaleMipResumedAfterACrashDecidesAsUninterrupted) {
  expect_resume_decides_as_uninterrupted<Autoscaler>(autoscale_settings(true), "scale");
}

// Oracle: the Allocator fed the generator's windows directly. `streamml generate monitoring`
// then `streamml replay --learner allocate` (one batch per 60 s window) ends with the same
// allocation in its checkpoint and prints the decisions' figures.
TEST(DecisionStage, TheCommandLineRunsAllocationOnAGeneratedStream) {
  const auto dir = testing::temp_dir("decision_cli");
  const std::string csv = (dir / "monitoring.csv").string(), ck = (dir / "ck").string();
  std::ostringstream out;
  auto cli = [&](std::vector<std::string> args) {
    args.insert(args.begin(), "streamml");
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    auto* old = std::cout.rdbuf(out.rdbuf());
    const int code = run_cli(int(argv.size()), argv.data());
    std::cout.rdbuf(old);
    return code;
  };
  ASSERT_EQ(cli({"generate", "monitoring", "--out", csv, "--events", "1440", "--seed", "42", "--day-seconds", "3600",
                 "--burst-probability", "0.01"}),
            0);
  ASSERT_EQ(cli({"replay", "--input", csv, "--time", "event_time", "--key", "service", "--key-type", "int",
                 "--features", "requests,processing_rate", "--batch-interval", "60s", "--learner", "allocate",
                 "--param", "capacity=1400,1100,1200,900", "--param",
                 "cost=1,4,7,3,6,2,5,1;6,2,5,1,4,7,3,6;4,7,3,6,2,5,1,4;2,5,1,4,7,3,6,2", "--param", "services=8",
                 "--param", "move_cost=0.1", "--param", "headroom=0.1", "--checkpoint-dir", ck, "--quiet"}),
            0)
      << out.str();
  EXPECT_NE(out.str().find("allocate: 180 decisions; cost "), std::string::npos) << out.str();
  const AllocationSettings s = allocation_settings();
  Allocator direct(s);
  const MonitoringTrace t = trace();
  for (std::int64_t w = 0; w < t.windows; ++w) direct.partial_fit(monitoring_window(t, w));
  AllocationSettings other;  // replaced by the checkpoint's
  other.capacity = {1};
  other.cost = {1};
  other.services = 1;
  Allocator saved(other);
  CheckpointStore(ck).load("allocate", saved);
  EXPECT_TRUE(saved.last_decision().x == direct.last_decision().x);
  EXPECT_EQ(saved.batches_seen(), 180);
  EXPECT_EQ(saved.params_json(), direct.params_json());  // the --param values are allocation_settings()
}

TEST(DecisionStage, OnlyDecisionLearnersAndRecordsWithServices) {
  auto logreg = std::make_shared<LogisticRegressionSGD>();
  EXPECT_NE(error_of([&] { DecisionStage("d", logreg); }).find("a decision stage runs a learner of role 'decision', "
                                                                 "'logreg' is a classifier"),
            std::string::npos);
  // Records without integer service ids: named, through the pipeline.
  Batch b;
  b.cols = 2;
  b.rows = 2;
  b.features = {10, 20, 30, 40};
  Pipeline pipeline(std::make_unique<MemorySource>(std::move(b)), per_window());
  pipeline.add_learner("scale", std::make_shared<Autoscaler>(autoscale_settings(false)));
  const std::string error = error_of([&] { pipeline.run(); });
  EXPECT_NE(error.find("autoscale: records need integer service ids"), std::string::npos) << error;
  EXPECT_NE(error.find("scale"), std::string::npos) << error;
}

}  // namespace
}  // namespace streamml
