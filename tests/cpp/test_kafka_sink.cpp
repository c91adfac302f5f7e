// KafkaSink on librdkafka's mock cluster: one message per row, keyed, with its batch, row and
// source partition/offset as headers; delivery failures and a truncated topic as errors.
//
// Oracles: FileSink's rows for the same batches (the messages' values are its lines, headers
// and keys its fields); the topic read back by a bare librdkafka consumer (messages counted per
// partition against the mark's end offsets); librdkafka's own reason for an injected Produce
// error. The command line's SIGKILL test (at-least-once, duplicates dropped by batch and
// source offset) is tests/python/test_kafka_sink.py.
#include <gtest/gtest.h>

#include <librdkafka/rdkafka.h>
#include <simdjson.h>

#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "streaming/kafka/kafka_mock.h"
#include "streaming/kafka/kafka_sink.h"
#include "streaming/sinks/file_sink.h"
#include "test_helpers.h"

namespace streamml {
namespace {

using testing::error_of;
using testing::temp_dir;

constexpr int kPartitions = 3;

struct Received {
  int partition;
  std::int64_t offset;
  std::string key, value;
  std::map<std::string, std::string> headers;
};

// Every message of the topic, read from each partition's start to its end now.
std::vector<Received> consume_all(const std::string& brokers, const std::string& topic) {
  KafkaEndpoint e;
  e.brokers = brokers;
  auto rk = make_kafka_client(KafkaClient::Consumer, e, {{"group.id", "reader"}, {"enable.auto.commit", "false"}, {"log_level", "3"}});
  std::int64_t remaining = 0;
  auto* list = rd_kafka_topic_partition_list_new(kPartitions);
  for (int p = 0; p < kPartitions; ++p) {
    int64_t low = 0, high = 0;
    EXPECT_EQ(rd_kafka_query_watermark_offsets(rk.get(), topic.c_str(), p, &low, &high, 10000), RD_KAFKA_RESP_ERR_NO_ERROR);
    remaining += high - low;
    rd_kafka_topic_partition_list_add(list, topic.c_str(), p)->offset = RD_KAFKA_OFFSET_BEGINNING;
  }
  rd_kafka_assign(rk.get(), list);
  rd_kafka_topic_partition_list_destroy(list);
  std::vector<Received> out;
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (remaining > 0 && std::chrono::steady_clock::now() < until) {
    rd_kafka_message_t* m = rd_kafka_consumer_poll(rk.get(), 100);
    if (!m) continue;
    if (!m->err) {
      Received r{int(m->partition), m->offset, std::string(static_cast<const char*>(m->key), m->key_len),
                 std::string(static_cast<const char*>(m->payload), m->len), {}};
      rd_kafka_headers_t* hdrs = nullptr;
      if (rd_kafka_message_headers(m, &hdrs) == RD_KAFKA_RESP_ERR_NO_ERROR) {
        const char* name;
        const void* value;
        size_t size;
        for (size_t i = 0; !rd_kafka_header_get_all(hdrs, i, &name, &value, &size); ++i)
          r.headers[name] = std::string(static_cast<const char*>(value), size);
      }
      out.push_back(std::move(r));
      --remaining;
    }
    rd_kafka_message_destroy(m);
  }
  rd_kafka_consumer_close(rk.get());
  return out;
}

// Batch i: 5 records keyed "u<n>", event times 1 s apart, their source partition and offset as
// ids, and a probability from a stage.
Batch make_batch(std::int64_t index) {
  Batch b;
  b.index = index;
  b.rows = 5;
  std::vector<std::string> keys, partitions, offsets;
  std::vector<double> probability;
  for (std::int64_t i = 0; i < 5; ++i) {
    const std::int64_t n = 5 * index + i;
    keys.push_back("u" + std::to_string(n % 7));
    partitions.push_back(std::to_string(n % 2));
    offsets.push_back(std::to_string(n / 2));
    b.event_times.push_back(1'700'000'000'000'000 + n * 1'000'000);
    probability.push_back(double(n) / 16);
  }
  b.keys = keys;
  b.ids = {{kSourcePartitionRole, partitions}, {kSourceOffsetRole, offsets}};
  b.end_position.records = 5 * (index + 1);
  b.add_output("ctr.probability", probability);
  return b;
}

class KafkaSinkTest : public ::testing::Test {
 protected:
  void SetUp() override {
    cluster_ = std::make_unique<KafkaMockCluster>(3);
    cluster_->create_topic("out", kPartitions, 1);
  }
  KafkaSinkSettings settings(RowFormat format = RowFormat::JsonLines) const {
    KafkaSinkSettings s;
    s.endpoint.brokers = cluster_->bootstraps();
    s.endpoint.topics = {"out"};
    s.format = format;
    s.flush_timeout_ms = 10000;
    return s;
  }
  std::unique_ptr<KafkaMockCluster> cluster_;
};

TEST_F(KafkaSinkTest, MessagesAreTheFileSinksRowsKeyedWithBatchRecordAndSourceAsHeaders) {
  for (RowFormat format : {RowFormat::JsonLines, RowFormat::Csv}) {
    SCOPED_TRACE(format == RowFormat::Csv ? "csv" : "jsonl");
    cluster_ = std::make_unique<KafkaMockCluster>(3);
    cluster_->create_topic("out", kPartitions, 1);
    const auto dir = temp_dir("kafka_sink");
    FileSinkSettings fs;
    fs.path = (dir / (format == RowFormat::Csv ? "rows.csv" : "rows.jsonl")).string();
    FileSink file(fs);
    KafkaSink kafka(settings(format));
    file.open(std::nullopt);
    kafka.open(std::nullopt);
    for (std::int64_t i = 0; i < 4; ++i) {
      const Batch b = make_batch(i);
      file.write(b);
      kafka.write(b);
    }
    const std::string mark = kafka.flush();
    kafka.close();
    file.close();

    std::ifstream in(fs.path);
    std::vector<std::string> lines;
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    if (format == RowFormat::Csv) lines.erase(lines.begin());  // the header: a message has none
    ASSERT_EQ(lines.size(), 20u);

    const auto got = consume_all(cluster_->bootstraps(), "out");
    ASSERT_EQ(got.size(), 20u);
    std::map<std::string, const Received*> by_record;
    std::map<int, std::int64_t> per_partition;
    for (const auto& r : got) {
      by_record[r.headers.at("record")] = &r;
      per_partition[r.partition] = std::max(per_partition[r.partition], r.offset + 1);
    }
    ASSERT_EQ(by_record.size(), 20u);  // every row once
    for (std::int64_t n = 0; n < 20; ++n) {
      const Received& r = *by_record.at(std::to_string(n));
      EXPECT_EQ(r.value, lines[std::size_t(n)]);
      EXPECT_EQ(r.key, "u" + std::to_string(n % 7));
      EXPECT_EQ(r.headers.at("batch"), std::to_string(n / 5));
      EXPECT_EQ(r.headers.at(kSourcePartitionRole), std::to_string(n % 2));
      EXPECT_EQ(r.headers.at(kSourceOffsetRole), std::to_string(n / 2));
    }
    // The same key, the same partition (librdkafka's partitioner).
    std::map<std::string, std::set<int>> partitions_of_key;
    for (const auto& r : got) partitions_of_key[r.key].insert(r.partition);
    for (const auto& [key, parts] : partitions_of_key) EXPECT_EQ(parts.size(), 1u) << key;
    // The mark: 20 rows, and per partition the end of what was produced.
    simdjson::dom::parser parser;
    const simdjson::dom::element root = parser.parse(mark);
    EXPECT_EQ(std::int64_t(root["rows"]), 20);
    std::map<int, std::int64_t> ends;
    for (auto [k, v] : simdjson::dom::object(root["ends"])) ends[std::stoi(std::string(k))] = std::int64_t(v);
    EXPECT_EQ(ends, per_partition);
  }
}

TEST_F(KafkaSinkTest, AResumedSinkGoesOnNumberingAndRefusesATopicShorterThanItsMark) {
  std::string mark;
  {
    KafkaSink sink(settings());
    sink.open(std::nullopt);
    sink.write(make_batch(0));
    mark = sink.flush();
    sink.write(make_batch(1));  // sent after the checkpoint, as before a crash: sent again below
    sink.close();
  }
  {
    KafkaSink sink(settings());
    sink.open(mark);
    EXPECT_EQ(sink.rows(), 5);
    sink.write(make_batch(1));
    sink.close();
  }
  const auto got = consume_all(cluster_->bootstraps(), "out");
  ASSERT_EQ(got.size(), 15u);
  // Batch 1 twice, the same rows each time: one copy after dropping duplicates by
  // (batch, source partition, source offset).
  std::map<std::tuple<std::string, std::string, std::string>, std::set<std::string>> rows;
  for (const auto& r : got)
    rows[{r.headers.at("batch"), r.headers.at(kSourcePartitionRole), r.headers.at(kSourceOffsetRole)}].insert(r.value);
  EXPECT_EQ(rows.size(), 10u);
  for (const auto& [id, values] : rows) EXPECT_EQ(values.size(), 1u);

  // A topic that lost what the checkpoint produced: another cluster, an empty topic.
  cluster_ = std::make_unique<KafkaMockCluster>(3);
  cluster_->create_topic("out", kPartitions, 1);
  KafkaSink sink(settings());
  const std::string error = error_of([&] { sink.open(mark); });
  EXPECT_NE(error.find("ends at offset 0, but the checkpoint being resumed had produced up to"), std::string::npos) << error;
  EXPECT_NE(error.find("out/"), std::string::npos) << error;
}

TEST_F(KafkaSinkTest, AFailedDeliveryIsAnErrorNamingTopicPartitionAndLibrdkafkasReason) {
  KafkaSink sink(settings());
  sink.open(std::nullopt);
  // Every Produce request refused (API key 0) with an error no retry mends.
  cluster_->push_request_errors(0, std::vector<int>(20, RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED));
  sink.write(make_batch(0));
  std::string error = "(no error)";
  try {
    sink.flush();
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::Io);  // the system's failure, not the input's
    error = e.what();
  }
  EXPECT_NE(error.find("not delivered"), std::string::npos) << error;
  EXPECT_NE(error.find("out/"), std::string::npos) << error;
  EXPECT_NE(error.find(rd_kafka_err2str(RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED)), std::string::npos) << error;
}

TEST(KafkaSinkSettings, OneTopicAndDistinctColumns) {
  KafkaSinkSettings s;
  s.endpoint.brokers = "127.0.0.1:9";
  EXPECT_NE(error_of([&] { s.validate(); }).find("give one topic"), std::string::npos);
  s.endpoint.topics = {"a"};
  s.columns = {"x", "x"};
  EXPECT_NE(error_of([&] { s.validate(); }).find("output column 'x' is named twice"), std::string::npos);
}

}  // namespace
}  // namespace streamml
