// solve: one LpModel, solved once. LPs go to COIN-OR CLP, MIPs to CBC.
//
// LP (CLP 1.17): dual simplex by default, primal simplex or barrier (with crossover, so duals
// and a basis come back) on request, after CLP's presolve unless it is turned off. The result
// holds x, the row activities A x, the row duals y and the reduced costs d = c - Aᵀy. Signs
// are SciPy's (HiGHS's): y_i = ∂objective/∂b_i, so a binding "<=" row of a minimisation has
// y_i <= 0; d_j >= 0 at a lower bound, <= 0 at an upper bound.
//
// MIP (CBC 2.10): run as the `cbc` program runs a model (CbcMain0 + CbcMain1 with "-solve"):
// CglPreProcess, CBC's default cut generators (probing, Gomory, knapsack, clique, mixed-integer
// rounding, flow cover, two-step MIR, zero-half) and heuristics (rounding, feasibility pump,
// RINS, greedy, diving, ...), strong branching. Single-threaded, so the same model gives the
// same answer on any machine load (a time limit, when it stops the search, is the exception).
// The search stops at a proven relative gap of mip_rel_gap (HiGHS's and so SciPy's milp
// default, 1e-4) or absolute gap mip_abs_gap. MIP results carry x, the best bound and the gap;
// they have no duals (SciPy's milp has none either).
//
// Infeasible, unbounded and stopped-at-a-limit are statuses, never exceptions; only a model
// that fails LpModel::validate() throws.
#pragma once

#include <cstdint>
#include <limits>
#include <string>

#include <Eigen/Core>

#include "algorithms/optimize/lp_model.h"

namespace streamml {

enum class SolveStatus {
  Optimal,         // proven optimal (MIP: within the gap tolerances)
  Infeasible,      // no point satisfies the constraints (MIP: none with integer values)
  Unbounded,       // feasible points with objective decreasing without bound
  TimeLimit,       // stopped by time_limit; x is the best point found, if any
  IterationLimit,  // stopped by an iteration or node limit
  Numerical,       // the solver gave up on numerical difficulties
};

// "optimal", "infeasible", ...
const char* status_name(SolveStatus status);
// SciPy's linprog / milp status code: 0 optimal, 1 limit reached, 2 infeasible, 3 unbounded,
// 4 numerical difficulties (linprog) / other (milp).
int scipy_status(SolveStatus status);

enum class LpMethod { Dual, Primal, Barrier };

struct SolveSettings {
  LpMethod method = LpMethod::Dual;  // LPs only
  bool presolve = true;
  double time_limit = 0.0;    // seconds; <= 0: none
  double mip_rel_gap = 1e-4;  // stop when (incumbent - bound) <= gap * |incumbent|
  double mip_abs_gap = 1e-9;  // ... or <= this
  int log_level = 0;          // 0: the solvers print nothing; 1+: their own logs on stdout

  void validate() const;  // throws Error(InvalidInput) naming the setting
};

struct SolveResult {
  static constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

  SolveStatus status = SolveStatus::Numerical;
  std::string message;          // the status in words, with the solver's own codes
  bool mip = false;
  double objective = kNaN;      // c·x + offset; NaN without a solution
  Eigen::VectorXd x;            // empty without a solution
  Eigen::VectorXd row_activity; // A x
  Eigen::VectorXd row_duals;    // LP only (empty for MIPs and without a solution)
  Eigen::VectorXd reduced_costs;
  std::int64_t iterations = 0;  // simplex (or barrier) iterations, all nodes for a MIP
  // MIP only.
  double best_bound = kNaN;     // the proven lower bound on the objective
  double gap = kNaN;            // (objective - best_bound) / max(|objective|, 1e-10); 0 when optimal
  std::int64_t nodes = 0;

  bool has_solution() const { return x.size() > 0; }
};

// Validates the model and solves it: CLP when no column is integer, CBC otherwise.
SolveResult solve(const LpModel& model, const SolveSettings& settings = {});
SolveResult solve_lp(const LpModel& model, const SolveSettings& settings = {});
SolveResult solve_mip(const LpModel& model, const SolveSettings& settings = {});

}  // namespace streamml
