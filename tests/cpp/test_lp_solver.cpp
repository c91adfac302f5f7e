// LPSolver: warm re-solves against cold solves of the same model, and checkpoint -> restore.
//
// Oracles: a cold CLP solve (solve(), dual simplex after presolve) of the model as it stands
// after each change, and the hand-worked two-row LP (lp_test_util.h). SciPy's HiGHS checks the
// same warm solver from Python (tests/python/test_optimize.py).
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <limits>
#include <random>
#include <vector>

#include "algorithms/optimize/lp_solver.h"
#include "algorithms/optimize/solve.h"
#include "checkpoint_test_util.h"
#include "core/checkpoint_file.h"
#include "lp_test_util.h"
#include "test_helpers.h"

namespace streamml {
namespace {

using testing::error_of;

constexpr double kInf = std::numeric_limits<double>::infinity();

// A transportation LP: servers i with capacity, services j with demand, x_ij >= 0 at cost
// c_ij, and unmet demand u_j at a penalty of 100. Rows: capacity (sum_j x_ij <= C_i), then
// demand (sum_i x_ij + u_j >= d_j).
struct Transport {
  int servers, services;
  LpModel model;
  Eigen::VectorXd demand;

  Transport(int I, int J, std::uint64_t seed) : servers(I), services(J) {
    std::mt19937_64 rng(seed);
    std::uniform_real_distribution<double> u(0.0, 1.0);
    const int n = I * J + J, m = I + J;
    std::vector<Eigen::Triplet<double, int>> entries;
    model.objective.resize(n);
    for (int i = 0; i < I; ++i)
      for (int j = 0; j < J; ++j) {
        const int c = i * J + j;
        entries.emplace_back(i, c, 1.0);
        entries.emplace_back(I + j, c, 1.0);
        model.objective[c] = 1.0 + 9.0 * u(rng);
      }
    for (int j = 0; j < J; ++j) {
      entries.emplace_back(I + j, I * J + j, 1.0);
      model.objective[I * J + j] = 100.0;
    }
    model.A.resize(m, n);
    model.A.setFromTriplets(entries.begin(), entries.end());
    model.col_lower = Eigen::VectorXd::Zero(n);
    model.col_upper = Eigen::VectorXd::Constant(n, kInf);
    demand.resize(J);
    for (int j = 0; j < J; ++j) demand[j] = 10.0 + 90.0 * u(rng);
    model.row_lower.resize(m);
    model.row_upper.resize(m);
    for (int i = 0; i < I; ++i) {
      model.row_lower[i] = -kInf;
      model.row_upper[i] = demand.sum() / I * (0.6 + 0.6 * u(rng));
    }
    for (int j = 0; j < J; ++j) model.row_lower[I + j] = demand[j], model.row_upper[I + j] = kInf;
  }

  // Demand rows' lower bounds at d_j (1 + U(-10 %, +10 %)).
  Eigen::VectorXd perturbed_rows(std::mt19937_64& rng) const {
    std::uniform_real_distribution<double> u(-0.1, 0.1);
    Eigen::VectorXd lower = model.row_lower;
    for (int j = 0; j < services; ++j) lower[servers + j] = demand[j] * (1.0 + u(rng));
    return lower;
  }
};

double relative(double a, double b) { return std::abs(a - b) / std::max(1.0, std::abs(b)); }

TEST(LPSolver, WarmEqualsColdAfterEachOf100RandomRightHandSides) {
  const Transport t(12, 40, 7);
  LPSolver warm(t.model);
  ASSERT_EQ(warm.solve().status, SolveStatus::Optimal);
  EXPECT_FALSE(warm.last_solve_warm());
  std::mt19937_64 rng(11);
  std::int64_t warm_iterations = 0, cold_iterations = 0;
  for (int step = 0; step < 100; ++step) {
    warm.set_row_bounds(t.perturbed_rows(rng), t.model.row_upper);
    const SolveResult& r = warm.solve();
    ASSERT_TRUE(warm.last_solve_warm());
    const SolveResult cold = solve(warm.model());
    ASSERT_EQ(r.status, SolveStatus::Optimal) << "step " << step << ": " << r.message;
    ASSERT_EQ(cold.status, SolveStatus::Optimal);
    EXPECT_LT(relative(r.objective, cold.objective), 1e-9) << "step " << step;
    // Every constraint holds at the warm point.
    const Eigen::VectorXd ax = warm.model().A * r.x;
    for (Eigen::Index i = 0; i < ax.size(); ++i) {
      EXPECT_GE(ax[i], warm.model().row_lower[i] - 1e-7) << "step " << step << " row " << i;
      EXPECT_LE(ax[i], warm.model().row_upper[i] + 1e-7) << "step " << step << " row " << i;
    }
    warm_iterations += warm.iterations();
    cold_iterations += cold.iterations;
  }
  // From the previous basis a few pivots do.
  EXPECT_LT(warm_iterations * 5, cold_iterations) << warm_iterations << " vs " << cold_iterations;
  std::printf("warm re-solves: %.1f iterations each, cold solves %.1f\n", warm_iterations / 100.0,
              cold_iterations / 100.0);
}

TEST(LPSolver, ObjectiveAndColumnBoundChangesEqualColdSolves) {
  const Transport t(6, 15, 3);
  LPSolver warm(t.model);
  warm.solve();
  std::mt19937_64 rng(5);
  std::uniform_real_distribution<double> u(0.5, 1.5);
  for (int step = 0; step < 30; ++step) {
    if (step % 3 == 0) {
      Eigen::VectorXd c = warm.model().objective;
      for (Eigen::Index j = 0; j < c.size() - t.services; ++j) c[j] = t.model.objective[j] * u(rng);
      warm.set_objective(c);  // primal simplex from the old basis
    } else if (step % 3 == 1) {
      Eigen::VectorXd upper = t.model.col_upper;
      for (Eigen::Index j = 0; j < upper.size() - t.services; j += 4) upper[j] = 20.0 * u(rng);
      warm.set_col_bounds(t.model.col_lower, upper);  // dual simplex
    } else {
      warm.set_row_bounds(t.perturbed_rows(rng), t.model.row_upper);
      warm.set_objective(t.model.objective);  // both changed: dual simplex
    }
    const SolveResult& r = warm.solve();
    const SolveResult cold = solve(warm.model());
    ASSERT_EQ(r.status, SolveStatus::Optimal) << step << ": " << r.message;
    EXPECT_LT(relative(r.objective, cold.objective), 1e-9) << "step " << step;
  }
}

TEST(LPSolver, InfeasibleAfterAChangeThenFeasibleAgain) {
  LPSolver s(lp_test::two_rows());
  EXPECT_NEAR(s.solve().objective, 1.5, 1e-12);
  // x + y >= 7 with x, y <= 3: infeasible.
  s.set_row_bounds(0, 7, 8);
  EXPECT_EQ(s.solve().status, SolveStatus::Infeasible);
  EXPECT_FALSE(s.last_result().has_solution());
  s.set_row_bounds(0, 2, 4);
  const SolveResult& r = s.solve();
  ASSERT_EQ(r.status, SolveStatus::Optimal) << r.message;
  // By hand: x = y = 1, objective 3, dual of the total row still 3/2.
  EXPECT_NEAR(r.objective, 3.0, 1e-12);
  EXPECT_NEAR(r.row_duals[0], 1.5, 1e-12);
}

// Restored from a checkpoint taken after 10 or 35 changes, a solver pivots exactly as the
// uninterrupted one through 60 changes of every kind (row bounds, column bounds, objective),
// on three transportation LPs: x, duals and iterations equal bit for bit.
TEST(LPSolver, CheckpointRestoreContinuesBitForBit) {
  for (std::uint64_t seed : {21, 22, 23}) {
    const Transport t(8 + int(seed % 3) * 4, 30, seed);
    std::mt19937_64 rng(seed);
    std::uniform_real_distribution<double> u(0.5, 1.5);
    // Change `step`: rows, then columns, then the objective, in turn.
    const auto change = [&](LPSolver& s, int step, std::mt19937_64& r) {
      if (step % 3 == 0) {
        s.set_row_bounds(t.perturbed_rows(r), t.model.row_upper);
      } else if (step % 3 == 1) {
        Eigen::VectorXd upper = t.model.col_upper;
        for (Eigen::Index j = 0; j < upper.size() - t.services; j += 5) upper[j] = 15.0 * u(r);
        s.set_col_bounds(t.model.col_lower, upper);
      } else {
        Eigen::VectorXd c = t.model.objective;
        for (Eigen::Index j = 0; j < c.size() - t.services; ++j) c[j] *= u(r);
        s.set_objective(c);
      }
    };
    LPSolver uninterrupted(t.model);
    uninterrupted.solve();
    std::vector<std::vector<char>> saved;
    std::vector<std::mt19937_64> saved_rng;
    for (int step = 0; step < 60; ++step) {
      if (step == 10 || step == 35) {
        saved.push_back(checkpoint_bytes(uninterrupted));
        saved_rng.push_back(rng);
      }
      change(uninterrupted, step, rng);
      uninterrupted.solve();
    }
    for (std::size_t k = 0; k < saved.size(); ++k) {
      LPSolver restored, reference(t.model);
      load_checkpoint_bytes(saved[k].data(), saved[k].size(), restored);
      EXPECT_TRUE(restored.has_basis());
      // The reference replays the same changes from the start without a checkpoint.
      std::mt19937_64 r1(seed), r2 = saved_rng[k];
      reference.solve();
      const int from = k == 0 ? 10 : 35;
      for (int step = 0; step < from; ++step) change(reference, step, r1), reference.solve();
      for (int step = from; step < 60; ++step) {
        change(reference, step, r1);
        change(restored, step, r2);
        const SolveResult& a = reference.solve();
        const SolveResult& b = restored.solve();
        ASSERT_TRUE(restored.last_solve_warm());
        ASSERT_EQ(a.x, b.x) << "seed " << seed << " from " << from << " step " << step;
        ASSERT_EQ(a.row_duals, b.row_duals) << "seed " << seed << " step " << step;
        ASSERT_EQ(a.objective, b.objective) << "seed " << seed << " step " << step;
        ASSERT_EQ(a.iterations, b.iterations) << "seed " << seed << " step " << step;
      }
      // A checkpoint of the restored solver is the uninterrupted one's, dataset for dataset.
      const auto x = checkpoint_test::snapshot(reference), y = checkpoint_test::snapshot(restored);
      EXPECT_TRUE(x == y) << checkpoint_test::first_difference(x, y);
    }
  }
}

TEST(LPSolver, BadChangesAreRefusedNamingTheRowOrColumn) {
  LPSolver s(lp_test::two_rows());
  EXPECT_NE(error_of([&] { s.set_row_bounds(Eigen::Vector3d(0, 0, 0), Eigen::Vector3d(1, 1, 1)); })
                .find("row bounds have 3 and 3 entries, the model has 2 rows"),
            std::string::npos);
  EXPECT_NE(error_of([&] { s.set_row_bounds(1, 2, 1); }).find("row 'balance' (1): bounds [2, 1]"), std::string::npos);
  EXPECT_NE(error_of([&] { s.set_col_bounds(0, std::nan(""), 1); }).find("column 'x' (0)"), std::string::npos);
  EXPECT_NE(error_of([&] { s.set_col_bounds(5, 0, 1); }).find("column 5 out of range, the model has 2 columns"),
            std::string::npos);
  EXPECT_NE(error_of([&] { s.set_objective(Eigen::Vector2d(1, kInf)); }).find("column 'y' (1) is inf"),
            std::string::npos);
  // A refused vector changes nothing.
  EXPECT_NE(error_of([&] { s.set_row_bounds(Eigen::Vector2d(1, 5), Eigen::Vector2d(4, 0)); }).find("row 'balance'"),
            std::string::npos);
  EXPECT_EQ(s.model().row_lower, Eigen::Vector2d(1, 0));
  LPSolver empty;
  EXPECT_NE(error_of([&] { empty.solve(); }).find("solve before a model was loaded"), std::string::npos);
}

TEST(LPSolver, ACorruptBasisIsRefusedOnLoad) {
  LPSolver s(lp_test::two_rows());
  s.solve();
  const auto path = testing::temp_dir("lp_solver_basis") / "solver.h5";
  write_checkpoint_file(path.string(), s, {});
  // Every variable "at lower bound" (CLP's status 3): no basic variable for 2 rows.
  const std::int64_t at_lower = 3;
  const std::vector<char> fill(reinterpret_cast<const char*>(&at_lower), reinterpret_cast<const char*>(&at_lower) + sizeof at_lower);
  checkpoint_test::doctor(path, [&](hid_t root) { checkpoint_test::replace_dataset(root, "basis", {4}, fill); });
  LPSolver restored;
  const std::string msg = checkpoint_test::any_error_of([&] { load_checkpoint_file(path.string(), restored); });
  EXPECT_NE(msg.find("basis has 0 basic variables, a basis of 2 rows has 2"), std::string::npos) << msg;
  EXPECT_FALSE(restored.has_basis());
}

}  // namespace
}  // namespace streamml
