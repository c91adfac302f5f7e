// Event time: the watermark of a stream and its late records.
//
// with_watermark(lateness) tracks W = (largest event time seen) - lateness, raised after each
// batch, never lowered. A record of batch b whose event time is below W as it stood after
// batch b-1 is late: it is dropped from the stream and counted, and goes to the side output
// late(). Event-time windows downstream close a window [s, e) once W >= e (after the batch
// that raised W); since every record kept has a time >= the W before its batch, no record ever
// reaches a window already emitted. At the end-of-stream flush W is +infinity.
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>

#include "core/parallel.h"
#include "core/state_io.h"
#include "streaming/dstream/graph.h"

namespace streamml::dstream {

template <class T>
class WatermarkNode : public Node<T> {
 public:
  WatermarkNode(StreamingContext& ctx, Node<T>* parent, Duration lateness)
      : Node<T>(ctx, "with_watermark", {parent}, "\"lateness_us\":" + std::to_string(lateness.micros)),
        parent_(parent) {
    STREAMML_CHECK(lateness.micros >= 0, InvalidInput,
                   "with_watermark: the allowed lateness must be >= 0, got " << lateness.micros << " µs");
    mark_.lateness = lateness.micros;
    this->watermark_ = &mark_;
  }

  // The late records of this batch (after get()).
  const Records<T>& late_records() const { return late_; }
  std::int64_t late_count() const { return late_count_; }
  EventTime value() const { return mark_.value; }

  bool has_state() const override { return true; }
  void save_state(StateWriter& out) const override {
    out.write_int("watermark", mark_.value);
    out.write_int("max_event_time", max_seen_);
    out.write_int("late_records", late_count_);
  }
  void load_state(const StateReader& in) override {
    pending_ = {in.read_int("watermark"), in.read_int("max_event_time"), in.read_int("late_records")};
    loaded_ = true;
  }
  void commit_loaded() override {
    if (!loaded_) return;
    mark_.value = pending_[0];
    max_seen_ = pending_[1];
    late_count_ = pending_[2];
    loaded_ = false;
  }
  void discard_loaded() override { loaded_ = false; }
  void forget() override {
    Node<T>::forget();
    late_.clear();
  }

 protected:
  bool compute(Records<T>& out) override {
    const Records<T>* in = parent_->get();
    if (!in) return false;
    STREAMML_CHECK(in->timed || in->values.empty(), InvalidInput,
                   "with_watermark needs records with event times: batches read with an event-time "
                   "column (--time), or with_event_time(f) upstream");
    out.timed = late_.timed = true;
    const EventTime w = mark_.value;
    // The latest time and the late records, counted over blocks in parallel; the common case
    // (nothing late) is then one copy.
    const std::size_t n = in->size();
    std::vector<EventTime> block_max(block_count(n), Watermark::kNone);
    std::vector<std::size_t> block_late(block_count(n), 0);
    auto scan = [&](std::size_t k, std::size_t begin, std::size_t end) {
      for (std::size_t i = begin; i < end; ++i) {
        block_max[k] = std::max(block_max[k], in->times[i]);
        block_late[k] += in->times[i] < w;
      }
    };
    if (n < 64 * kBlockRows) {  // a few microseconds: not worth waking a thread
      for (std::size_t k = 0; k < block_count(n); ++k) scan(k, k * kBlockRows, std::min(n, (k + 1) * kBlockRows));
    } else {
      for_each_block(n, scan);
    }
    std::size_t late = 0;
    for (std::size_t k = 0; k < block_max.size(); ++k) {
      max_seen_ = std::max(max_seen_, block_max[k]);
      late += block_late[k];
    }
    if (late == 0) {
      out.values = in->values;
      out.times = in->times;
    } else {
      for (std::size_t i = 0; i < n; ++i) {
        Records<T>& to = in->times[i] < w ? late_ : out;
        to.values.push_back(in->values[i]);
        to.times.push_back(in->times[i]);
      }
    }
    late_count_ += std::int64_t(late);
    if (max_seen_ != Watermark::kNone) mark_.value = std::max(mark_.value, max_seen_ - mark_.lateness);
    return true;
  }

 private:
  Node<T>* parent_;
  Watermark mark_;
  EventTime max_seen_ = Watermark::kNone;
  std::int64_t late_count_ = 0;
  Records<T> late_;
  std::array<std::int64_t, 3> pending_{};
  bool loaded_ = false;
};

// The records with_watermark dropped as late, batch by batch.
template <class T>
class LateNode : public Node<T> {
 public:
  LateNode(StreamingContext& ctx, WatermarkNode<T>* parent) : Node<T>(ctx, "late", {parent}), parent_(parent) {}

 protected:
  bool compute(Records<T>& out) override {
    if (!parent_->get()) return false;
    out.timed = true;
    out.values = parent_->late_records().values;
    out.times = parent_->late_records().times;
    return true;
  }

 private:
  WatermarkNode<T>* parent_;
};

}  // namespace streamml::dstream
