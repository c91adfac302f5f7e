// Autoscaler: DS2's rule by hand, the stabilisation window, the coupled MIP against brute force,
// checkpoint -> resume, the batch interface.
//
// Oracles: hand computation of DS2's formula (Kalavri et al., OSDI 2018: parallelism =
// ceil(true output rate upstream / true processing rate per instance)), with the target
// utilisation of the Flink autoscaler; a brute-force enumeration of every integer count
// vector for the MIP's objective. The generated monitoring stream with its offline optimum is
// in test_monitoring_stream.cpp.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>
#include <vector>

#include "algorithms/optimize/autoscale.h"
#include "algorithms/optimize/solve.h"
#include "checkpoint_test_util.h"
#include "core/checkpoint_file.h"
#include "test_helpers.h"

namespace streamml {
namespace {

using testing::error_of;

// One record per service: keys 0..J-1, arrivals and processing rate per instance.
Batch window(const std::vector<double>& arrivals, const std::vector<double>& rates) {
  Batch b;
  b.rows = arrivals.size();
  b.cols = 2;
  std::vector<std::int64_t> keys;
  for (std::size_t j = 0; j < arrivals.size(); ++j) {
    keys.push_back(std::int64_t(j));
    b.features.push_back(arrivals[j]);
    b.features.push_back(rates[j]);
  }
  b.keys = keys;
  return b;
}

AutoscaleSettings last_value(std::int64_t services, std::int64_t window) {
  AutoscaleSettings s;
  s.services = services;
  s.forecast = ForecastMethod::Ewma;
  s.alpha = 1.0;  // the forecast is the last window's arrivals
  s.stabilization_window = window;
  s.min_instances = 1;
  s.max_instances = 50;
  return s;
}

TEST(Autoscale, Ds2RuleByHand) {
  // 100 records/s at 30 per busy second per instance, planned at 70 %: 100 / 21 = 4.76 -> 5.
  EXPECT_EQ(ds2_instances(100, 30, 0.7), 5);
  // 63 / 21 = 3 exactly (up to rounding): 3, not 4.
  EXPECT_EQ(ds2_instances(63, 30, 0.7), 3);
  EXPECT_EQ(ds2_instances(0, 30, 0.7), 0);
  Autoscaler a(last_value(3, 1));
  // Service 2 never reports a processing rate: it keeps min_instances; service 1 needs 0 -> 1.
  a.partial_fit(window({100, 0, 50}, {30, 10, 0}));
  EXPECT_EQ(a.instances(), (std::vector<std::int64_t>{5, 1, 1}));
  a.partial_fit(window({2000, 0, 50}, {30, 10, 5}));  // 2000 / 21 = 95.2 -> max 50; 50 / 3.5 -> 15
  EXPECT_EQ(a.instances(), (std::vector<std::int64_t>{50, 1, 15}));
  EXPECT_FALSE(a.last_decision().mip);
}

TEST(Autoscale, StabilisationWindowScalesUpAtOnceAndDownAfterAWholeWindow) {
  Autoscaler a(last_value(1, 3));
  const std::vector<double> arrivals = {42, 84, 21, 21, 21, 21, 84, 21};
  std::vector<std::int64_t> counts;
  for (double x : arrivals) {
    a.partial_fit(window({x}, {30}));
    counts.push_back(a.instances()[0]);
  }
  // 42 -> 2, 84 -> 4 at once; 21 (-> 1) only once 84 has left the 3-batch window; 84 again -> 4
  // at once, then 4 for two more batches.
  EXPECT_EQ(counts, (std::vector<std::int64_t>{2, 4, 4, 4, 1, 1, 4, 4}));
  // Without the window every dip is followed.
  Autoscaler b(last_value(1, 1));
  std::vector<std::int64_t> raw;
  for (double x : arrivals) {
    b.partial_fit(window({x}, {30}));
    raw.push_back(b.instances()[0]);
  }
  EXPECT_EQ(raw, (std::vector<std::int64_t>{2, 4, 1, 1, 1, 1, 4, 1}));
}

// The MIP objective of counts n (autoscale.h), with the shortfall at its least.
double mip_objective(const AutoscaleSettings& s, const std::vector<std::int64_t>& n, const std::vector<double>& lambda,
                     const std::vector<double>& mu, const std::vector<std::int64_t>& now) {
  double z = 0;
  for (std::size_t j = 0; j < n.size(); ++j) {
    z += s.cost(std::int64_t(j)) * double(n[j]) + s.scale_change_cost * double(std::abs(n[j] - now[j]));
    z += s.shortfall_penalty * std::max(0.0, lambda[j] - s.target_utilization * mu[j] * double(n[j]));
  }
  return z;
}

TEST(Autoscale, CoupledMipEqualsBruteForce) {
  int holds = 0;
  std::mt19937_64 rng(5);
  std::uniform_real_distribution<double> u(0, 1);
  for (int trial = 0; trial < 12; ++trial) {
    const bool hold = trial % 2 == 0;
    AutoscaleSettings s;
    s.services = 3;
    s.min_instances = 1;
    s.max_instances = 6;
    s.instance_cost = {1.0 + u(rng), 1.0 + u(rng), 1.0 + u(rng)};
    s.instance_cpu = {1.0, 2.0, 1.5};
    s.budget = 10.0;  // the current counts (2, 1, 2) cost at most 10: holding them stays feasible
    s.cpu_capacity = trial % 2 ? 12.0 : 0.0;
    s.shortfall_penalty = 0.2 + u(rng);
    s.scale_change_cost = 0.3;
    s.mip_rel_gap = 0;
    const std::vector<double> lambda = {40 * u(rng), 40 * u(rng), 40 * u(rng)}, mu = {5, 8, 3};
    const std::vector<std::int64_t> now = {2, 1, 2};
    const LpModel m = autoscale_mip(s, Eigen::Map<const Eigen::VectorXd>(lambda.data(), 3),
                                    Eigen::Map<const Eigen::VectorXd>(mu.data(), 3), now, hold);
    // With `hold`, a service not over-provisioned keeps at least its current count.
    std::vector<std::int64_t> floor(3, 1);
    for (std::size_t j = 0; j < 3; ++j)
      if (hold && hold_count(s, lambda[j], mu[j], now[j])) floor[j] = now[j];
    SolveSettings ss;
    ss.mip_rel_gap = 0;
    const SolveResult r = solve(m, ss);
    ASSERT_EQ(r.status, SolveStatus::Optimal) << r.message;
    double best = std::numeric_limits<double>::infinity();
    for (std::int64_t a = floor[0]; a <= 6; ++a)
      for (std::int64_t b = floor[1]; b <= 6; ++b)
        for (std::int64_t c = floor[2]; c <= 6; ++c) {
          const std::vector<std::int64_t> n = {a, b, c};
          double cost = 0, cpu = 0;
          for (std::int64_t j = 0; j < 3; ++j) cost += s.cost(j) * double(n[std::size_t(j)]), cpu += s.cpu(j) * double(n[std::size_t(j)]);
          if (cost > s.budget + 1e-12 || (s.cpu_capacity > 0 && cpu > s.cpu_capacity + 1e-12)) continue;
          best = std::min(best, mip_objective(s, n, lambda, mu, now));
        }
    EXPECT_NEAR(r.objective, best, 1e-7 * best) << "trial " << trial;
    holds += floor != std::vector<std::int64_t>(3, 1);
  }
  EXPECT_GT(holds, 0);  // some trials did hold a count
}

TEST(Autoscale, UncoupledMipAgreesWithDs2) {
  // No budget, no shared capacity, no change cost and a high shortfall penalty: the MIP's counts
  // are DS2's.
  AutoscaleSettings s = last_value(4, 1);
  s.mode = AutoscaleMode::Mip;
  s.scale_change_cost = 0;
  s.shortfall_penalty = 1e3;
  s.mip_rel_gap = 0;
  Autoscaler mip(s);
  Autoscaler ds2(last_value(4, 1));
  std::mt19937_64 rng(8);
  std::uniform_real_distribution<double> u(0, 1);
  for (int step = 0; step < 10; ++step) {
    const Batch b = window({300 * u(rng), 300 * u(rng), 300 * u(rng), 300 * u(rng)},
                           {5 + 20 * u(rng), 5 + 20 * u(rng), 5 + 20 * u(rng), 5 + 20 * u(rng)});
    mip.partial_fit(b);
    ds2.partial_fit(b);
    EXPECT_TRUE(mip.last_decision().mip);
    EXPECT_EQ(mip.instances(), ds2.instances()) << "step " << step;
  }
}

TEST(Autoscale, BudgetCapsTheCountsAndCheckpointResumesExactly) {
  AutoscaleSettings s = last_value(4, 3);
  s.budget = 20;
  s.instance_cost = {1, 2, 1, 3};
  Autoscaler a(s);
  std::mt19937_64 rng(13);
  std::uniform_real_distribution<double> u(0, 1);
  const auto next = [&] {
    return window({200 * u(rng), 200 * u(rng), 100 * u(rng), 50 * u(rng)}, {10, 15, 8, 20});
  };
  for (int step = 0; step < 5; ++step) a.partial_fit(next());
  const std::vector<char> bytes = checkpoint_bytes(a);
  Autoscaler restored;
  load_checkpoint_bytes(bytes.data(), bytes.size(), restored);
  for (int step = 0; step < 10; ++step) {
    const Batch b = next();
    EXPECT_EQ(restored.score(b), a.score(b));
    a.partial_fit(b);
    restored.partial_fit(b);
    ASSERT_EQ(restored.instances(), a.instances()) << "step " << step;
    double cost = 0;
    for (std::int64_t j = 0; j < 4; ++j) cost += s.cost(j) * double(a.instances()[std::size_t(j)]);
    EXPECT_LE(cost, s.budget + 1e-9);
    EXPECT_TRUE(a.last_decision().mip);
  }
  const auto x = checkpoint_test::snapshot(a), y = checkpoint_test::snapshot(restored);
  EXPECT_TRUE(x == y) << checkpoint_test::first_difference(x, y);
}

// Layout 1 (before each service's last direction was kept): the datasets layout 2 writes less
// last_direction and reversals, state_version 1. Oracle: the saved learner itself: the restored
// one decides the same counts from then on, and counts a turn only once it knows a direction.
class WithoutDirections : public StateSink {
 public:
  explicit WithoutDirections(StateSnapshot& to) : to_(to) {}
  void add(std::string_view name, DatasetKind kind, int rank, std::size_t rows, std::size_t cols, const void* data,
           std::size_t bytes) override {
    if (name == "last_direction" || name == "reversals") return;
    const std::int64_t one = 1;
    if (name == "state_version") data = &one;
    to_.add(name, kind, rank, rows, cols, data, bytes);
  }

 private:
  StateSnapshot& to_;
};

TEST(Autoscale, Layout1CheckpointsLoadAndDecideTheSame) {
  Autoscaler a(last_value(2, 1));
  const std::vector<std::vector<double>> arrivals = {{63, 10}, {150, 10}, {30, 10}, {150, 10}, {30, 10}};
  a.partial_fit(window(arrivals[0], {30, 10}));
  a.partial_fit(window(arrivals[1], {30, 10}));  // service 0 goes up: 3 -> 8 instances
  CheckpointContent content;
  content.take(a);
  ASSERT_EQ(content.state_version, 2);
  CheckpointContent old = content;
  old.state.clear();
  WithoutDirections filter(old.state);
  content.state.replay(filter);
  old.state_version = 1;
  std::vector<char> bytes;
  checkpoint_bytes(old, {}, bytes);
  Autoscaler restored;
  EXPECT_EQ(load_checkpoint_bytes(bytes.data(), bytes.size(), restored).state_version, 1);
  std::int64_t reversals = 0, restored_reversals = 0;
  for (std::size_t k = 2; k < arrivals.size(); ++k) {
    a.partial_fit(window(arrivals[k], {30, 10}));
    restored.partial_fit(window(arrivals[k], {30, 10}));
    EXPECT_EQ(restored.instances(), a.instances()) << k;
    reversals += a.decision_figures().reversals;
    restored_reversals += restored.decision_figures().reversals;
  }
  // Down (a turn after the saved run's rise), up, down: 3 turns; the restored learner did not
  // know the rise, so its first fall is no turn.
  EXPECT_EQ(reversals, 3);
  EXPECT_EQ(restored_reversals, 2);
}

TEST(Autoscale, ScoreIsTheUnprocessedArrivals) {
  Autoscaler a(last_value(2, 1));
  a.partial_fit(window({63, 10}, {30, 10}));  // 3 and 2 instances
  // At full utilisation 3 instances process 90/s and 2 process 20/s.
  EXPECT_EQ(a.score(window({100, 15}, {30, 10})), Eigen::Vector2d(10, 0));
}

TEST(Autoscale, BadSettingsAndRecordsAreNamed) {
  AutoscaleSettings s;
  s.min_instances = 5;
  s.max_instances = 2;
  EXPECT_NE(error_of([&] { Autoscaler{s}; }).find("autoscale: min_instances 5 > max_instances 2"), std::string::npos);
  s = AutoscaleSettings{};
  s.services = 2;
  s.instance_cost = {1, 2, 3};
  EXPECT_NE(error_of([&] { Autoscaler{s}; }).find("instance_cost has 3 entries, expected 2"), std::string::npos);
  s.instance_cost = {4, 4};
  s.min_instances = 2;
  s.budget = 10;
  EXPECT_NE(error_of([&] { Autoscaler{s}; }).find("budget 10 is below the cost of min_instances everywhere (16)"),
            std::string::npos);
  s = AutoscaleSettings{};
  s.target_utilization = 1.5;
  EXPECT_NE(error_of([&] { Autoscaler{s}; }).find("target_utilization must be in (0, 1], got 1.5"), std::string::npos);
  Autoscaler a(last_value(2, 1));
  EXPECT_NE(error_of([&] { a.partial_fit(window({1, -2}, {3, 4})); }).find("record 1 has arrival rate -2"),
            std::string::npos);
  Batch one = window({1}, {3});
  one.cols = 1;
  one.features = {1};
  EXPECT_NE(error_of([&] { a.partial_fit(one); }).find("processing rate is feature 1, the batch has 1 features"),
            std::string::npos);
}

}  // namespace
}  // namespace streamml
