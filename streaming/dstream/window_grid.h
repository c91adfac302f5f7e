// WindowGrid: which windows a windowed operator emits after each batch — the part of every
// window that does not depend on the record type.
//
// Records go into panes; a window is `panes()` consecutive panes, named by its first.
//   By batch count (window(Batches length, Batches slide)): a pane per batch (its index).
//     After batch b with (b + 1) % slide == 0 the window of batches [b - length + 1, b] is
//     emitted (shorter at the start of the stream, as in Spark); between slides the stream
//     has no batch. Nothing is emitted at the end-of-stream flush.
//   By event time (window(Duration length, Duration slide)): pane p holds the records with
//     event times in [p * slide, (p + 1) * slide); window s covers [s * slide, s * slide +
//     length). After each batch, every window that ends at or before the watermark, holds at
//     least one record and was not emitted yet is emitted, oldest first; at the end-of-stream
//     flush, every remaining window with a record.
// slide must divide length; both must be > 0.
#pragma once

#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "streaming/dstream/graph.h"
#include "streaming/dstream/records.h"

namespace streamml::dstream {

class WindowGrid {
 public:
  WindowGrid(const char* op, Batches length, Batches slide);
  WindowGrid(const char* op, Duration length, Duration slide);

  bool by_time() const { return by_time_; }
  std::int64_t panes() const { return panes_; }
  // By event time: the pane of a record.
  std::int64_t pane_of(EventTime t) const {
    const std::int64_t q = t / slide_;
    return (t % slide_ != 0 && t < 0) ? q - 1 : q;  // floor
  }
  // By event time: the window starting at pane `first`.
  Window window(std::int64_t first) const { return {first * slide_, first * slide_ + length_}; }
  // By event time: a record went into `pane`.
  void note(std::int64_t pane) { nonempty_.insert(pane); }
  // The windows to emit after this batch (their first panes, oldest first). By event time,
  // `watermark` is the stream's (required).
  std::vector<std::int64_t> due(const BatchInfo& info, const Watermark* watermark);
  // The first pane of the next window to emit: panes before it are only needed by a running
  // (incremental) window.
  std::int64_t next_start() const { return next_start_; }
  void forget_before(std::int64_t pane);
  // `"length":..,"slide":..,"unit":"batches"|"us"`, for the graph's description.
  std::string settings() const;

  void save(StateWriter& out) const;
  // A copy of this grid with the saved state (checked against its settings).
  WindowGrid loaded(const StateReader& in) const;

 private:
  bool by_time_;
  std::int64_t length_, slide_, panes_;
  std::int64_t next_start_;
  std::set<std::int64_t> nonempty_;  // by event time: panes holding records
};

}  // namespace streamml::dstream
