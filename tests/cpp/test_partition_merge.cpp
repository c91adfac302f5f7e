// PartitionMerge and the micro-batcher over merged partitions (streaming/partition_merge.h):
// batches that depend on the partitions' contents alone, whatever order the partitions
// delivered in, and a resume from any batch's end that goes on with the same batches.
// Oracle: a brute-force merge written in the test — each record's merge time is the running
// maximum of its partition's event times, all records sorted by (merge time, topic, partition,
// offset), batch b holding the merge times in [origin + b Δ, origin + (b + 1) Δ).
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <tuple>

#include "streaming/batch_reader.h"
#include "streaming/partition_merge.h"
#include "streaming/record_source.h"
#include "streaming/transports/memory_transport.h"

namespace streamml {
namespace {

constexpr EventTime kInterval = 2000;

// Partition p, offset i: x = 1000 p + i at about 1000 i + 37 p us; every 5th record of
// partition 1 is 2.5 ms late, and partition 2 is sparser (3 ms apart).
std::vector<std::vector<MemoryMessage>> messages(std::size_t n = 40) {
  std::vector<std::vector<MemoryMessage>> parts(3);
  for (std::size_t p = 0; p < 3; ++p) {
    const std::size_t count = p == 2 ? n / 3 : n;
    for (std::size_t i = 0; i < count; ++i) {
      EventTime t = EventTime(p == 2 ? 3000 * i : 1000 * i) + EventTime(37 * p);
      if (p == 1 && i % 5 == 4) t -= 2500;
      parts[p].push_back({std::to_string(1000 * p + i), std::nullopt, t});
    }
  }
  return parts;
}

std::unique_ptr<Source> open(std::size_t per_chunk, std::size_t n = 40) {
  FormatOptions o;
  o.header = false;
  o.column_names = {"x"};
  o.schema.features = {"x"};
  o.schema.time = "@timestamp";
  return open_record_source(std::make_unique<MemoryTransport>("clicks", messages(n), per_chunk), FileFormat::Csv, o);
}

struct Cut {
  std::int64_t index;
  std::vector<double> x;
  Position end;
  bool operator==(const Cut& o) const { return index == o.index && x == o.x && end == o.end; }
};

std::vector<Cut> batches(std::unique_ptr<Source> source, BatchingSettings batching) {
  BatchReader reader(std::move(source), batching);
  std::vector<Cut> out;
  while (auto b = reader.next()) out.push_back({b->index, b->features, b->end_position});
  return out;
}

// The brute-force merge: x values per batch index.
std::map<std::int64_t, std::vector<double>> oracle(std::size_t n = 40) {
  std::vector<std::tuple<EventTime, std::size_t, std::size_t, double>> all;
  const auto parts = messages(n);
  for (std::size_t p = 0; p < parts.size(); ++p) {
    EventTime key = INT64_MIN;
    for (std::size_t i = 0; i < parts[p].size(); ++i) {
      key = std::max(key, parts[p][i].timestamp);
      all.emplace_back(key, p, i, std::stod(parts[p][i].value));
    }
  }
  std::sort(all.begin(), all.end());
  const EventTime origin = std::get<0>(all.front()) / kInterval * kInterval;
  std::map<std::int64_t, std::vector<double>> by_batch;
  for (const auto& [key, p, i, x] : all) by_batch[(key - origin) / kInterval].push_back(x);
  return by_batch;
}

TEST(PartitionMerge, EventTimeBatchesEqualTheBruteForceMergeWhateverTheArrivalOrder) {
  const auto expected = oracle();
  std::vector<Cut> first;
  for (std::size_t per_chunk : {1, 3, 7, 100}) {
    SCOPED_TRACE("messages per chunk " + std::to_string(per_chunk));
    const auto got = batches(open(per_chunk), {0, kInterval});
    std::map<std::int64_t, std::vector<double>> by_batch;
    for (const auto& c : got)
      if (!c.x.empty()) by_batch[c.index] = c.x;
    EXPECT_EQ(by_batch, expected);
    // Positions too: each partition's next offset and the watermark after each batch.
    if (first.empty()) first = got;
    EXPECT_EQ(got, first);
  }
  // The last batch ends at every partition's end.
  EXPECT_EQ(first.back().end.partitions,
            (std::map<std::string, std::int64_t>{{"clicks/0", 40}, {"clicks/1", 40}, {"clicks/2", 13}}));
}

TEST(PartitionMerge, CountBatchesOfMergedPartitionsDoNotDependOnTheArrivalOrder) {
  std::vector<double> order;
  for (const auto& [b, x] : oracle()) order.insert(order.end(), x.begin(), x.end());
  std::vector<Cut> first;
  for (std::size_t per_chunk : {1, 4, 100}) {
    const auto got = batches(open(per_chunk), {7, 0});
    std::vector<double> flat;
    for (const auto& c : got) {
      EXPECT_LE(c.x.size(), 7u);
      flat.insert(flat.end(), c.x.begin(), c.x.end());
    }
    EXPECT_EQ(flat, order);
    if (first.empty()) first = got;
    EXPECT_EQ(got, first);
  }
}

// What the pipeline does on resume: a fresh batcher at the checkpoint's position, numbering
// and interval; the merge's floor is the position's watermark.
std::vector<Cut> resumed(std::size_t per_chunk, const Batch& after) {
  auto source = open(per_chunk);
  source->seek(after.end_position);
  MicroBatcher batcher({0, kInterval}, source->position(), after.index + 1, after.interval_end);
  batcher.merge_partitions();
  std::vector<Cut> out;
  auto drain = [&] {
    while (auto b = batcher.pop()) out.push_back({b->index, b->features, b->end_position});
  };
  while (auto chunk = source->read_chunk()) {
    batcher.push(source->parse(std::move(*chunk)));
    drain();
  }
  batcher.finish();
  drain();
  return out;
}

TEST(PartitionMerge, ResumedAtAnyBatchEndTheLaterBatchesAreTheUninterruptedOnes) {
  BatchReader reader(open(3), {0, kInterval});
  std::vector<Batch> all;
  while (auto b = reader.next()) all.push_back(std::move(*b));
  ASSERT_GT(all.size(), 10u);
  for (std::size_t k = 0; k + 1 < all.size(); ++k) {
    SCOPED_TRACE("resumed after batch " + std::to_string(k));
    ASSERT_TRUE(all[k].end_position.watermark.has_value());
    // Another arrival order after the resume than before it.
    const auto rest = resumed(k % 2 ? 1 : 5, all[k]);
    ASSERT_EQ(rest.size(), all.size() - k - 1);
    for (std::size_t j = 0; j < rest.size(); ++j)
      EXPECT_EQ(rest[j], (Cut{all[k + 1 + j].index, all[k + 1 + j].features, all[k + 1 + j].end_position}));
  }
}

// An idle partition stops holding the stream back; what it delivers later that sorts before
// the records already released is placed at the release point, counted and reported.
TEST(PartitionMerge, AnIdlePartitionIsPassedOverAndItsEarlyRecordPlacedAtTheFloor) {
  FormatOptions o;
  o.header = false;
  o.column_names = {"x"};
  o.schema.features = {"x"};
  o.schema.time = "@timestamp";
  std::vector<std::vector<MemoryMessage>> parts(2);
  for (int i = 0; i < 4; ++i) parts[0].push_back({std::to_string(i), std::nullopt, EventTime(100 * i)});
  parts[1].push_back({"50", std::nullopt, EventTime(150)});
  auto source = open_record_source(std::make_unique<MemoryTransport>("t", parts, 4), FileFormat::Csv, o);
  PartitionMerge merge(source->position());

  auto chunk = source->read_chunk();  // partition 0: times 0, 100, 200, 300
  ASSERT_TRUE(chunk);
  merge.push(source->parse(std::move(*chunk)));
  EXPECT_FALSE(merge.pop()) << "partition 1 has not delivered: nothing may be released";
  EXPECT_EQ(merge.held(), 4u);

  Chunk idle;  // the transport's word that partition 1 has been quiet for its idle timeout
  idle.partitions = std::make_shared<const std::vector<std::string>>(std::vector<std::string>{"t/0", "t/1"});
  idle.partition_ends = {-1, -1};
  idle.partition_states = {PartitionState::Open, PartitionState::Idle};
  idle.begin_record = idle.end_record = 4;
  merge.push(source->parse(std::move(idle)));
  auto released = merge.pop();
  ASSERT_TRUE(released);
  // Released up to partition 0's watermark (300, exclusive): times 0, 100, 200.
  EXPECT_EQ(released->records.features, (std::vector<double>{0, 1, 2}));
  EXPECT_EQ(released->merge_times, (std::vector<EventTime>{0, 100, 200}));
  EXPECT_EQ(merge.idle_passes(), 1);

  chunk = source->read_chunk();  // partition 1 wakes with time 150 < 200 released
  ASSERT_TRUE(chunk);
  merge.push(source->parse(std::move(*chunk)));
  merge.finish();
  released = merge.pop();
  ASSERT_TRUE(released);
  EXPECT_EQ(released->records.features, (std::vector<double>{50, 3}));
  EXPECT_EQ(released->merge_times, (std::vector<EventTime>{200, 300}));
  EXPECT_EQ(merge.placed_at_floor(), 1);
  EXPECT_EQ(released->end_record, 5);
}

TEST(PartitionMerge, OnlyPartitionedSourcesWithEventTimesAreMerged) {
  EXPECT_TRUE(merges_partitions(*open(4)));
  FormatOptions o;
  o.header = false;
  o.column_names = {"x"};
  o.schema.features = {"x"};
  auto untimed = open_record_source(std::make_unique<MemoryTransport>("clicks", messages(), 4), FileFormat::Csv, o);
  EXPECT_FALSE(merges_partitions(*untimed));
}

}  // namespace
}  // namespace streamml
