// Pacer: replays a recorded stream at its recorded pace times a factor.
//
// A batch is released when the wall-clock time since the first batch reaches the event time
// it covers since the first batch, divided by the speed: at speed 10, one minute of recorded
// events takes six seconds. The event time a batch covers is Batch::event_time_end().
// Speed 0 means as fast as possible (no waiting).
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>

#include "core/batch.h"

namespace streamml {

class Pacer {
 public:
  explicit Pacer(double speed);  // throws Error(InvalidInput) for a negative or NaN speed
  bool enabled() const { return speed_ > 0; }

  // The wall-clock offset from the first batch at which `batch` is due; nullopt if it has
  // no event time (an empty batch cut by count) or pacing is off.
  std::optional<std::chrono::microseconds> due(const Batch& batch);
  // Sleeps until the batch is due.
  void wait(const Batch& batch);

 private:
  double speed_;
  std::optional<EventTime> origin_;
  std::chrono::steady_clock::time_point start_;
};

}  // namespace streamml
