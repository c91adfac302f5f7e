// MicroBatcher: cuts the stream of parsed records into micro-batches.
//
// By record count (every `batch_size` good records) or by event-time interval (batch k covers
// [t0 + k*interval, t0 + (k+1)*interval), t0 the first record's time floored to a multiple of
// the interval, as Spark aligns batch times, or a given origin). Boundaries depend only on the records, never on
// timing or thread count. Rules for time batches:
//  - a batch closes when a record at or past its end arrives; intervals with no records
//    become empty batches (windows by batch count need them, as Spark emits them);
//  - a record earlier than the open batch's start (out of order) joins the open batch and is
//    counted as late: batches never reopen.
// A batch's end_position is the position just after its last record; bad records between
// two batches belong to the later one (Batch::skipped_records), those at the very end to the
// last batch, which may then be empty. So seeking to any batch's end position and reading on
// yields every later record exactly once.
//
// A partitioned stream whose messages arrive in an order that differs between runs (Kafka) is
// first put in merge order (merge_partitions(), streaming/partition_merge.h); under event-time
// batching a batch [t, t + interval) is then cut as soon as every partition holding the stream
// has passed t + interval, and the batches are a function of the partitions' contents alone.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "core/batch.h"
#include "streaming/partition_merge.h"
#include "streaming/source.h"

namespace streamml {

struct BatchingSettings {
  std::size_t batch_size = 1000;   // records per batch when batching by count
  std::int64_t interval_us = 0;    // > 0: batch by event-time interval instead (microseconds)
  // Time batches: where batch 0 starts, so several streams batched on one clock cut the same
  // intervals under the same indices. Default: the first record's time floored to the interval.
  std::optional<EventTime> origin;

  void validate() const;
};

class MicroBatcher {
 public:
  // first_index: index of the first batch (resume continues the numbering); start: the
  // position the stream is read from (resume: the checkpoint's); interval_start: under
  // event-time batching, where the first batch starts (resume: the end of the checkpoint's
  // batch, so the resumed stream is cut on the same grid; default: the first record's time
  // floored to a multiple of the interval).
  MicroBatcher(BatchingSettings settings, Position start, std::int64_t first_index = 0,
               std::optional<EventTime> interval_start = std::nullopt);

  // Puts the records of a partitioned stream in merge order before cutting them (records with
  // event times; the start position's watermark is the merge's floor). Call before the first push.
  void merge_partitions();
  // Adds a parsed block; the blocks must come in stream order (merged: each partition's records
  // in offset order, whatever the order of the partitions).
  void push(RecordBlock&& block);
  // The stream ended: the open batch (if any) completes.
  void finish();
  // The next completed batch, in order.
  std::optional<Batch> pop();

  std::int64_t late_records() const { return late_; }
  const PartitionMerge* merge() const { return merge_.get(); }
  std::int64_t batches_emitted() const { return next_index_ - first_index_; }

 private:
  // Intervals with no records, kept as one entry so a long gap costs no memory until popped.
  struct EmptyRun {
    std::int64_t first_index;
    std::int64_t count;
    EventTime first_start;
    Position position;
  };

  void cut(RecordBlock&& block);
  // No record earlier than t is to come: the batches whose interval ends by t close.
  void advance_time(EventTime t);
  void open_batch(const Batch& like);
  void close_open_batch(const Position& end);
  void take_rows(const RecordBlock& block, std::size_t begin, std::size_t end);
  void advance(Position& p, const RecordBlock& block, std::size_t begin, std::size_t end);

  BatchingSettings settings_;
  Position last_end_;             // the position just after the last good record taken
  Position stream_end_;           // the position just after everything pushed
  std::int64_t first_index_;
  std::int64_t next_index_;
  std::int64_t consumed_records_; // records (good and bad) accounted to a batch so far
  std::int64_t pending_bad_ = 0;  // bad records after the last good one, not yet in a batch
  std::optional<Batch> open_;     // the batch being filled
  std::optional<Batch> layout_;   // an empty batch with the stream's columns
  bool have_origin_ = false;
  EventTime open_start_ = 0;      // time batches: the open interval's start
  std::int64_t late_ = 0;
  std::deque<std::variant<Batch, EmptyRun>> ready_;
  std::vector<std::int64_t> last_row_;  // advance()'s scratch: the last row per partition
  std::unique_ptr<PartitionMerge> merge_;
};

}  // namespace streamml
