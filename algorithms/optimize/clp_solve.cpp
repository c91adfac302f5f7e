// solve_lp: one cold CLP solve (solve.h).
#include <ClpSimplex.hpp>

#include "algorithms/optimize/coin_bridge.h"
#include "algorithms/optimize/solve.h"

namespace streamml {

SolveResult solve_lp(const LpModel& model, const SolveSettings& settings) {
  model.validate();
  settings.validate();
  ClpSimplex clp;
  coin::QuietHandler handler(settings.log_level);
  if (settings.log_level == 0) clp.passInMessageHandler(&handler);
  clp.setLogLevel(settings.log_level);
  coin::load(clp, model);
  if (settings.time_limit > 0) clp.setMaximumSeconds(settings.time_limit);
  coin::cold_solve(clp, settings.method, settings.presolve);
  return coin::lp_result(clp, model.objective_offset);
}

}  // namespace streamml
