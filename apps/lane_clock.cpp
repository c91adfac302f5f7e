#include "apps/lane_clock.h"

#include "core/error.h"

namespace streamml {

LaneClock::LaneClock(std::size_t lanes, TickFn on_tick)
    : lanes_(lanes), running_(lanes, true), on_tick_(std::move(on_tick)) {
  STREAMML_CHECK(lanes > 0, InvalidInput, "a clock needs at least one lane, got 0");
}

bool LaneClock::complete(std::int64_t batch) const {
  for (std::size_t l = 0; l < lanes_.size(); ++l)
    if (running_[l] && lanes_[l].batch < batch) return false;
  return true;
}

void LaneClock::arrive(std::size_t lane, const LaneTick& tick) {
  std::vector<LaneTick> snapshot;
  std::int64_t fire = -1;
  {
    std::unique_lock<std::mutex> lock(mutex_);
    lanes_.at(lane) = tick;
    changed_.notify_all();
    changed_.wait(lock, [&] { return !aborted_by_.empty() || complete(tick.batch); });
    STREAMML_CHECK(aborted_by_.empty(), Runtime, "stopped at batch " << tick.batch << ": lane '" << aborted_by_ << "' failed");
    if (tick.batch > ticked_) {
      ticked_ = fire = tick.batch;
      if (on_tick_) snapshot = lanes_;
    }
  }
  if (fire >= 0 && on_tick_) on_tick_(fire, snapshot);
}

void LaneClock::leave(std::size_t lane) {
  std::lock_guard<std::mutex> lock(mutex_);
  running_.at(lane) = false;
  changed_.notify_all();
}

void LaneClock::abort(const std::string& lane) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (aborted_by_.empty()) aborted_by_ = lane.empty() ? "?" : lane;
  changed_.notify_all();
}

std::string LaneClock::aborted_by() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return aborted_by_;
}

std::vector<LaneTick> LaneClock::lanes() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return lanes_;
}

namespace {

class ClockStage : public Stage {
 public:
  ClockStage(LaneClock& clock, std::size_t lane, std::vector<const Stage*> progress_of)
      : clock_(clock), lane_(lane), progress_of_(std::move(progress_of)) {}
  std::string name() const override { return "clock"; }
  bool stateless() const override { return true; }
  void process(Batch& batch) override {
    records_ += std::int64_t(batch.rows);
    LaneTick tick;
    tick.batch = batch.index;
    tick.records = records_;
    tick.offset = batch.end_position.offset;
    for (const Stage* s : progress_of_) {
      const std::string p = s->progress();
      if (p.empty()) continue;
      if (!tick.progress.empty()) tick.progress += ", ";
      tick.progress += p;
    }
    clock_.arrive(lane_, tick);
  }

 private:
  LaneClock& clock_;
  std::size_t lane_;
  std::vector<const Stage*> progress_of_;
  std::int64_t records_ = 0;
};

}  // namespace

std::unique_ptr<Stage> clock_stage(LaneClock& clock, std::size_t lane, std::vector<const Stage*> progress_of) {
  return std::make_unique<ClockStage>(clock, lane, std::move(progress_of));
}

}  // namespace streamml
