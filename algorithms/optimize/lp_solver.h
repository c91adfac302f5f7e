// LPSolver: an LP kept alive in CLP between solves, so a changed right-hand side, bound or
// objective is re-solved from the previous optimal basis in a few pivots instead of from
// scratch (what a decision stage does every micro-batch).
//
// The first solve is cold (solve.h: dual simplex after presolve, or the method asked for).
// Then, as COIN-OR's own examples do (Clp/examples/modify.cpp):
//   bounds changed (rows or columns)  -> dual simplex: the old basis stays dual feasible;
//   only the objective changed        -> primal simplex: the old basis stays primal feasible.
// Re-solves run with CLP's startFinishOptions 1|4 (REFERENCES.md): work areas (scaled matrix,
// row copy) are kept from one solve to the next, but not the LU factorization (option 2), and
// the steepest-edge pricing starts afresh, so that a solver restored from a checkpoint (which
// has no factorization and no pricing weights) pivots exactly as the uninterrupted one, bit for
// bit (tests/cpp/test_lp_solver.cpp follows 60 changes of every kind). Keeping the factorization
// and the weights too (options 1|2|4) was measured no faster on the allocation LP (3.65 vs
// 3.8 ms CPU per re-solve at 50 x 200) and loses that.
//
// Checkpointed state (Stateful, type "lp_solver"): the model as it stands (matrix, bounds and
// objective after every change), the basis (CLP's status of each column and row) and the last
// solution, primal and dual.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include <Eigen/Core>

#include "algorithms/optimize/lp_model.h"
#include "algorithms/optimize/solve.h"
#include "core/settings.h"
#include "core/stateful.h"

namespace streamml {

struct LpSolverSettings {
  LpMethod method = LpMethod::Dual;  // the cold solve's
  bool presolve = true;              // the cold solve's (re-solves never presolve)
  double time_limit = 0.0;           // seconds per solve; <= 0: none

  static const SettingsTable<LpSolverSettings>& table();
  void validate() const;
};

class LPSolver : public Stateful {
 public:
  static constexpr const char* kType = "lp_solver";

  explicit LPSolver(LpSolverSettings settings = {});
  // Validates and loads the model (its integrality is ignored: LPSolver solves LPs).
  explicit LPSolver(LpModel model, LpSolverSettings settings = {});
  ~LPSolver() override;
  LPSolver(LPSolver&&) noexcept;
  LPSolver& operator=(LPSolver&&) noexcept;

  // Replaces the model; the next solve is cold.
  void load(LpModel model);
  // The model as it stands, with every bound and objective change applied.
  const LpModel& model() const { return model_; }
  const LpSolverSettings& settings() const { return settings_; }

  // Bound changes: whole vectors, or one row / column. NaN, lower > upper, +inf lower or -inf
  // upper are refused naming the row or column; sizes are checked.
  void set_row_bounds(const Eigen::Ref<const Eigen::VectorXd>& lower, const Eigen::Ref<const Eigen::VectorXd>& upper) {
    set_bounds(Side::Row, lower, upper);
  }
  void set_row_bounds(Eigen::Index row, double lower, double upper) { set_bound(Side::Row, row, lower, upper); }
  void set_col_bounds(const Eigen::Ref<const Eigen::VectorXd>& lower, const Eigen::Ref<const Eigen::VectorXd>& upper) {
    set_bounds(Side::Column, lower, upper);
  }
  void set_col_bounds(Eigen::Index col, double lower, double upper) { set_bound(Side::Column, col, lower, upper); }
  void set_objective(const Eigen::Ref<const Eigen::VectorXd>& c);

  // Solves: cold the first time (and after load), warm afterwards. Infeasible and unbounded
  // are statuses. A warm solve CLP cannot finish cleanly (numerical trouble) is repeated cold.
  const SolveResult& solve();
  const SolveResult& last_result() const { return result_; }
  // Simplex iterations of the last solve.
  std::int64_t iterations() const { return result_.iterations; }
  // Whether the last solve started from a kept basis.
  bool last_solve_warm() const { return last_warm_; }
  // Whether a basis is kept for the next solve.
  bool has_basis() const { return has_basis_; }
  std::int64_t solves() const { return solves_; }

  // Stateful.
  std::string type() const override { return kType; }
  std::string params_json() const override;
  void save_state(StateWriter& out) const override;
  void load_state(const std::string& params, const StateReader& in) override;

 private:
  struct Clp;  // the ClpSimplex and its message handler (lp_solver.cpp)
  enum class Side { Row, Column };

  void set_bounds(Side side, const Eigen::Ref<const Eigen::VectorXd>& lower, const Eigen::Ref<const Eigen::VectorXd>& upper);
  void set_bound(Side side, Eigen::Index i, double lower, double upper);

  void check_loaded(const char* what) const;
  const SolveResult& solve_cold();

  LpSolverSettings settings_;
  LpModel model_;
  std::unique_ptr<Clp> clp_;
  SolveResult result_;
  bool loaded_ = false;
  bool has_basis_ = false;
  bool bounds_changed_ = false;
  bool objective_changed_ = false;
  bool last_warm_ = false;
  std::int64_t solves_ = 0;
};

}  // namespace streamml
