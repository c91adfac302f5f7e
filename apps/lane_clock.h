// LaneClock: one micro-batch clock for several pipelines ("lanes") that run side by side, one
// per stream, batched on the same event-time grid (BatchingSettings::origin and interval), so
// their batch k covers the same interval of event time.
//
// Each lane ends every batch at the clock (its last stage, clock_stage): a lane that has
// finished batch k waits there until every lane still running has finished batch k too, so
// no lane runs ahead of the others by more than the batch in hand, as in a single process
// whose one clock ticks for every stream. A tick is complete when the slowest lane finishes
// it; the lane that completes it calls on_tick (outside the lock) with what each lane last
// reported. A lane that ends leaves the clock, and is waited for no more; one that fails
// aborts it, stopping the others.
//
// After a resume the lanes may stand at different batches (each resumes from its own newest
// checkpoint): a lane waits only for lanes behind it, so the ones behind catch up first.
// Lanes run on their own threads, each pipeline in its own task arena, so a lane blocked at
// the clock never holds a thread another lane's tasks need.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "core/batch.h"
#include "streaming/stage.h"

namespace streamml {

// What a lane reports at the clock after each batch.
struct LaneTick {
  std::int64_t batch = -1;    // the last batch it finished
  std::int64_t records = 0;   // records it has delivered so far, in this run
  std::int64_t offset = 0;    // its source position's offset (bytes of a file)
  std::string progress;       // its stages' progress ("auc 0.81")
};

class LaneClock {
 public:
  using TickFn = std::function<void(std::int64_t tick, const std::vector<LaneTick>& lanes)>;
  explicit LaneClock(std::size_t lanes, TickFn on_tick = {});

  // Lane `lane` finished a batch: waits until every lane still running has finished it.
  void arrive(std::size_t lane, const LaneTick& tick);
  // The lane ended: no longer waited for.
  void leave(std::size_t lane);
  // A lane failed: every arrive from now on throws Error(Runtime) naming it, so the other
  // lanes stop at their next batch instead of running on alone.
  void abort(const std::string& lane);
  // The lane that aborted first ("" when none did).
  std::string aborted_by() const;
  std::vector<LaneTick> lanes() const;

 private:
  bool complete(std::int64_t batch) const;  // under the lock

  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<LaneTick> lanes_;
  std::vector<bool> running_;
  std::int64_t ticked_ = -1;  // the last tick on_tick was called for
  std::string aborted_by_;
  TickFn on_tick_;
};

// The stage a lane ends with: reports the batch (with the lane's other stages' progress) and
// waits at the clock. Stateless: the clock holds nothing a checkpoint needs.
std::unique_ptr<Stage> clock_stage(LaneClock& clock, std::size_t lane, std::vector<const Stage*> progress_of);

}  // namespace streamml
