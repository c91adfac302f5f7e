// PartitionMerge: the records of a partitioned stream (a Kafka topic) put in one order that
// depends on the partitions' contents alone, whatever order their messages arrived in — so the
// micro-batches cut from it, and the model learned from them, are the same in a live run, a run
// killed and resumed, and a replay of the recorded topic.
//
// The order is (merge time, topic, partition, offset). A record's merge time is its event time,
// or, when that is earlier than a record before it in its partition (a late record), the
// latest event time its partition had reached: a late record is placed where its partition
// stood. A partition's watermark is the merge time of the last record it delivered; since merge
// times never decrease within a partition, no record still to come from it sorts before its
// watermark. A record is released once every partition that holds the stream has a watermark
// past its merge time, so what is released is final.
//
// Which partitions hold the stream: every Open one, including one that has not delivered yet
// (its watermark is the start of time). One its transport reports Idle (nothing for the idle
// timeout) stops holding it until it delivers again, and a Finished one never holds it. Passing
// an idle partition over is the one place where timing decides: a record it delivers later that
// sorts before what was already released is placed at the release point (and counted as late by
// the batcher), which is reported. Without idle passes the order is exact.
//
// Bad records keep their place in their partition (they count towards the batch they fall in,
// as in a file); they have no event time and take their partition's watermark.
//
// A merge started at a checkpoint's position is given the position's watermark (the latest
// event time before it) as its floor: no record is placed before it, which gives every record
// after the position the merge time it had in the uninterrupted run.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/event_time.h"
#include "streaming/source.h"

namespace streamml {

class PartitionMerge {
 public:
  // start: where the stream is read from (its records counter goes on from there); its
  // watermark, when set, is the floor.
  explicit PartitionMerge(const Position& start);

  // A parsed block in the order the transport handed its chunks; each partition's records come
  // in offset order. Its partition states take effect after its records.
  void push(RecordBlock&& block);
  // The stream ended: every record held is released.
  void finish();
  // The records released so far and not yet taken, in merge order, as one block whose
  // positions are per partition (end_partitions), whose records counter runs over the merged
  // stream (bad records included) and whose merge_times hold each record's merge time;
  // nullopt when there are none.
  std::optional<RecordBlock> pop();
  // Every record with a merge time before it has been released (nullopt: nothing is known yet).
  std::optional<EventTime> frontier() const;

  std::size_t held() const { return held_; }           // records waiting for slower partitions
  std::size_t max_held() const { return max_held_; }
  std::int64_t idle_passes() const { return idle_passes_; }   // times a partition went idle
  std::int64_t placed_at_floor() const { return floored_; }   // records placed later than their time
                                                               // put them (after an idle pass)

 private:
  struct Item {
    std::shared_ptr<const RecordBlock> block;
    std::int32_t row;  // good record's row in the block, or -1 for a bad record
    EventTime key;     // merge time
    std::int64_t offset;
  };
  struct Partition {
    std::string name;
    std::string topic;
    std::int64_t number = 0;
    std::deque<Item> items;
    EventTime watermark = kStartOfTime;
    PartitionState state = PartitionState::Open;
  };
  static constexpr EventTime kStartOfTime = INT64_MIN;
  static constexpr EventTime kEndOfTime = INT64_MAX;

  std::size_t partition_index(const std::string& name);
  void add(std::size_t p, const std::shared_ptr<const RecordBlock>& block, std::int32_t row, EventTime time,
           std::int64_t offset);
  void release(EventTime before);

  std::vector<Partition> partitions_;  // in the order they were first seen
  std::map<std::string, std::size_t> index_;
  std::shared_ptr<const std::vector<std::string>> names_;  // partitions_' names, for released blocks
  std::shared_ptr<const std::vector<std::string>> last_names_;  // the last pushed block's names...
  std::vector<std::size_t> last_map_;                           // ... mapped to partitions_
  EventTime floor_ = kStartOfTime;  // the latest merge time released (or the resumed floor)
  std::int64_t records_ = 0;        // records (good and bad) released, from the start position's
  std::deque<RecordBlock> ready_;
  std::size_t held_ = 0, max_held_ = 0;
  std::int64_t idle_passes_ = 0, floored_ = 0;
};

// Whether a source's records are merged before batching: a partitioned source with event
// times. Without event times (count batching over messages) the records are batched in the
// order they arrive: every message is still learned exactly once across a resume, but the
// batches are the same from run to run only when one partition holds the stream.
bool merges_partitions(const Source& source);

}  // namespace streamml
