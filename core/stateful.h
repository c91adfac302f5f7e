// Stateful: anything whose whole state a checkpoint saves and restores — learners, the
// pipeline's evaluating stages, windowed and keyed operators.
//
// The contract (DESIGN.md, "Contracts every learner keeps"): save_state then load_state gives
// an object that predicts identically and, trained on, continues exactly as the saved one
// would have, bit for bit. So the state includes optimizer memory, counters and the state of
// any random-number generator, not only what prediction needs.
#pragma once

#include <string>

namespace streamml {

class StateReader;
class StateWriter;

class Stateful {
 public:
  virtual ~Stateful() = default;

  // The name used on the command line and in checkpoints, e.g. "logreg".
  virtual std::string type() const = 0;
  // Settings as JSON (what a fresh object is rebuilt from).
  virtual std::string params_json() const = 0;
  // Figures worth keeping beside the state (a checkpoint's `metrics` attribute), as JSON.
  virtual std::string metrics_json() const { return "{}"; }
  // The layout of the datasets save_state writes (a checkpoint's `state_version` attribute).
  // A type that changes its layout bumps it and keeps, in load_state, a path for every older
  // one (StateReader::state_version()), without a new checkpoint format.
  virtual std::int64_t state_version() const { return 1; }

  // Writes the whole state as named datasets (see state_io.h).
  virtual void save_state(StateWriter& out) const = 0;
  // Replaces the settings (params, as params_json() wrote them) and the whole state. Checks
  // every dataset's presence, type and shape, and throws Error(InvalidInput) naming the one
  // that does not fit; the object is unchanged when it throws.
  virtual void load_state(const std::string& params, const StateReader& in) = 0;
};

}  // namespace streamml
