// The retention budget (algorithms/optimize/retention.h) and its stage after churn scoring.
// Oracles: brute force over every assignment of small instances; the LP relaxation bounds the
// MIP; hand-made settings errors.
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <thread>

#include "algorithms/optimize/retention.h"
#include "streaming/stages/retention_stage.h"
#include "test_helpers.h"

namespace streamml {
namespace {

using testing::error_of;

// Every assignment of offers (or none) to n customers: the best net value under the budget.
double brute_force_best(const std::vector<double>& p, const std::vector<double>& v, const RetentionSettings& s) {
  const std::size_t n = p.size(), J = s.offer_cost.size();
  std::size_t combos = 1;
  for (std::size_t i = 0; i < n; ++i) combos *= J + 1;
  double best = 0;
  for (std::size_t code = 0; code < combos; ++code) {
    double net = 0, spent = 0;
    std::vector<double> used(J, 0);
    std::size_t c = code;
    for (std::size_t i = 0; i < n; ++i, c /= J + 1) {
      const std::size_t pick = c % (J + 1);
      if (pick == J) continue;
      net += p[i] * s.offer_uplift[pick] * v[i] - s.offer_cost[pick];
      spent += s.offer_cost[pick];
      used[pick] += 1;
    }
    bool fits = spent <= s.budget + 1e-9;
    for (std::size_t j = 0; j < J && !s.offer_capacity.empty(); ++j)
      fits = fits && (s.offer_capacity[j] == 0 || used[j] <= s.offer_capacity[j]);
    if (fits) best = std::max(best, net);
  }
  return best;
}

TEST(Retention, MipEqualsBruteForceOnRandomInstances) {
  std::mt19937_64 rng(3);
  std::uniform_real_distribution<double> u(0, 1);
  for (int trial = 0; trial < 20; ++trial) {
    const std::size_t n = 7;
    std::vector<double> p(n), v(n);
    for (std::size_t i = 0; i < n; ++i) {
      p[i] = u(rng);
      v[i] = 50 + 300 * u(rng);
    }
    RetentionSettings s;
    s.offer_cost = {5, 20, 40};
    s.offer_uplift = {0.1, 0.3, 0.5};
    s.budget = 30 + 60 * u(rng);
    if (trial % 2) s.offer_capacity = {0, 1, 1};
    const RetentionPlan plan = plan_retention(p, v, s);
    ASSERT_EQ(plan.status, SolveStatus::Optimal);
    const double want = brute_force_best(p, v, s);
    EXPECT_NEAR(plan.expected_saved - plan.spent, want, 1e-6 * std::max(1.0, want)) << "trial " << trial;
    EXPECT_LE(plan.spent, s.budget + 1e-9);
    s.relax = true;
    const RetentionPlan lp = plan_retention(p, v, s);
    EXPECT_GE(lp.expected_saved - lp.spent, want - 1e-7);  // the relaxation bounds the MIP
  }
}

// Two threads solving MIPs at once (as two lanes of the decision system do) get what one thread
// gets: CBC's command-line driver keeps process-wide state and is run one at a time. Oracle:
// the same instances solved in turn, and brute force.
TEST(Retention, SolvesFromTwoThreadsAtOnceEqualTheSerialOnes) {
  std::mt19937_64 rng(11);
  std::uniform_real_distribution<double> u(0, 1);
  RetentionSettings s;
  s.offer_cost = {5, 20, 40};
  s.offer_uplift = {0.1, 0.3, 0.5};
  s.budget = 60;
  std::vector<std::vector<double>> ps, vs;
  for (int k = 0; k < 8; ++k) {
    ps.emplace_back(7), vs.emplace_back(7);
    for (std::size_t i = 0; i < 7; ++i) ps.back()[i] = u(rng), vs.back()[i] = 50 + 300 * u(rng);
  }
  std::vector<double> serial;
  for (std::size_t k = 0; k < ps.size(); ++k) {
    const RetentionPlan plan = plan_retention(ps[k], vs[k], s);
    serial.push_back(plan.expected_saved - plan.spent);
    EXPECT_NEAR(serial.back(), brute_force_best(ps[k], vs[k], s), 1e-6 * std::max(1.0, serial.back()));
  }
  std::vector<std::vector<double>> got(2, std::vector<double>(ps.size() * 10));
  std::vector<std::thread> threads;
  for (std::size_t t = 0; t < 2; ++t)
    threads.emplace_back([&, t] {
      for (std::size_t r = 0; r < got[t].size(); ++r) {
        const RetentionPlan plan = plan_retention(ps[r % ps.size()], vs[r % ps.size()], s);
        got[t][r] = plan.status == SolveStatus::Optimal ? plan.expected_saved - plan.spent : -1;
      }
    });
  for (auto& t : threads) t.join();
  for (std::size_t t = 0; t < 2; ++t)
    for (std::size_t r = 0; r < got[t].size(); ++r) EXPECT_EQ(got[t][r], serial[r % ps.size()]) << t << " " << r;
}

TEST(Retention, OnlyTheRiskiestCandidatesAndNaNLeftOut) {
  RetentionSettings s;
  s.offer_cost = {1};
  s.offer_uplift = {0.5};
  s.budget = 10;
  s.candidates = 2;
  const std::vector<double> p = {0.9, std::nan(""), 0.2, 0.95, 0.5};
  const std::vector<double> v = {100, 100, 100, 100, 100};
  const RetentionPlan plan = plan_retention(p, v, s);
  // Hand computation: candidates 3 (0.95) and 0 (0.9); each nets 0.5 * 100 * risk - 1 > 0.
  std::vector<std::size_t> got = plan.customers;
  std::sort(got.begin(), got.end());
  EXPECT_EQ(got, (std::vector<std::size_t>{0, 3}));
  EXPECT_NEAR(plan.expected_saved, 0.5 * 100 * (0.9 + 0.95), 1e-9);
  EXPECT_DOUBLE_EQ(plan.spent, 2.0);
}

TEST(Retention, MaxIdleDaysLeavesOutCustomersSilentForLonger) {
  RetentionSettings s;
  s.offer_cost = {1};
  s.offer_uplift = {0.5};
  s.budget = 10;
  s.candidates = 2;
  s.set("max_idle_days", "14");
  const std::vector<double> p = {0.9, 0.3, 0.2, 0.95, 0.5};
  const std::vector<double> v = {100, 100, 100, 100, 100};
  const std::vector<double> idle = {20, 1, 14, 14.5, 3};
  const RetentionPlan plan = plan_retention(p, v, idle, s);
  // Hand computation: 0 (idle 20) and 3 (14.5) are out; of the rest the two riskiest, 4 (0.5)
  // and 1 (0.3), each netting 0.5 * 100 * risk - 1 > 0; 2 (idle exactly 14) is eligible but third.
  std::vector<std::size_t> got = plan.customers;
  std::sort(got.begin(), got.end());
  EXPECT_EQ(got, (std::vector<std::size_t>{1, 4}));
  EXPECT_NEAR(plan.expected_saved, 0.5 * 100 * (0.5 + 0.3), 1e-9);
  EXPECT_NE(error_of([&] { plan_retention(p, v, s); })
                .find("retention: max_idle_days 14 needs each customer's days since the last purchase, got 0 for 5 customers"),
            std::string::npos);
  s.max_idle_days = -1;
  EXPECT_NE(error_of([&] { s.validate(); }).find("retention: max_idle_days must be a finite number >= 0 (0: no limit), got -1"),
            std::string::npos);
}

TEST(Retention, BadSettingsAreNamed) {
  RetentionSettings s;
  s.offer_uplift = {0.1, 2};
  EXPECT_NE(error_of([&] { s.validate(); }).find("retention: offer_uplift[1] must be in [0, 1], got 2"), std::string::npos);
  s = {};
  s.offer_cost = {1};
  EXPECT_NE(error_of([&] { s.validate(); }).find("one value per offer, got 1 and 2"), std::string::npos);
  s = {};
  EXPECT_NE(error_of([&] { plan_retention({0.5}, {-1}, s); }).find("value of customer 0 must be a finite number >= 0, got -1"),
            std::string::npos);
}

TEST(Retention, SettingsFromTextAsTheCommandLineGivesThem) {
  RetentionSettings s;
  s.set("budget", "250");
  s.set("offer_cost", "5,25,40");
  s.set("offer_uplift", "0.1,0.35,0.5");
  s.set("candidates", "30");
  s.set("relax", "true");
  EXPECT_EQ(s.budget, 250);
  EXPECT_EQ(s.offer_cost, (std::vector<double>{5, 25, 40}));
  EXPECT_EQ(s.offer_uplift, (std::vector<double>{0.1, 0.35, 0.5}));
  EXPECT_EQ(s.candidates, 30);
  EXPECT_TRUE(s.relax);
  s.validate();
  EXPECT_NE(error_of([&] { s.set("budgt", "1"); }).find("retention has no setting 'budgt'; known: budget, candidates"),
            std::string::npos);
  EXPECT_NE(error_of([&] { s.set("offer_cost", "5,x"); }).find("retention: offer_cost must be a number, got 'x'"),
            std::string::npos);
  EXPECT_NE(error_of([&] { s.set("candidates", "2.5"); }).find("retention: candidates must be an integer, got '2.5'"),
            std::string::npos);
}

// The decision cadence of RetentionStage / TopRiskStage: by hand, hourly batches decide daily
// at the batch ending on midnight, empty or not; without a cadence an empty batch decides
// nothing; a batch cut by count has no interval to place.
TEST(RetentionStage, DecidesAtTheBatchesEndingEachPeriod) {
  constexpr EventTime kHour = 3600 * kMicrosPerSecond, kDay = 24 * kHour;
  const EventTime origin = 1767225600LL * kMicrosPerSecond;  // 2026-01-01T00:00:00Z
  Batch b;
  int decided = 0;
  for (std::int64_t h = 0; h < 72; ++h) {
    b.index = h;
    b.interval_start = origin + h * kHour;
    b.interval_end = b.interval_start + kHour;
    b.rows = h % 5 == 0 || h == 47 ? 0 : 3;  // some hours empty, among them the second day's last
    const bool at_midnight = (h + 1) % 24 == 0;
    EXPECT_EQ(decides_at(b, kDay, "offers"), at_midnight) << h;
    EXPECT_EQ(decides_at(b, 0, "offers"), b.rows > 0) << h;
    decided += decides_at(b, kDay, "offers");
  }
  EXPECT_EQ(decided, 3);
  Batch counted;
  counted.index = 7;
  counted.rows = 10;
  EXPECT_NE(error_of([&] { decides_at(counted, kDay, "offers"); })
                .find("stage 'offers' decides every 86400000000 us of event time, but batch 7 has no event-time interval"),
            std::string::npos);
}

}  // namespace
}  // namespace streamml
