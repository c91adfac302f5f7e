// Allocator: warm re-solved allocations against cold solves of an independent formulation, a
// hand-worked case, checkpoint -> resume and the batch interface.
//
// Oracles:
//   - hand computation (two servers, two services, below);
//   - a cold CLP solve of the same problem written the textbook way, in the allocation x itself
//     with a row x_ij - d+_ij + d-_ij = x_prev_ij per pair for the move cost (I J more rows than
//     the Allocator's own LP, which writes moves as columns), built here independently;
//   - SciPy's linprog on that textbook form from Python (tests/python/test_decisions.py).
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>
#include <vector>

#include "algorithms/optimize/allocation.h"
#include "algorithms/optimize/solve.h"
#include "checkpoint_test_util.h"
#include "core/checkpoint_file.h"
#include "test_helpers.h"

namespace streamml {
namespace {

using testing::error_of;
constexpr double kInf = std::numeric_limits<double>::infinity();

AllocationSettings two_by_two() {
  AllocationSettings s;
  s.capacity = {10, 10};
  s.cost = {1, 3,   // server 0: service 0 costs 1, service 1 costs 3
            2, 1};  // server 1
  s.services = 2;
  s.unmet_penalty = 100;
  s.move_cost = 0.01;
  return s;
}

AllocationSettings random_settings(int I, int J, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> u(0, 1);
  AllocationSettings s;
  s.services = J;
  for (int i = 0; i < I; ++i) s.capacity.push_back(60.0 * J / I * (0.7 + 0.6 * u(rng)));
  for (int k = 0; k < I * J; ++k) s.cost.push_back(1.0 + 9.0 * u(rng));
  s.unmet_penalty = 50;
  s.move_cost = 0.5;
  return s;
}

// The textbook LP: columns x (IJ), d+ (IJ), d- (IJ), u (J); rows capacity (I), demand (J),
// move (IJ). Its optimum is the allocation objective.
double textbook_optimum(const AllocationSettings& s, const RowMatrix& previous, const Eigen::VectorXd& demand) {
  const int I = int(s.servers()), J = int(s.services), IJ = I * J;
  LpModel m;
  std::vector<Eigen::Triplet<double, int>> e;
  m.objective = Eigen::VectorXd::Zero(3 * IJ + J);
  for (int i = 0; i < I; ++i)
    for (int j = 0; j < J; ++j) {
      const int x = i * J + j;
      e.emplace_back(i, x, 1.0);
      e.emplace_back(I + j, x, 1.0);
      e.emplace_back(I + J + x, x, 1.0);
      e.emplace_back(I + J + x, IJ + x, -1.0);
      e.emplace_back(I + J + x, 2 * IJ + x, 1.0);
      m.objective[x] = s.cost[std::size_t(x)];
      m.objective[IJ + x] = m.objective[2 * IJ + x] = s.move_cost;
    }
  for (int j = 0; j < J; ++j) {
    e.emplace_back(I + j, 3 * IJ + j, 1.0);
    m.objective[3 * IJ + j] = s.unmet_penalty;
  }
  m.A.resize(I + J + IJ, 3 * IJ + J);
  m.A.setFromTriplets(e.begin(), e.end());
  m.col_lower = Eigen::VectorXd::Zero(3 * IJ + J);
  m.col_upper = Eigen::VectorXd::Constant(3 * IJ + J, kInf);
  m.row_lower.resize(I + J + IJ);
  m.row_upper.resize(I + J + IJ);
  for (int i = 0; i < I; ++i) m.row_lower[i] = -kInf, m.row_upper[i] = s.capacity[std::size_t(i)];
  for (int j = 0; j < J; ++j) m.row_lower[I + j] = demand[j], m.row_upper[I + j] = kInf;
  for (int x = 0; x < IJ; ++x) m.row_lower[I + J + x] = m.row_upper[I + J + x] = previous(x / J, x % J);
  const SolveResult r = solve(m);
  EXPECT_EQ(r.status, SolveStatus::Optimal) << r.message;
  return r.objective;
}

// One record per service: keys 0..J-1, the rate as feature 0.
Batch window(const Eigen::VectorXd& rates) {
  Batch b;
  b.rows = std::size_t(rates.size());
  b.cols = 1;
  std::vector<std::int64_t> keys;
  for (Eigen::Index j = 0; j < rates.size(); ++j) {
    keys.push_back(j);
    b.features.push_back(rates[j]);
  }
  b.keys = keys;
  return b;
}

TEST(Allocation, TwoByTwoByHand) {
  Allocator a(two_by_two());
  // Demand (8, 8): each service on its cheaper server, cost 8 + 8 = 16.
  const AllocationDecision& d = a.decide(Eigen::Vector2d(8, 8));
  EXPECT_NEAR(d.x(0, 0), 8, 1e-9);
  EXPECT_NEAR(d.x(1, 1), 8, 1e-9);
  EXPECT_NEAR(d.serving_cost, 16, 1e-9);
  EXPECT_NEAR(d.unmet.sum(), 0, 1e-9);
  EXPECT_NEAR(d.moved, 16, 1e-9);  // from nothing
  // Demand (12, 5): server 0 is full with 10 of service 0; 2 more go to server 1 at cost 2,
  // service 1 shrinks to 5 there: 10 + 4 + 5 = 19; moved 2 + 2 + 3 = 7.
  const AllocationDecision& e = a.decide(Eigen::Vector2d(12, 5));
  EXPECT_TRUE(e.warm);
  EXPECT_NEAR(e.x(0, 0), 10, 1e-9);
  EXPECT_NEAR(e.x(1, 0), 2, 1e-9);
  EXPECT_NEAR(e.x(1, 1), 5, 1e-9);
  EXPECT_NEAR(e.serving_cost, 19, 1e-9);
  EXPECT_NEAR(e.moved, 7, 1e-9);
  // Demand (15, 15) > capacity 20: 10 units unmet at penalty 100 (cheaper than nothing else).
  const AllocationDecision& f = a.decide(Eigen::Vector2d(15, 15));
  EXPECT_NEAR(f.unmet.sum(), 10, 1e-9);
  EXPECT_NEAR(f.x.sum(), 20, 1e-9);
}

TEST(Allocation, MoveCostKeepsAnAllocationWhereServingCostsTie) {
  // Both servers cost the same: once placed, demand stays where it is.
  AllocationSettings s = two_by_two();
  s.cost = {1, 1, 1, 1};
  s.move_cost = 0.5;
  Allocator a(s);
  const RowMatrix first = a.decide(Eigen::Vector2d(6, 6)).x;
  const AllocationDecision& again = a.decide(Eigen::Vector2d(6, 6));
  EXPECT_EQ(again.x, first);
  EXPECT_EQ(again.moved, 0);
  EXPECT_EQ(again.iterations, 0);
}

// Move cost 0.5 (the LP in moves) and 0 (the transportation LP in x).
class AllocationForms : public ::testing::TestWithParam<double> {};
INSTANTIATE_TEST_SUITE_P(MoveCost, AllocationForms, ::testing::Values(0.5, 0.0));

TEST_P(AllocationForms, WarmDecisionsEqualTheTextbookLpAfter100DemandChanges) {
  AllocationSettings s = random_settings(8, 30, 3);
  s.move_cost = GetParam();
  Allocator a(s);
  std::mt19937_64 rng(4);
  std::uniform_real_distribution<double> u(0.9, 1.1);
  Eigen::VectorXd base(30);
  for (Eigen::Index j = 0; j < 30; ++j) base[j] = 20.0 + 60.0 * std::uniform_real_distribution<double>(0, 1)(rng);
  std::int64_t iterations = 0;
  for (int step = 0; step < 100; ++step) {
    Eigen::VectorXd demand = base;
    for (Eigen::Index j = 0; j < demand.size(); ++j) demand[j] *= u(rng);
    const RowMatrix previous = a.last_decision().x;
    const AllocationDecision& d = a.decide(demand);
    const double oracle = textbook_optimum(s, previous, demand);
    ASSERT_LT(std::abs(d.objective - oracle) / oracle, 1e-9) << "step " << step;
    // Capacity holds; demand is served or counted unmet.
    for (Eigen::Index i = 0; i < d.x.rows(); ++i) EXPECT_LE(d.x.row(i).sum(), s.capacity[std::size_t(i)] + 1e-7);
    for (Eigen::Index j = 0; j < d.x.cols(); ++j) EXPECT_GE(d.x.col(j).sum() + d.unmet[j], demand[j] - 1e-7);
    if (step > 0) {
      EXPECT_TRUE(d.warm);
      iterations += d.iterations;
    }
  }
  // In moves about one pivot per changed service (30); without, a few.
  std::printf("allocation 8 x 30, move cost %g: %.1f dual simplex iterations per warm re-solve\n", GetParam(),
              iterations / 99.0);
  EXPECT_LT(iterations / 99.0, GetParam() > 0 ? 40.0 : 10.0);
}

TEST(Allocation, CheckpointRestoreMakesTheSameDecisions) {
  const AllocationSettings s = random_settings(5, 12, 9);
  Allocator uninterrupted(s);
  std::mt19937_64 rng(10);
  std::uniform_real_distribution<double> u(20, 80);
  const auto demand = [&] {
    Eigen::VectorXd d(12);
    for (Eigen::Index j = 0; j < 12; ++j) d[j] = u(rng);
    return d;
  };
  for (int step = 0; step < 6; ++step) uninterrupted.partial_fit(window(demand()));
  const std::vector<char> bytes = checkpoint_bytes(uninterrupted);
  Allocator restored(random_settings(2, 3, 1));
  load_checkpoint_bytes(bytes.data(), bytes.size(), restored);
  EXPECT_EQ(restored.params_json(), uninterrupted.params_json());
  for (int step = 0; step < 40; ++step) {
    const Batch b = window(demand());
    EXPECT_EQ(restored.score(b), uninterrupted.score(b)) << step;
    uninterrupted.partial_fit(b);
    restored.partial_fit(b);
    ASSERT_EQ(restored.last_decision().x, uninterrupted.last_decision().x) << "step " << step;
    EXPECT_EQ(restored.last_decision().iterations, uninterrupted.last_decision().iterations);
  }
  const auto a = checkpoint_test::snapshot(uninterrupted), b = checkpoint_test::snapshot(restored);
  EXPECT_TRUE(a == b) << checkpoint_test::first_difference(a, b);
}

TEST(Allocation, BatchesFeedTheForecastAndScoreUnservedDemand) {
  AllocationSettings s = two_by_two();
  s.forecast = ForecastMethod::Ewma;
  s.alpha = 1.0;  // the forecast is the last rate
  Allocator a(s);
  EXPECT_EQ(a.score(window(Eigen::Vector2d(3, 4))), Eigen::Vector2d(3, 4));  // nothing allocated yet
  a.partial_fit(window(Eigen::Vector2d(8, 8)));
  EXPECT_EQ(a.planned_demand(), Eigen::Vector2d(8, 8));
  EXPECT_NEAR(a.served()[0], 8, 1e-9);
  // Against the (8, 8) allocation, records of rate 11 and 5 leave 3 and 0 unserved.
  const Eigen::VectorXd score = a.score(window(Eigen::Vector2d(11, 5)));
  EXPECT_NEAR(score[0], 3, 1e-9);
  EXPECT_EQ(score[1], 0);
  // A "service" id column wins over the key.
  Batch b = window(Eigen::Vector2d(1, 2));
  b.ids.push_back({"service", std::vector<std::int64_t>{1, 1}});
  a.partial_fit(b);
  EXPECT_EQ(a.forecast().observations(), (std::vector<std::int64_t>{1, 3}));
}

TEST(Allocation, BadSettingsAndRecordsAreNamed) {
  AllocationSettings s = two_by_two();
  s.cost.pop_back();
  EXPECT_NE(error_of([&] { Allocator{s}; }).find("allocate: cost has 3 entries, expected 2 servers x 2 services"),
            std::string::npos);
  EXPECT_NE(error_of([&] { Allocator{AllocationSettings{}}; }).find("allocate: capacity is empty"), std::string::npos);
  s = two_by_two();
  s.alpha = 0;
  EXPECT_NE(error_of([&] { Allocator{s}; }).find("allocate: alpha must be in (0, 1], got 0"), std::string::npos);
  Allocator a(two_by_two());
  EXPECT_NE(error_of([&] { a.decide(Eigen::Vector3d(1, 2, 3)); }).find("demand has 3 entries, there are 2 services"),
            std::string::npos);
  EXPECT_NE(error_of([&] { a.partial_fit(window(Eigen::Vector3d(1, 2, 3))); })
                .find("allocate: record 2 has service 2, expected 0 .. 1"),
            std::string::npos);
  Batch nan = window(Eigen::Vector2d(1, std::nan("")));
  EXPECT_NE(error_of([&] { a.partial_fit(nan); }).find("record 1 has request rate nan"), std::string::npos);
  Batch no_ids;
  no_ids.rows = 1;
  no_ids.cols = 1;
  no_ids.features = {1};
  EXPECT_NE(error_of([&] { a.partial_fit(no_ids); }).find("need integer service ids"), std::string::npos);
  // Settings from text, as the command line gives them.
  const AllocationSettings t = Allocator::settings_table().from_text(
      {{"capacity", "10,10"}, {"cost", "1,3;2,1"}, {"forecast", "ewma"}, {"move_cost", "0.2"}});
  EXPECT_EQ(t.services, 2);
  EXPECT_EQ(t.cost, two_by_two().cost);
  EXPECT_EQ(t.forecast, ForecastMethod::Ewma);
}

}  // namespace
}  // namespace streamml
