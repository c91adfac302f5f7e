// Between LpModel and COIN-OR's types. Internal to algorithms/optimize: only .cpp files
// include it, so COIN-OR's headers stay out of every public header (and out of the bindings).
#pragma once

#include <cmath>
#include <deque>
#include <limits>
#include <string>

#include <CoinFinite.hpp>
#include <CoinMessageHandler.hpp>
#include <CoinPackedMatrix.hpp>

#include "algorithms/optimize/lp_model.h"
#include "algorithms/optimize/solve.h"

class ClpSimplex;

namespace streamml::coin {

// COIN-OR's infinity is COIN_DBL_MAX (CLP also treats anything beyond 1e30 as infinite);
// ours is IEEE infinity.
inline double to_coin(double bound) {
  return std::isinf(bound) ? (bound > 0 ? COIN_DBL_MAX : -COIN_DBL_MAX) : bound;
}
inline double from_coin(double bound, double infinity = 1e30) {
  constexpr double inf = std::numeric_limits<double>::infinity();
  if (bound >= infinity) return inf;
  if (bound <= -infinity) return -inf;
  return bound;
}

// A message handler that prints nothing and keeps the last messages, so an error can quote
// what COIN-OR said (readers report bad cards through their handler, not through a return).
class QuietHandler : public CoinMessageHandler {
 public:
  explicit QuietHandler(int log_level = 1) { setLogLevel(log_level); }
  int print() override;
  CoinMessageHandler* clone() const override { return new QuietHandler(*this); }
  // The kept messages, one a line ("" when none).
  std::string last_messages() const;

 private:
  std::deque<std::string> kept_;
};

// A's columns as a column-ordered CoinPackedMatrix (copied: COIN-OR owns its arrays).
CoinPackedMatrix to_packed(const SparseColMatrix& a);
// Back: any packed matrix (row- or column-ordered, with gaps) as CSC.
SparseColMatrix from_packed(const CoinPackedMatrix& m);

// Loads the model's matrix, bounds and objective into `clp` (its offset is left out: solvers
// add LpModel::objective_offset themselves). Names are loaded only when `names` is set.
void load(ClpSimplex& clp, const LpModel& model, bool names = false);

// A solve from scratch with `method`, after CLP's presolve when `presolve`. CLP's barrier
// reports an unbounded LP as optimal at a point of size ~1e20 (its internal bounds on free
// directions); such an answer is checked again with the dual simplex, whose status is kept.
void cold_solve(ClpSimplex& clp, LpMethod method, bool presolve);

// CLP's problem and secondary status as ours, with a message naming both.
SolveStatus clp_status(const ClpSimplex& clp, std::string& message);
// Status, objective (plus `offset`), x, A x, duals, reduced costs and iterations from a solved
// ClpSimplex. Without a solution (infeasible, unbounded, stopped) the vectors stay empty.
SolveResult lp_result(const ClpSimplex& clp, double offset);

}  // namespace streamml::coin
