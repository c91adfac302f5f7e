#include "algorithms/optimize/lp_solver.h"

#include <cmath>
#include <limits>
#include <vector>

#include <ClpSimplex.hpp>
#include <ClpDualRowSteepest.hpp>
#include <ClpPrimalColumnSteepest.hpp>

#include "algorithms/optimize/coin_bridge.h"
#include "core/error.h"
#include "core/state_io.h"

namespace streamml {

namespace {

// CLP's startFinishOptions for re-solves: 1 keep work areas, 4 skip re-initialising what has
// not changed; not 2, reusing the kept factorization (lp_solver.h).
constexpr int kWarmOptions = 1 | 4;
constexpr std::int64_t kStateVersion = 1;

void check_bound(const LpModel& m, bool row, Eigen::Index i, double lo, double up) {
  constexpr double inf = std::numeric_limits<double>::infinity();
  const std::string who = row ? "row " + m.row_label(i) : "column " + m.col_label(i);
  STREAMML_CHECK(!std::isnan(lo) && !std::isnan(up) && lo != inf && up != -inf && lo <= up, InvalidInput,
                 "lp solver: " << who << ": bounds [" << lo << ", " << up
                               << "] are not an interval (NaN, lower > upper, lower +inf or upper -inf)");
}

}  // namespace

struct LPSolver::Clp {
  coin::QuietHandler handler{0};
  ClpSimplex simplex;

  explicit Clp(const LpModel& model) {
    simplex.passInMessageHandler(&handler);
    simplex.setLogLevel(0);
    coin::load(simplex, model);
  }
};

const SettingsTable<LpSolverSettings>& LpSolverSettings::table() {
  static const auto t = SettingsTable<LpSolverSettings>("lp_solver")
      .choice("method", &LpSolverSettings::method,
              {{LpMethod::Dual, "dual"}, {LpMethod::Primal, "primal"}, {LpMethod::Barrier, "barrier"}},
              "algorithm of the cold solve (re-solves are dual after bound changes, primal after objective changes)")
      .flag("presolve", &LpSolverSettings::presolve, "presolve before the cold solve")
      .real("time_limit", &LpSolverSettings::time_limit, "seconds per solve; 0: none", Range::non_negative());
  return t;
}

void LpSolverSettings::validate() const { table().validate(*this); }

LPSolver::LPSolver(LpSolverSettings settings) : settings_(std::move(settings)) { settings_.validate(); }

LPSolver::LPSolver(LpModel model, LpSolverSettings settings) : LPSolver(std::move(settings)) { load(std::move(model)); }

LPSolver::~LPSolver() = default;
LPSolver::LPSolver(LPSolver&&) noexcept = default;
LPSolver& LPSolver::operator=(LPSolver&&) noexcept = default;

void LPSolver::load(LpModel model) {
  model.validate();
  model.A.makeCompressed();
  model.integrality.clear();
  auto clp = std::make_unique<Clp>(model);
  model_ = std::move(model);
  clp_ = std::move(clp);
  result_ = SolveResult{};
  loaded_ = true;
  has_basis_ = bounds_changed_ = objective_changed_ = last_warm_ = false;
}

void LPSolver::check_loaded(const char* what) const {
  STREAMML_CHECK(loaded_, InvalidInput, "lp solver: " << what << " before a model was loaded");
}

// Rows and columns change the same way: checked all first (so a bad vector changes nothing),
// then only the entries that differ are passed to CLP.
void LPSolver::set_bounds(Side side, const Eigen::Ref<const Eigen::VectorXd>& lower,
                          const Eigen::Ref<const Eigen::VectorXd>& upper) {
  const bool row = side == Side::Row;
  check_loaded(row ? "set_row_bounds" : "set_col_bounds");
  const Eigen::Index n = row ? model_.rows() : model_.cols();
  STREAMML_CHECK(lower.size() == n && upper.size() == n, InvalidInput,
                 "lp solver: " << (row ? "row" : "column") << " bounds have " << lower.size() << " and "
                               << upper.size() << " entries, the model has " << n << (row ? " rows" : " columns"));
  for (Eigen::Index i = 0; i < n; ++i) check_bound(model_, row, i, lower[i], upper[i]);
  const Eigen::VectorXd& lo = row ? model_.row_lower : model_.col_lower;
  const Eigen::VectorXd& up = row ? model_.row_upper : model_.col_upper;
  for (Eigen::Index i = 0; i < n; ++i)
    if (lower[i] != lo[i] || upper[i] != up[i]) set_bound(side, i, lower[i], upper[i]);
}

void LPSolver::set_bound(Side side, Eigen::Index i, double lower, double upper) {
  const bool row = side == Side::Row;
  check_loaded(row ? "set_row_bounds" : "set_col_bounds");
  const Eigen::Index n = row ? model_.rows() : model_.cols();
  STREAMML_CHECK(i >= 0 && i < n, InvalidInput,
                 "lp solver: " << (row ? "row " : "column ") << i << " out of range, the model has " << n
                               << (row ? " rows" : " columns"));
  check_bound(model_, row, i, lower, upper);
  (row ? model_.row_lower : model_.col_lower)[i] = lower;
  (row ? model_.row_upper : model_.col_upper)[i] = upper;
  if (row)
    clp_->simplex.setRowBounds(int(i), coin::to_coin(lower), coin::to_coin(upper));
  else
    clp_->simplex.setColumnBounds(int(i), coin::to_coin(lower), coin::to_coin(upper));
  bounds_changed_ = true;
}

void LPSolver::set_objective(const Eigen::Ref<const Eigen::VectorXd>& c) {
  check_loaded("set_objective");
  STREAMML_CHECK(c.size() == model_.cols(), InvalidInput,
                 "lp solver: objective has " << c.size() << " entries, the model has " << model_.cols() << " columns");
  for (Eigen::Index j = 0; j < c.size(); ++j)
    STREAMML_CHECK(std::isfinite(c[j]), InvalidInput,
                   "lp solver: objective coefficient of column " << model_.col_label(j) << " is " << c[j]
                                                                 << ", must be finite");
  for (Eigen::Index j = 0; j < c.size(); ++j)
    if (c[j] != model_.objective[j]) {
      model_.objective[j] = c[j];
      clp_->simplex.setObjectiveCoefficient(int(j), c[j]);
      objective_changed_ = true;
    }
}

const SolveResult& LPSolver::solve_cold() {
  coin::cold_solve(clp_->simplex, settings_.method, settings_.presolve);
  last_warm_ = false;
  return result_ = coin::lp_result(clp_->simplex, model_.objective_offset);
}

const SolveResult& LPSolver::solve() {
  check_loaded("solve");
  ClpSimplex& s = clp_->simplex;
  s.setMaximumSeconds(settings_.time_limit > 0 ? settings_.time_limit : -1.0);
  if (!has_basis_) {
    solve_cold();
  } else {
    // Fresh steepest-edge weights: what a solver restored from a checkpoint starts with.
    ClpDualRowSteepest dual_pricing;
    ClpPrimalColumnSteepest primal_pricing;
    s.setDualRowPivotAlgorithm(dual_pricing);  // CLP keeps a copy
    s.setPrimalColumnPivotAlgorithm(primal_pricing);
    if (bounds_changed_ || !objective_changed_)
      s.dual(0, kWarmOptions);
    else
      s.primal(0, kWarmOptions);
    last_warm_ = true;
    result_ = coin::lp_result(s, model_.objective_offset);
    // Numerical trouble from an old basis: start again from nothing.
    if (result_.status == SolveStatus::Numerical || (result_.status == SolveStatus::Optimal && s.secondaryStatus() != 0)) {
      const std::int64_t warm_iterations = result_.iterations;
      s.allSlackBasis(true);
      solve_cold();
      result_.iterations += warm_iterations;
    }
  }
  has_basis_ = result_.status == SolveStatus::Optimal || result_.status == SolveStatus::Infeasible ||
               result_.status == SolveStatus::Unbounded;
  bounds_changed_ = objective_changed_ = false;
  ++solves_;
  return result_;
}

std::string LPSolver::params_json() const { return LpSolverSettings::table().to_json(settings_); }

void LPSolver::save_state(StateWriter& out) const {
  out.write_int("state_version", kStateVersion);
  out.write_bool("loaded", loaded_);
  out.write_int("solves", solves_);
  if (!loaded_) return;
  StateWriter m = out.group("model");
  save_model(m, model_);
  out.write_bool("has_basis", has_basis_);
  out.write_bool("bounds_changed", bounds_changed_);
  out.write_bool("objective_changed", objective_changed_);
  if (!has_basis_) return;
  const ClpSimplex& s = clp_->simplex;
  const int n = s.numberColumns(), mrows = s.numberRows();
  const unsigned char* status = s.statusArray();
  out.write_ints("basis", std::vector<std::int64_t>(status, status + n + mrows));
  out.write_vector("col_solution", s.primalColumnSolution(), std::size_t(n));
  out.write_vector("row_activity", s.primalRowSolution(), std::size_t(mrows));
  out.write_vector("row_duals", s.dualRowSolution(), std::size_t(mrows));
  out.write_vector("reduced_costs", s.dualColumnSolution(), std::size_t(n));
  out.write_int("last_status", std::int64_t(result_.status));
  out.write_string("last_message", result_.message);
  out.write_int("last_iterations", result_.iterations);
  out.write_double("last_objective", result_.objective);
}

void LPSolver::load_state(const std::string& params, const StateReader& in) {
  LPSolver fresh(LpSolverSettings::table().from_json(params));
  const std::int64_t version = in.read_int("state_version");
  STREAMML_CHECK(version == kStateVersion, InvalidInput,
                 in.where("state_version") << " is " << version << ", this streamml reads version " << kStateVersion);
  fresh.solves_ = in.read_int("solves");
  if (in.read_bool("loaded")) {
    fresh.load(load_model(in.group("model")));
    fresh.bounds_changed_ = in.read_bool("bounds_changed");
    fresh.objective_changed_ = in.read_bool("objective_changed");
    if (in.read_bool("has_basis")) {
      ClpSimplex& s = fresh.clp_->simplex;
      const int n = s.numberColumns(), m = s.numberRows();
      const std::vector<std::int64_t> basis = in.read_ints("basis", n + m);
      std::vector<unsigned char> status(basis.size());
      int basic = 0;
      for (std::size_t k = 0; k < basis.size(); ++k) {
        STREAMML_CHECK(basis[k] >= 0 && basis[k] < 256, InvalidInput,
                       in.where("basis") << "[" << k << "] is " << basis[k] << ", not a CLP status byte");
        status[k] = static_cast<unsigned char>(basis[k]);
        basic += (status[k] & 7) == ClpSimplex::basic;
      }
      STREAMML_CHECK(basic == m, InvalidInput,
                     in.where("basis") << " has " << basic << " basic variables, a basis of " << m << " rows has " << m);
      s.copyinStatus(status.data());
      const auto copy = [&](const char* name, double* into, int size) {
        const Eigen::VectorXd v = in.read_vector(name, size);
        STREAMML_CHECK(v.allFinite(), InvalidInput, in.where(name) << " holds a value that is not finite");
        std::copy(v.data(), v.data() + size, into);
      };
      copy("col_solution", s.primalColumnSolution(), n);
      copy("row_activity", s.primalRowSolution(), m);
      copy("row_duals", s.dualRowSolution(), m);
      copy("reduced_costs", s.dualColumnSolution(), n);
      fresh.has_basis_ = true;
      const std::int64_t last = in.read_int("last_status");
      STREAMML_CHECK(last >= 0 && last <= std::int64_t(SolveStatus::Numerical), InvalidInput,
                     in.where("last_status") << " is " << last << ", not a solve status");
      // The last result as the solver left it: rebuilt from the saved solution.
      SolveResult r;
      r.status = SolveStatus(last);
      r.message = in.read_string("last_message");
      r.iterations = in.read_int("last_iterations");
      if (r.status == SolveStatus::Optimal) {
        r.x = Eigen::Map<const Eigen::VectorXd>(s.primalColumnSolution(), n);
        r.row_activity = Eigen::Map<const Eigen::VectorXd>(s.primalRowSolution(), m);
        r.row_duals = Eigen::Map<const Eigen::VectorXd>(s.dualRowSolution(), m);
        r.reduced_costs = Eigen::Map<const Eigen::VectorXd>(s.dualColumnSolution(), n);
        r.objective = in.read_double("last_objective");
      }
      fresh.result_ = std::move(r);
    }
  }
  *this = std::move(fresh);
}

}  // namespace streamml
