// solve_mip: CBC run the way the `cbc` program runs a model (solve.h).
#include <algorithm>
#include <chrono>
#include <cmath>
#include <mutex>
#include <sstream>
#include <string>
#include <vector>

#include <CbcModel.hpp>
#include <CbcSolver.hpp>
#include <ClpSimplex.hpp>
#include <CoinError.hpp>
#include <OsiClpSolverInterface.hpp>

#include "algorithms/optimize/coin_bridge.h"
#include "algorithms/optimize/solve.h"
#include "core/error.h"

namespace streamml {

namespace {

std::string number(double x) {
  std::ostringstream os;
  os.precision(17);
  os << x;
  return os.str();
}

// CbcMain1's command line: what the `cbc` program would be given after the model.
std::vector<std::string> cbc_arguments(const SolveSettings& s) {
  std::vector<std::string> args = {"streamml", "-log", std::to_string(s.log_level), "-slogLevel",
                                   std::to_string(s.log_level > 0 ? 1 : 0)};
  // Wall-clock seconds, as SciPy's time_limit (CBC counts CPU seconds by default).
  if (s.time_limit > 0) args.insert(args.end(), {"-timeMode", "elapsed", "-seconds", number(s.time_limit)});
  args.insert(args.end(), {"-ratioGap", number(s.mip_rel_gap), "-allowableGap", number(s.mip_abs_gap)});
  if (!s.presolve) args.insert(args.end(), {"-presolve", "off", "-preprocess", "off"});
  args.insert(args.end(), {"-solve", "-quit"});
  return args;
}

SolveStatus cbc_status(const CbcModel& cbc, std::string& message) {
  const int primary = cbc.status(), secondary = cbc.secondaryStatus();
  SolveStatus status;
  std::string words;
  if (cbc.isProvenOptimal()) {
    status = SolveStatus::Optimal, words = "Optimization terminated successfully.";
  } else if (cbc.isProvenInfeasible() || secondary == 1) {
    status = SolveStatus::Infeasible, words = "The problem is infeasible.";
  } else if (cbc.isContinuousUnbounded() || secondary == 7) {
    status = SolveStatus::Unbounded, words = "The problem is unbounded (its linear relaxation is).";
  } else if (secondary == 4) {
    status = SolveStatus::TimeLimit, words = "Time limit reached.";
  } else if (secondary == 3 || secondary == 8 || secondary == 6) {
    status = SolveStatus::IterationLimit, words = "Node or iteration limit reached.";
  } else {
    status = SolveStatus::Numerical, words = "The solver stopped on numerical difficulties.";
  }
  message = words + " (CBC status " + std::to_string(primary) + ", secondary " + std::to_string(secondary) + ")";
  return status;
}

// Whether x satisfies the model's bounds, rows and integrality to `tol` (scaled by the size of
// the bound).
bool satisfies(const LpModel& m, const Eigen::VectorXd& x, double tol) {
  const auto within = [tol](double v, double lo, double up) {
    return v >= lo - tol * std::max(1.0, std::abs(lo)) && v <= up + tol * std::max(1.0, std::abs(up));
  };
  for (Eigen::Index j = 0; j < x.size(); ++j) {
    if (!within(x[j], m.col_lower[j], m.col_upper[j])) return false;
    if (std::size_t(j) < m.integrality.size() && m.integrality[std::size_t(j)] && std::abs(x[j] - std::round(x[j])) > tol)
      return false;
  }
  const Eigen::VectorXd ax = m.A * x;
  for (Eigen::Index i = 0; i < ax.size(); ++i)
    if (!within(ax[i], m.row_lower[i], m.row_upper[i])) return false;
  return true;
}

}  // namespace

SolveResult solve_mip(const LpModel& model, const SolveSettings& settings) {
  model.validate();
  settings.validate();
  const auto start = std::chrono::steady_clock::now();
  coin::QuietHandler handler(settings.log_level);
  OsiClpSolverInterface solver;
  if (settings.log_level == 0) solver.passInMessageHandler(&handler);
  coin::load(*solver.getModelPtr(), model);
  for (std::size_t j = 0; j < model.integrality.size(); ++j)
    if (model.integrality[j]) solver.setInteger(int(j));

  CbcModel cbc(solver);  // a clone of `solver`: results are read from cbc
  if (settings.log_level == 0) cbc.passInMessageHandler(&handler);
  // CBC 2.10's command-line driver reads its arguments through process-wide state (CoinParam's
  // read position and mode): two solves at once in one process garble each other's arguments
  // ("String of -quit is illegal for integer parameter logLevel", then a failed solve). Seen
  // with two lanes of the decision system solving at the same hour; one driver at a time.
  static std::mutex driver;
  std::lock_guard<std::mutex> one_at_a_time(driver);
  CbcSolverUsefulData data;
  CbcMain0(cbc, data);
  data.noPrinting_ = settings.log_level == 0;
  data.useSignalHandler_ = false;
  const std::vector<std::string> args = cbc_arguments(settings);
  std::vector<const char*> argv;
  for (const auto& a : args) argv.push_back(a.c_str());
  try {
    CbcMain1(int(argv.size()), argv.data(), cbc, nullptr, data);
  } catch (const CoinError& e) {
    STREAMML_FAIL(Runtime, "CBC failed: " << e.className() << "::" << e.methodName() << ": " << e.message());
  }

  SolveResult r;
  r.mip = true;
  r.status = cbc_status(cbc, r.message);
  // CBC 2.10 calls a problem infeasible when its time limit interrupts preprocessing (CglPreProcess
  // returns no model, which CbcMain1 reads as "infeasible or unbounded"). After the limit, an
  // "infeasible" is believed only when the LP relaxation is infeasible too.
  const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (r.status == SolveStatus::Infeasible && settings.time_limit > 0 && elapsed >= settings.time_limit &&
      solve_lp(model, SolveSettings{}).status != SolveStatus::Infeasible) {
    r.status = SolveStatus::TimeLimit;
    r.message = "Time limit reached. (CBC stopped in preprocessing and reported status 0, secondary 1)";
  }
  r.iterations = cbc.getIterationCount();
  r.nodes = cbc.getNodeCount();
  const int n = int(model.cols());
  Eigen::VectorXd point;
  if (cbc.bestSolution() != nullptr && cbc.getSolutionCount() > 0) {
    point = Eigen::Map<const Eigen::VectorXd>(cbc.bestSolution(), n);
  } else if (r.status == SolveStatus::Optimal && cbc.solver()->getColSolution() != nullptr) {
    // When preprocessing leaves no integer column, CBC solves the remaining LP, calls it
    // optimal and records no incumbent: the point is the solver's, checked here.
    Eigen::VectorXd lp = Eigen::Map<const Eigen::VectorXd>(cbc.solver()->getColSolution(), n);
    if (satisfies(model, lp, 1e-6)) point = lp;
  }
  if (point.size() > 0 && r.status != SolveStatus::Infeasible) {
    r.x = point;
    // Integer columns hold integers up to CBC's tolerance; round them so x is exact.
    for (std::size_t j = 0; j < model.integrality.size(); ++j)
      if (model.integrality[j]) r.x[Eigen::Index(j)] = std::round(r.x[Eigen::Index(j)]);
    r.row_activity = model.A * r.x;
    r.objective = model.objective.dot(r.x) + model.objective_offset;
    r.best_bound = std::min(cbc.getBestPossibleObjValue() + model.objective_offset, r.objective);
    const double diff = r.objective - r.best_bound;
    r.gap = diff == 0 ? 0.0 : diff / std::max(std::abs(r.objective), 1e-10);
  } else if (r.status == SolveStatus::Optimal) {
    // "Optimal" without a point would be a contradiction: report what CBC said instead.
    r.status = SolveStatus::Numerical;
    r.message = "CBC finished without a solution. " + r.message;
  }
  return r;
}

}  // namespace streamml
