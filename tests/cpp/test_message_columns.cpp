// Message columns ("@key", "@timestamp", "@topic", "@partition", "@offset", "@value") over the in-memory
// message transport: the message's key and timestamp as the record's key and event time.
// Oracle: the messages as written in the test (hand-made values).
#include <gtest/gtest.h>

#include "source_test_util.h"
#include "streaming/record_source.h"
#include "streaming/transports/memory_transport.h"

namespace streamml {
namespace {

using testing::Drained;

MemoryTransport two_partitions(const std::vector<std::string>& values0, const std::vector<std::string>& values1) {
  std::vector<std::vector<MemoryMessage>> parts(2);
  for (std::size_t i = 0; i < values0.size(); ++i)
    parts[0].push_back({values0[i], i == 0 ? std::nullopt : std::optional<std::string>("u" + std::to_string(i)),
                        EventTime(1000 + i)});
  for (std::size_t i = 0; i < values1.size(); ++i)
    parts[1].push_back({values1[i], "v" + std::to_string(i), EventTime(2000 + i)});
  return MemoryTransport("clicks", std::move(parts), 2);
}

TEST(MessageColumns, KeyAndTimestampOfTheMessageAreTheRecordsKeyAndTime) {
  FormatOptions o;
  o.schema.label = "y";
  o.schema.key = "@key";
  o.schema.time = "@timestamp";
  auto t = std::make_unique<MemoryTransport>(two_partitions({"x,y", "1.5,1", "2.5,0"}, {"3.5,1"}));
  auto source = open_record_source(std::move(t), FileFormat::Csv, o);
  // The header's columns, then the message columns; only those given a role are read.
  ASSERT_EQ(source->schema().n_columns(), 8u);  // x, y, @key, @timestamp, @topic, @partition, @offset, @value
  EXPECT_EQ(source->schema().feature_names(), std::vector<std::string>{"x"});
  Drained d;
  testing::drain(*source, d);
  ASSERT_EQ(d.rows, 3u);
  // Chunks take 2 messages of a partition at a time: partition 0 offsets 1 (after the header's
  // 0) and 2... then partition 1 offset 0.
  EXPECT_EQ(d.features, (std::vector<double>{1.5, 2.5, 3.5}));
  EXPECT_EQ(d.labels, (std::vector<double>{1, 0, 1}));
  EXPECT_EQ(d.string_keys, (std::vector<std::string>{"u1", "u2", "v0"}));
  EXPECT_EQ(d.times, (std::vector<EventTime>{1001, 1002, 2000}));
}

TEST(MessageColumns, PartitionOffsetAndTopicAsFeaturesAndCategories) {
  FormatOptions o;
  o.column_names = {"x"};
  o.header = false;
  o.schema.features = {"x", "@partition", "@offset"};
  o.schema.categorical = {"@topic"};
  o.schema.hash_bits = 4;
  auto t = std::make_unique<MemoryTransport>(two_partitions({"1", "2"}, {"3"}));
  auto source = open_record_source(std::move(t), FileFormat::Csv, o);
  Drained d;
  testing::drain(*source, d);
  ASSERT_EQ(d.rows, 3u);
  EXPECT_EQ(d.features, (std::vector<double>{1, 0, 0, 2, 0, 1, 3, 1, 0}));
  EXPECT_EQ(d.sparse_row_nnz, (std::vector<std::int32_t>{1, 1, 1}));  // "@topic=clicks", once per record
}

TEST(MessageColumns, ValueIsThePayloadsTextAndAMessageWithoutAKeyAnEmptyTextId) {
  // What `streamml record` reads: the payload's text and the message's key as text ids.
  FormatOptions o;
  o.column_names = {"x", "y"};
  o.header = false;
  o.schema.features = {"@offset"};  // x and y read past
  o.schema.ids = {{"value", "@value"}, {"msg_key", "@key"}};
  auto t = std::make_unique<MemoryTransport>(two_partitions({"1.5,\"a,b\"", "2,3"}, {}));
  auto source = open_record_source(std::move(t), FileFormat::Csv, o);
  Batch all;
  while (auto chunk = source->read_chunk()) {
    RecordBlock block = source->parse(std::move(*chunk));
    ASSERT_TRUE(block.bad.empty()) << block.bad.front().reason;
    if (all.ids.empty()) all = block.records.empty_like();
    all.append(block.records, 0, block.records.rows);
  }
  ASSERT_EQ(all.rows, 2u);
  EXPECT_EQ(std::get<std::vector<std::string>>(*all.id("value")), (std::vector<std::string>{"1.5,\"a,b\"", "2,3"}));
  // The first message of partition 0 has no key (two_partitions): an empty text.
  EXPECT_EQ(std::get<std::vector<std::string>>(*all.id("msg_key")), (std::vector<std::string>{"", "u1"}));
  EXPECT_EQ(all.features, (std::vector<double>{0, 1}));

  // A key (not a text id) still needs one: a bad record naming the column.
  FormatOptions k = o;
  k.schema.ids.clear();
  k.schema.key = "@key";
  auto keyed = open_record_source(std::make_unique<MemoryTransport>(two_partitions({"1,2"}, {})), FileFormat::Csv, k);
  Drained d;
  testing::drain(*keyed, d);
  ASSERT_EQ(d.bad.size(), 1u);
  EXPECT_NE(d.bad[0].reason.find("the message has no key for column '@key'"), std::string::npos) << d.bad[0].reason;
}

TEST(MessageColumns, JsonPayloadKeepsItsOwnFieldOfTheSameName) {
  FormatOptions o;
  o.schema.key = "@key";  // the payload's own "@key" field, not the message key
  o.schema.time = "@timestamp";
  auto t = std::make_unique<MemoryTransport>(
      two_partitions({R"({"@key": "own", "x": 1})", R"({"@key": "mine", "x": 2})"}, {}));
  auto source = open_record_source(std::move(t), FileFormat::JsonLines, o);
  Drained d;
  testing::drain(*source, d);
  ASSERT_EQ(d.rows, 2u);
  EXPECT_EQ(d.string_keys, (std::vector<std::string>{"own", "mine"}));
  EXPECT_EQ(d.times, (std::vector<EventTime>{1000, 1001}));
}

TEST(MessageColumns, AMissingKeyIsABadRecordNamingPartitionAndOffset) {
  FormatOptions o;
  o.header = false;
  o.column_names = {"x"};
  o.schema.key = "@key";
  auto t = std::make_unique<MemoryTransport>(two_partitions({"1", "2"}, {}));  // offset 0 has no key
  auto source = open_record_source(std::move(t), FileFormat::Csv, o);
  Drained d;
  testing::drain(*source, d);
  EXPECT_EQ(d.rows, 1u);
  ASSERT_EQ(d.bad.size(), 1u);
  EXPECT_EQ(d.bad[0].partition, "clicks/0");
  EXPECT_EQ(d.bad[0].offset, 0);
  EXPECT_EQ(d.bad[0].column, 2);
  EXPECT_EQ(d.bad[0].reason, "the message has no key for column '@key'");
}

TEST(MessageColumns, AFileWithMessageColumnsReadsThemOnlyWhenAsked) {
  // A recorded topic's file: "@..." columns are never implicit features.
  const Schema s = Schema::from_header({"@timestamp", "@partition", "x", "y"}, SchemaOptions{});
  EXPECT_EQ(s.feature_names(), (std::vector<std::string>{"x", "y"}));
}

}  // namespace
}  // namespace streamml
