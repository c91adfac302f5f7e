#include "streaming/pacer.h"

#include <algorithm>
#include <cmath>
#include <thread>

#include "core/error.h"

namespace streamml {

Pacer::Pacer(double speed) : speed_(speed) {
  STREAMML_CHECK(std::isfinite(speed) && speed >= 0, InvalidInput,
                 "speed must be a finite number >= 0 (0: as fast as possible), got " << speed);
}

std::optional<std::chrono::microseconds> Pacer::due(const Batch& batch) {
  if (!enabled()) return std::nullopt;
  const auto t = batch.event_time_end();
  if (!t) return std::nullopt;
  if (!origin_) {
    origin_ = *t;
    start_ = std::chrono::steady_clock::now();
  }
  // Out-of-order data can put a batch before the origin: it is due at once.
  const double offset = std::max(0.0, double(*t - *origin_) / speed_);
  return std::chrono::microseconds(std::int64_t(std::llround(offset)));
}

void Pacer::wait(const Batch& batch) {
  if (const auto offset = due(batch)) std::this_thread::sleep_until(start_ + *offset);
}

}  // namespace streamml
