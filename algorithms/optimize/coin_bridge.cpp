#include "algorithms/optimize/coin_bridge.h"

#include <type_traits>
#include <vector>

#include <ClpSimplex.hpp>
#include <ClpSolve.hpp>

namespace streamml::coin {

static_assert(std::is_same_v<CoinBigIndex, SparseColMatrix::StorageIndex>,
              "CSC arrays are handed to COIN-OR as they are: its CoinBigIndex must be Eigen's index type");

int QuietHandler::print() {
  constexpr std::size_t kKept = 8;
  kept_.emplace_back(messageBuffer());
  if (kept_.size() > kKept) kept_.pop_front();
  return 0;
}

std::string QuietHandler::last_messages() const {
  std::string out;
  for (const auto& line : kept_) out += (out.empty() ? "" : "\n") + line;
  return out;
}

namespace {
// Compressed CSC of `a` (a copy only when `a` has gaps from insertions).
SparseColMatrix compressed(const SparseColMatrix& a) {
  SparseColMatrix c = a;
  c.makeCompressed();
  return c;
}
}  // namespace

CoinPackedMatrix to_packed(const SparseColMatrix& a) {
  if (!a.isCompressed()) return to_packed(compressed(a));
  std::vector<int> lengths(std::size_t(a.cols()));
  for (Eigen::Index j = 0; j < a.cols(); ++j) lengths[std::size_t(j)] = a.outerIndexPtr()[j + 1] - a.outerIndexPtr()[j];
  return CoinPackedMatrix(true, int(a.rows()), int(a.cols()), CoinBigIndex(a.nonZeros()), a.valuePtr(),
                          a.innerIndexPtr(), a.outerIndexPtr(), lengths.data());
}

SparseColMatrix from_packed(const CoinPackedMatrix& m) {
  std::vector<Eigen::Triplet<double, int>> entries;
  entries.reserve(std::size_t(m.getNumElements()));
  const CoinBigIndex* starts = m.getVectorStarts();
  const int* lengths = m.getVectorLengths();
  const int* index = m.getIndices();
  const double* value = m.getElements();
  for (int major = 0; major < m.getMajorDim(); ++major)
    for (CoinBigIndex k = starts[major]; k < starts[major] + lengths[major]; ++k)
      entries.emplace_back(m.isColOrdered() ? index[k] : major, m.isColOrdered() ? major : index[k], value[k]);
  SparseColMatrix a(m.getNumRows(), m.getNumCols());
  a.setFromTriplets(entries.begin(), entries.end());
  return a;
}

void load(ClpSimplex& clp, const LpModel& model, bool names) {
  const auto bounds = [](const Eigen::VectorXd& v) {
    std::vector<double> out(std::size_t(v.size()));
    for (Eigen::Index i = 0; i < v.size(); ++i) out[std::size_t(i)] = to_coin(v[i]);
    return out;
  };
  const std::vector<double> cl = bounds(model.col_lower), cu = bounds(model.col_upper);
  const std::vector<double> rl = bounds(model.row_lower), ru = bounds(model.row_upper);
  if (model.A.isCompressed())
    clp.loadProblem(int(model.cols()), int(model.rows()), model.A.outerIndexPtr(), model.A.innerIndexPtr(),
                    model.A.valuePtr(), cl.data(), cu.data(), model.objective.data(), rl.data(), ru.data());
  else
    clp.loadProblem(to_packed(model.A), cl.data(), cu.data(), model.objective.data(), rl.data(), ru.data());
  if (names && (!model.row_names.empty() || !model.col_names.empty())) {
    std::vector<std::string> rows = model.row_names, cols = model.col_names;
    if (rows.empty())
      for (Eigen::Index i = 0; i < model.rows(); ++i) rows.push_back("R" + std::to_string(i));
    if (cols.empty())
      for (Eigen::Index j = 0; j < model.cols(); ++j) cols.push_back("C" + std::to_string(j));
    clp.copyNames(rows, cols);
  }
}

void cold_solve(ClpSimplex& clp, LpMethod method, bool presolve) {
  ClpSolve options;
  options.setPresolveType(presolve ? ClpSolve::presolveOn : ClpSolve::presolveOff);
  switch (method) {
    case LpMethod::Dual: options.setSolveType(ClpSolve::useDual); break;
    case LpMethod::Primal: options.setSolveType(ClpSolve::usePrimal); break;
    case LpMethod::Barrier: options.setSolveType(ClpSolve::useBarrier); break;
  }
  clp.initialSolve(options);
  if (method == LpMethod::Barrier && clp.problemStatus() == 0) {
    constexpr double kRunaway = 1e18;
    const Eigen::Map<const Eigen::VectorXd> x(clp.primalColumnSolution(), clp.numberColumns());
    if (x.size() > 0 && !(x.cwiseAbs().maxCoeff() < kRunaway)) {
      clp.allSlackBasis(true);
      cold_solve(clp, LpMethod::Dual, presolve);
    }
  }
}

SolveStatus clp_status(const ClpSimplex& clp, std::string& message) {
  const int primary = clp.problemStatus(), secondary = clp.secondaryStatus();
  SolveStatus status;
  std::string words;
  switch (primary) {
    case 0: status = SolveStatus::Optimal, words = "Optimization terminated successfully."; break;
    case 1: status = SolveStatus::Infeasible, words = "The problem is infeasible."; break;
    case 2: status = SolveStatus::Unbounded, words = "The problem is unbounded."; break;
    case 3:
      if (secondary == 9)
        status = SolveStatus::TimeLimit, words = "Time limit reached.";
      else
        status = SolveStatus::IterationLimit, words = "Iteration limit reached.";
      break;
    default: status = SolveStatus::Numerical, words = "The solver stopped on numerical difficulties."; break;
  }
  message = words + " (CLP status " + std::to_string(primary) + ", secondary " + std::to_string(secondary) + ")";
  return status;
}

SolveResult lp_result(const ClpSimplex& clp, double offset) {
  SolveResult r;
  r.status = clp_status(clp, r.message);
  r.iterations = clp.numberIterations();
  if (r.status != SolveStatus::Optimal) return r;
  const int m = clp.numberRows(), n = clp.numberColumns();
  r.objective = clp.objectiveValue() + offset;
  r.x = Eigen::Map<const Eigen::VectorXd>(clp.primalColumnSolution(), n);
  r.row_activity = Eigen::Map<const Eigen::VectorXd>(clp.primalRowSolution(), m);
  r.row_duals = Eigen::Map<const Eigen::VectorXd>(clp.dualRowSolution(), m);
  r.reduced_costs = Eigen::Map<const Eigen::VectorXd>(clp.dualColumnSolution(), n);
  return r;
}

}  // namespace streamml::coin
