#include "algorithms/optimize/solve.h"

#include <cmath>

#include "core/error.h"

namespace streamml {

const char* status_name(SolveStatus status) {
  switch (status) {
    case SolveStatus::Optimal: return "optimal";
    case SolveStatus::Infeasible: return "infeasible";
    case SolveStatus::Unbounded: return "unbounded";
    case SolveStatus::TimeLimit: return "time limit";
    case SolveStatus::IterationLimit: return "iteration limit";
    case SolveStatus::Numerical: return "numerical difficulties";
  }
  return "?";
}

int scipy_status(SolveStatus status) {
  switch (status) {
    case SolveStatus::Optimal: return 0;
    case SolveStatus::TimeLimit:
    case SolveStatus::IterationLimit: return 1;
    case SolveStatus::Infeasible: return 2;
    case SolveStatus::Unbounded: return 3;
    case SolveStatus::Numerical: return 4;
  }
  return 4;
}

void SolveSettings::validate() const {
  STREAMML_CHECK(std::isfinite(time_limit), InvalidInput, "solve: time_limit must be finite (<= 0: none), got " << time_limit);
  STREAMML_CHECK(mip_rel_gap >= 0 && std::isfinite(mip_rel_gap), InvalidInput,
                 "solve: mip_rel_gap must be >= 0, got " << mip_rel_gap);
  STREAMML_CHECK(mip_abs_gap >= 0 && std::isfinite(mip_abs_gap), InvalidInput,
                 "solve: mip_abs_gap must be >= 0, got " << mip_abs_gap);
  STREAMML_CHECK(log_level >= 0, InvalidInput, "solve: log_level must be >= 0, got " << log_level);
}

SolveResult solve(const LpModel& model, const SolveSettings& settings) {
  return model.is_mip() ? solve_mip(model, settings) : solve_lp(model, settings);
}

}  // namespace streamml
