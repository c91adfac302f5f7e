// solve(): CLP for LPs, CBC for MIPs, against published optima and hand-worked duals.
//
// Oracles:
//   - netlib LP library, published optimal objectives (netlib.org/lp/data/readme):
//     AFIRO -4.6475314286E+02, BRANDY 1.5185098965E+03, E226 -1.8751929066E+01,
//     FINNIS 1.7279106559E+05. E226's objective row has the right-hand side -7.113, which by
//     the MPS convention adds the constant +7.113 to the objective; netlib's figure leaves it
//     out, so c·x is compared (HiGHS and CPLEX report -11.6389290660 with the constant).
//   - MIPLIB 3 optimal values (miplib.zib.de, miplib3 "miplib.cat"): p0033 3089, p0201 7615,
//     p0548 8691, lseu 1120.
//   - hand-worked duals of a two-row LP (below).
// The model files are CoinUtils' sample data (Debian coinor-libcoinutils-dev,
// /usr/share/coin/Data/Sample), which ship these netlib and MIPLIB problems unchanged.
// SciPy (HiGHS) comparisons on random models are in tests/python/test_optimize.py.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>

#include "algorithms/optimize/lp_model.h"
#include "algorithms/optimize/model_io.h"
#include "algorithms/optimize/solve.h"
#include "lp_test_util.h"
#include "test_helpers.h"

namespace streamml {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

using lp_test::sample;
using lp_test::two_rows;

double relative(double got, double expected) { return std::abs(got - expected) / std::max(1.0, std::abs(expected)); }

struct Published {
  const char* file;
  double optimum;
};

TEST(Solve, NetlibOptimaWithEveryLpMethod) {
  const Published problems[] = {{"afiro.mps", -4.6475314286E+02},
                                {"brandy.mps", 1.5185098965E+03},
                                {"e226.mps", -1.8751929066E+01},
                                {"finnis.mps", 1.7279106559E+05}};
  for (const auto& p : problems) {
    const LpModel m = read_mps(sample(p.file));
    for (LpMethod method : {LpMethod::Dual, LpMethod::Primal, LpMethod::Barrier}) {
      for (bool presolve : {true, false}) {
        SolveSettings s;
        s.method = method;
        s.presolve = presolve;
        const SolveResult r = solve(m, s);
        ASSERT_EQ(r.status, SolveStatus::Optimal) << p.file << " " << r.message;
        EXPECT_LT(relative(r.objective - m.objective_offset, p.optimum), 1e-6)
            << p.file << " method " << int(method) << " presolve " << presolve << ": " << r.objective;
        // The solution is feasible and its objective is c·x + offset.
        EXPECT_NEAR(r.objective, m.objective.dot(r.x) + m.objective_offset, 1e-9 * std::max(1.0, std::abs(r.objective)));
        EXPECT_LE(((m.A * r.x) - r.row_activity).cwiseAbs().maxCoeff(), 1e-9 * std::max(1.0, r.row_activity.cwiseAbs().maxCoeff()));
        // Strong duality: c·x = bᵀy + (bound terms) is checked through the reduced costs:
        // d = c - Aᵀy.
        const Eigen::VectorXd d = m.objective - m.A.transpose() * r.row_duals;
        EXPECT_LE((d - r.reduced_costs).cwiseAbs().maxCoeff(), 1e-7 * std::max(1.0, m.objective.cwiseAbs().maxCoeff()))
            << p.file;
      }
    }
  }
  // E226's constant, as HiGHS reports the objective.
  const SolveResult e226 = solve(read_mps(sample("e226.mps")));
  EXPECT_LT(relative(e226.objective, -11.638929066), 1e-6);
}

TEST(Solve, MiplibOptimaWithCbc) {
  const Published problems[] = {{"p0033.mps", 3089}, {"p0201.mps", 7615}, {"p0548.mps", 8691}, {"lseu.mps", 1120}};
  for (const auto& p : problems) {
    const LpModel m = read_mps(sample(p.file));
    ASSERT_TRUE(m.is_mip()) << p.file;
    SolveSettings s;
    s.mip_rel_gap = 0;
    const SolveResult r = solve(m, s);
    ASSERT_EQ(r.status, SolveStatus::Optimal) << p.file << " " << r.message;
    EXPECT_TRUE(r.mip);
    EXPECT_LT(relative(r.objective, p.optimum), 1e-9) << p.file << ": " << r.objective;
    EXPECT_LE(r.best_bound, r.objective + 1e-9) << p.file;
    EXPECT_LT(r.gap, 1e-6) << p.file;
    for (Eigen::Index j = 0; j < m.cols(); ++j)
      if (m.integrality[std::size_t(j)]) {
        ASSERT_EQ(r.x[j], std::round(r.x[j])) << p.file << " column " << j;
      }
    // The LP relaxation is a lower bound (and for these problems a strict one).
    const SolveResult relaxed = solve_lp(m);
    ASSERT_EQ(relaxed.status, SolveStatus::Optimal);
    EXPECT_LT(relaxed.objective, r.objective - 1e-6) << p.file;
  }
}

TEST(Solve, MipIsDeterministic) {
  const LpModel m = read_mps(sample("lseu.mps"));
  const SolveResult a = solve(m), b = solve(m);
  EXPECT_EQ(a.x, b.x);
  EXPECT_EQ(a.nodes, b.nodes);
  EXPECT_EQ(a.iterations, b.iterations);
}

// two_rows() (lp_test_util.h) has its solution and duals worked by hand.
TEST(Solve, DualsAndReducedCostsByHand) {
  for (LpMethod method : {LpMethod::Dual, LpMethod::Primal, LpMethod::Barrier}) {
    SolveSettings s;
    s.method = method;
    const SolveResult r = solve(two_rows(), s);
    ASSERT_EQ(r.status, SolveStatus::Optimal);
    EXPECT_NEAR(r.objective, 1.5, 1e-12);
    EXPECT_NEAR(r.x[0], 0.5, 1e-12);
    EXPECT_NEAR(r.x[1], 0.5, 1e-12);
    EXPECT_NEAR(r.row_duals[0], 1.5, 1e-12);
    EXPECT_NEAR(r.row_duals[1], -0.5, 1e-12);
    EXPECT_NEAR(r.reduced_costs[0], 0.0, 1e-12);
    EXPECT_NEAR(r.reduced_costs[1], 0.0, 1e-12);
    EXPECT_NEAR(r.row_activity[0], 1.0, 1e-12);
  }
  // A column at its upper bound has a negative reduced cost: min -x - y, x + y <= 4 ... with
  // y <= 1: x = 3 (upper), y = 1 (upper), row slack 0; by hand y_row = 0 and d = c = (-1, -1).
  LpModel m = two_rows();
  m.objective = Eigen::Vector2d(-1, -1);
  m.A.coeffRef(1, 1) = 0.0;
  m.row_lower[1] = -kInf;
  m.row_upper[1] = kInf;
  m.col_upper[1] = 1;
  const SolveResult r = solve(m);
  ASSERT_EQ(r.status, SolveStatus::Optimal);
  EXPECT_NEAR(r.objective, -4.0, 1e-12);
  EXPECT_NEAR(r.row_duals[0] + r.reduced_costs[0], -1.0, 1e-12);
  EXPECT_LE(r.reduced_costs[1], 0.0);
}

TEST(Solve, InfeasibleAndUnboundedAreStatuses) {
  // x + y <= -1 with x, y >= 0: infeasible. min -x - y with x - y <= 1: unbounded.
  LpModel infeasible;
  infeasible.A = sparse_from_dense(Eigen::RowVector2d(1, 1));
  infeasible.objective = Eigen::Vector2d(1, 1);
  infeasible.col_lower = Eigen::Vector2d::Zero();
  infeasible.col_upper = Eigen::Vector2d::Constant(kInf);
  infeasible.row_lower = Eigen::VectorXd::Constant(1, -kInf);
  infeasible.row_upper = Eigen::VectorXd::Constant(1, -1);
  LpModel unbounded = infeasible;
  unbounded.A = sparse_from_dense(Eigen::RowVector2d(1, -1));
  unbounded.objective = Eigen::Vector2d(-1, -1);
  unbounded.row_upper[0] = 1;
  for (bool integer : {false, true}) {
    for (LpMethod method : {LpMethod::Dual, LpMethod::Primal, LpMethod::Barrier}) {
      for (bool presolve : {true, false}) {
        SolveSettings s;
        s.method = method;
        s.presolve = presolve;
        LpModel a = infeasible, b = unbounded;
        if (integer) a.integrality = b.integrality = {1, 1};
        const SolveResult ra = solve(a, s), rb = solve(b, s);
        EXPECT_EQ(ra.status, SolveStatus::Infeasible) << ra.message;
        EXPECT_EQ(scipy_status(ra.status), 2);
        EXPECT_FALSE(ra.has_solution());
        EXPECT_TRUE(std::isnan(ra.objective));
        EXPECT_EQ(rb.status, SolveStatus::Unbounded) << rb.message << " integer " << integer << " method " << int(method) << " presolve " << presolve << " x " << rb.x.transpose();
        EXPECT_EQ(scipy_status(rb.status), 3);
        EXPECT_NE(rb.message.find("unbounded"), std::string::npos);
      }
    }
  }
}

TEST(Solve, AModelWithoutRowsOrIntegersLeftAfterPreprocessing) {
  // exmip1: CBC's preprocessing fixes both binaries, solves what is left as an LP and records no
  // incumbent; the point still comes back, and equals the LP relaxation's optimum
  // 3.236842105 (x = (2.5, ..)), since the relaxation is integral there.
  const LpModel m = read_mps(sample("exmip1.mps"));
  const SolveResult r = solve(m);
  ASSERT_EQ(r.status, SolveStatus::Optimal) << r.message;
  EXPECT_NEAR(r.objective, solve_lp(m).objective, 1e-9);
  EXPECT_NEAR(r.objective, 3.2368421053, 1e-9);
}

TEST(Solve, TimeLimitIsAStatusWithTheBestPointSoFar) {
  // lseu is not solved at the root: a limit of a millisecond stops CBC in its search.
  const LpModel m = read_mps(sample("lseu.mps"));
  SolveSettings s;
  s.time_limit = 1e-3;
  s.mip_rel_gap = 0;
  const SolveResult r = solve(m, s);
  EXPECT_EQ(r.status, SolveStatus::TimeLimit) << r.message;
  EXPECT_EQ(scipy_status(r.status), 1);
  if (r.has_solution()) {
    EXPECT_GE(r.objective, 1120 - 1e-9);
    EXPECT_LE(r.best_bound, 1120 + 1e-9);
  }
}

TEST(Solve, SettingsAreChecked) {
  SolveSettings s;
  s.mip_rel_gap = -1;
  EXPECT_NE(testing::error_of([&] { solve(two_rows(), s); }).find("mip_rel_gap must be >= 0"), std::string::npos);
}

}  // namespace
}  // namespace streamml
