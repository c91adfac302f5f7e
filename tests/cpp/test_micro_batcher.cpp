// MicroBatcher boundaries, positions and bad-record attribution; every expected value is
// worked out by hand in the comment beside it.
#include <gtest/gtest.h>

#include <algorithm>

#include "core/error.h"
#include "streaming/batch_reader.h"
#include "streaming/memory_source.h"
#include "streaming/micro_batcher.h"
#include "test_helpers.h"

namespace streamml {
namespace {

using testing::make_records;

std::vector<Batch> read_all(Batch data, BatchingSettings settings, std::size_t chunk_rows) {
  BatchReader reader(std::make_unique<MemorySource>(std::move(data), chunk_rows), settings);
  std::vector<Batch> out;
  while (auto b = reader.next()) out.push_back(std::move(*b));
  return out;
}

TEST(MicroBatcher, CountBoundariesIgnoreChunking) {
  // 10 records, batches of 4: [0..3] [4..7] [8..9]; the same for chunks of 1, 3 and 100 rows.
  for (std::size_t chunk : {1, 3, 100}) {
    auto batches = read_all(make_records(10), {4, 0}, chunk);
    ASSERT_EQ(batches.size(), 3u) << "chunk " << chunk;
    EXPECT_EQ(batches[0].rows, 4u);
    EXPECT_EQ(batches[1].rows, 4u);
    EXPECT_EQ(batches[2].rows, 2u);
    EXPECT_EQ(batches[1].index, 1);
    EXPECT_DOUBLE_EQ(batches[1].dense()(0, 0), 4.0);   // record 4's first feature is 4
    EXPECT_DOUBLE_EQ(batches[2].dense()(1, 1), 90.0);  // record 9's second feature is 10*9
    EXPECT_EQ(batches[0].end_position.offset, 4);       // after record 3 -> 4 rows consumed
    EXPECT_EQ(batches[2].end_position.offset, 10);
    EXPECT_EQ(batches[2].labels, (std::vector<double>{0.0, 1.0}));  // 8 % 2, 9 % 2
  }
}

TEST(MicroBatcher, ExactMultipleLeavesNoEmptyTail) {
  // 8 records in batches of 4: exactly two batches, no trailing empty one.
  auto batches = read_all(make_records(8), {4, 0}, 3);
  ASSERT_EQ(batches.size(), 2u);
  EXPECT_EQ(batches[1].rows, 4u);
}

TEST(MicroBatcher, AnOriginPutsBatchZeroWhereTheClockStarts) {
  // Interval 1 s, origin 8 s (a clock shared with other streams). Times 10.2, 10.7, 11.0: the
  // batches are [8,9) empty, [9,10) empty, [10,11) 2 records, [11,12) 1, indices 0..3.
  BatchingSettings settings{0, 1'000'000};
  settings.origin = 8 * kMicrosPerSecond;
  auto batches = read_all(make_records(3, {10.2, 10.7, 11.0}), settings, 2);
  ASSERT_EQ(batches.size(), 4u);
  const std::vector<std::size_t> sizes{0, 0, 2, 1};
  for (std::size_t i = 0; i < 4; ++i) {
    EXPECT_EQ(batches[i].rows, sizes[i]) << "batch " << i;
    EXPECT_EQ(batches[i].index, std::int64_t(i));
    EXPECT_EQ(batches[i].interval_start, EventTime(8 + i) * kMicrosPerSecond);
  }
}

TEST(MicroBatcher, EventTimeIntervalsAreAlignedAndGapsGiveEmptyBatches) {
  // Interval 1 s. Times 10.2, 10.7, 11.0, 11.9, 14.5: t0 = floor(10.2) = 10, so batches
  // [10,11): 2 records, [11,12): 2, [12,13): empty, [13,14): empty, [14,15): 1.
  auto batches = read_all(make_records(5, {10.2, 10.7, 11.0, 11.9, 14.5}), {0, 1'000'000}, 2);
  ASSERT_EQ(batches.size(), 5u);
  const std::vector<std::size_t> sizes{2, 2, 0, 0, 1};
  for (std::size_t i = 0; i < 5; ++i) {
    EXPECT_EQ(batches[i].rows, sizes[i]) << "batch " << i;
    EXPECT_EQ(batches[i].index, std::int64_t(i));
    EXPECT_EQ(batches[i].interval_start, EventTime(10 + i) * kMicrosPerSecond);
    EXPECT_EQ(batches[i].interval_end, EventTime(11 + i) * kMicrosPerSecond);
  }
  // Empty batches keep the stream's columns and the position after the last record (4).
  EXPECT_EQ(batches[2].cols, 2u);
  EXPECT_EQ(batches[3].end_position.offset, 4);
  EXPECT_EQ(batches[4].end_position.offset, 5);
}

TEST(MicroBatcher, LateRecordsJoinTheOpenBatchAndAreCounted) {
  // Interval 10 s. Times 100, 111, 105 (late: before the open [110,120)), 125:
  // [100,110): {100}; [110,120): {111, 105}; [120,130): {125}. One late record.
  BatchReader reader(std::make_unique<MemorySource>(make_records(4, {100, 111, 105, 125}), 4),
                     {0, 10'000'000});
  std::vector<std::size_t> sizes;
  while (auto b = reader.next()) sizes.push_back(b->rows);
  EXPECT_EQ(sizes, (std::vector<std::size_t>{1, 2, 1}));
  EXPECT_EQ(reader.late_records(), 1);
}

TEST(MicroBatcher, BatchingByTimeWithoutTimesIsAClearError) {
  BatchReader reader(std::make_unique<MemorySource>(make_records(3), 4), {0, 1'000'000});
  try {
    reader.next();
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("event-time column"), std::string::npos) << e.what();
  }
}

// A block as a parser would produce: good records at the given record numbers (1-based),
// everything else in [begin_record, end_record) bad.
RecordBlock block_with_bad(std::int64_t begin_record, std::int64_t end_record,
                           const std::vector<std::int64_t>& good_records) {
  RecordBlock block;
  block.records = make_records(good_records.size());
  for (auto r : good_records) {
    block.end_offsets.push_back(r * 10);  // pretend each record is 10 bytes on one line
    block.end_lines.push_back(r);
    block.end_records.push_back(r);
  }
  for (std::int64_t r = begin_record + 1; r <= end_record; ++r)
    if (std::find(good_records.begin(), good_records.end(), r) == good_records.end())
      block.bad.push_back({r, 1, "bad", ""});
  block.end_offset = end_record * 10;
  block.end_line = block.end_record = end_record;
  return block;
}

TEST(MicroBatcher, BadRecordsBelongToTheBatchWhoseRangeHoldsThem) {
  // Records 1..9; 3, 6 and 9 are bad. Batches of 2 good records:
  //   batch 0 = {1, 2}   range (0, 2]  -> 0 skipped
  //   batch 1 = {4, 5}   range (2, 5]  -> record 3 skipped (batch spans both blocks)
  //   batch 2 = {7, 8}   range (5, 8]  -> record 6 skipped; the batch is full at record 8
  //   batch 3 = {}       range (8, 9]  -> record 9, trailing the stream, skipped
  MicroBatcher batcher({2, 0}, Position{"test", 0, 0, 0, {}});
  batcher.push(block_with_bad(0, 4, {1, 2, 4}));
  batcher.push(block_with_bad(4, 9, {5, 7, 8}));
  batcher.finish();
  std::vector<std::pair<std::size_t, std::int64_t>> got;
  std::vector<std::int64_t> ends;
  while (auto b = batcher.pop()) {
    got.emplace_back(b->rows, b->skipped_records);
    ends.push_back(b->end_position.records);
  }
  EXPECT_EQ(got,
            (std::vector<std::pair<std::size_t, std::int64_t>>{{2, 0}, {2, 1}, {2, 1}, {0, 1}}));
  EXPECT_EQ(ends, (std::vector<std::int64_t>{2, 5, 8, 9}));
}

TEST(MicroBatcher, TrailingBadRecordsAfterAFullBatchMakeAFinalEmptyBatch) {
  // Records 1..3, 3 bad; batches of 2: {1, 2} closes full, then record 3 needs a home:
  // a final empty batch whose range (2, 3] holds it, so no record is ever unaccounted for.
  MicroBatcher batcher({2, 0}, Position{"test", 0, 0, 0, {}});
  batcher.push(block_with_bad(0, 3, {1, 2}));
  batcher.finish();
  auto first = batcher.pop();
  auto last = batcher.pop();
  ASSERT_TRUE(first && last);
  EXPECT_FALSE(batcher.pop());
  EXPECT_EQ(last->rows, 0u);
  EXPECT_EQ(last->skipped_records, 1);
  EXPECT_EQ(last->end_position.records, 3);
  EXPECT_EQ(last->end_position.offset, 30);
}

TEST(MicroBatcher, SeekToABatchEndReadsExactlyTheRest) {
  // Read 3 of 10 batches, seek a fresh source to the third batch's end, read on: the
  // concatenation equals one uninterrupted read (brute-force comparison).
  auto whole = read_all(make_records(97), {10, 0}, 7);
  BatchReader first(std::make_unique<MemorySource>(make_records(97), 7), {10, 0});
  for (int i = 0; i < 2; ++i) first.next();
  const Position saved = first.next()->end_position;
  auto source = std::make_unique<MemorySource>(make_records(97), 7);
  source->seek(saved);
  BatchReader rest(std::move(source), {10, 0}, BadRecordPolicy{}, 3);
  std::size_t i = 3;
  while (auto b = rest.next()) {
    ASSERT_LT(i, whole.size());
    EXPECT_EQ(b->index, whole[i].index);
    EXPECT_EQ(b->features, whole[i].features);
    EXPECT_EQ(b->end_position, whole[i].end_position);
    ++i;
  }
  EXPECT_EQ(i, whole.size());
}

}  // namespace
}  // namespace streamml
