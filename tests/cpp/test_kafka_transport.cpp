// KafkaTransport on librdkafka's mock cluster (the real protocol on loopback, in-process).
// Oracles: the messages the test produced (each (partition, offset) read once, values as sent),
// and the in-memory message transport holding the same messages (memory_transport.h), whose
// batches the Kafka topic must give bit for bit — live, resumed at any checkpoint's offsets,
// through broker outages, injected Fetch errors and a consumer-group rebalance.
#include <gtest/gtest.h>

#include <librdkafka/rdkafka.h>

#include <atomic>
#include <filesystem>
#include <unistd.h>
#include <set>
#include <thread>

#include "streaming/batch_reader.h"
#include "streaming/kafka/kafka_mock.h"
#include "streaming/kafka/kafka_producer.h"
#include "streaming/kafka/kafka_transport.h"
#include "streaming/pipeline.h"
#include "streaming/record_source.h"
#include "streaming/transports/memory_transport.h"

namespace streamml {
namespace {

constexpr int kPartitions = 4;
constexpr EventTime kInterval = 50'000;  // 50 ms of event time per batch

// Partition p, i-th message: "x,y" with x = 1000 p + i, at about 10 ms apart, keyed "k<p>-<i>";
// every 7th message of partition 1 is 25 ms late.
std::vector<std::vector<MemoryMessage>> make_messages(int per_partition) {
  std::vector<std::vector<MemoryMessage>> parts(kPartitions);
  const EventTime t0 = 1'700'000'000'000'000;
  for (int p = 0; p < kPartitions; ++p)
    for (int i = 0; i < per_partition; ++i) {
      EventTime t = t0 + EventTime(i) * 10'000 + p * 1000;
      if (p == 1 && i % 7 == 6) t -= 25'000;
      parts[std::size_t(p)].push_back(
          {std::to_string(1000 * p + i) + "," + std::to_string(i % 2), "k" + std::to_string(p) + "-" + std::to_string(i), t});
    }
  return parts;
}

void produce(const std::string& brokers, const std::string& topic, const std::vector<std::vector<MemoryMessage>>& parts) {
  KafkaEndpoint e;
  e.brokers = brokers;
  KafkaProducer producer(e);
  for (std::size_t p = 0; p < parts.size(); ++p)
    for (const auto& m : parts[p]) producer.send(topic, int(p), m.value, m.key, m.timestamp);
  producer.flush();
}

FormatOptions csv_options() {
  FormatOptions o;
  o.header = false;
  o.column_names = {"x", "y"};
  o.schema.label = "y";
  o.schema.key = "@key";
  o.schema.time = "@timestamp";
  return o;
}

struct Cut {
  std::int64_t index;
  std::vector<double> x;
  std::vector<std::string> keys;
  std::map<std::string, std::int64_t> end;
  bool operator==(const Cut& o) const { return index == o.index && x == o.x && keys == o.keys && end == o.end; }
};

std::vector<Cut> read_all(BatchReader& reader, std::size_t max_batches = SIZE_MAX) {
  std::vector<Cut> out;
  while (out.size() < max_batches) {
    auto b = reader.next();
    if (!b) break;
    out.push_back({b->index, b->features, std::get<std::vector<std::string>>(b->keys), b->end_position.partitions});
  }
  return out;
}

class KafkaTransportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    cluster_ = std::make_unique<KafkaMockCluster>(3);
    cluster_->create_topic("clicks", kPartitions, 1);
    messages_ = make_messages(60);
    produce(cluster_->bootstraps(), "clicks", messages_);
  }

  KafkaSourceSettings settings(const std::string& group = "") const {
    KafkaSourceSettings s;
    s.endpoint.brokers = cluster_->bootstraps();
    s.endpoint.topics = {"clicks"};
    s.group = group;
    s.until_end = true;
    s.max_messages_per_chunk = 17;  // many chunks, interleaving the partitions
    return s;
  }
  std::unique_ptr<Source> kafka(const KafkaSourceSettings& s) const {
    return open_record_source(std::make_unique<KafkaTransport>(s), FileFormat::Csv, csv_options());
  }
  // The oracle: the same messages in memory, read in another order.
  std::vector<Cut> memory_batches(BatchingSettings batching) const {
    // Kafka keeps milliseconds: the same here.
    auto parts = messages_;
    for (auto& p : parts)
      for (auto& m : p) m.timestamp = m.timestamp / 1000 * 1000;
    BatchReader reader(open_record_source(std::make_unique<MemoryTransport>("clicks", parts, 5), FileFormat::Csv,
                                          csv_options()),
                       batching);
    return read_all(reader);
  }

  std::unique_ptr<KafkaMockCluster> cluster_;
  std::vector<std::vector<MemoryMessage>> messages_;
};

TEST_F(KafkaTransportTest, UntilEndReadsEveryMessageOnceWithItsPartitionOffsetKeyAndTime) {
  auto source = kafka(settings());
  std::set<std::pair<std::string, std::int64_t>> seen;
  std::size_t n = 0;
  while (auto chunk = source->read_chunk()) {
    for (const Message& m : chunk->messages) {
      const std::string& part = (*chunk->partitions)[std::size_t(m.partition)];
      EXPECT_TRUE(seen.emplace(part, m.offset).second) << part << " offset " << m.offset << " read twice";
      const int p = part.back() - '0';
      const MemoryMessage& sent = messages_[std::size_t(p)][std::size_t(m.offset)];
      EXPECT_EQ(chunk->bytes.substr(m.begin, m.size), sent.value);
      EXPECT_EQ(chunk->keys.substr(m.key_begin, m.key_size), *sent.key);
      EXPECT_EQ(m.timestamp, sent.timestamp / 1000 * 1000);
      ++n;
    }
  }
  EXPECT_EQ(n, std::size_t(kPartitions * 60));
  EXPECT_EQ(source->position().partitions,
            (std::map<std::string, std::int64_t>{{"clicks/0", 60}, {"clicks/1", 60}, {"clicks/2", 60}, {"clicks/3", 60}}));
}

TEST_F(KafkaTransportTest, EventTimeBatchesEqualThoseOfTheSameMessagesInMemory) {
  const auto expected = memory_batches({0, kInterval});
  ASSERT_GT(expected.size(), 5u);
  BatchReader reader(kafka(settings()), {0, kInterval});
  EXPECT_EQ(read_all(reader), expected);
  EXPECT_GT(reader.late_records(), 0);  // partition 1's late messages
}

TEST_F(KafkaTransportTest, ResumedAtABatchsOffsetsTheRestIsTheUninterruptedRun) {
  const auto expected = memory_batches({0, kInterval});
  for (std::size_t k : {std::size_t(0), expected.size() / 2, expected.size() - 2}) {
    SCOPED_TRACE("resumed after batch " + std::to_string(k));
    // The first run reads up to batch k and stops, as a crash would; the second reads in a
    // consumer group, the rebalance callback assigning the partitions at the offsets.
    Position after;
    EventTime next_interval = 0;
    {
      BatchReader first(kafka(settings()), {0, kInterval});
      for (std::size_t i = 0; i <= k; ++i) {
        auto b = first.next();
        ASSERT_TRUE(b);
        after = b->end_position;
        next_interval = b->interval_end;
      }
    }
    // What the pipeline does on resume: seek, a batcher with the next index and interval.
    auto source = kafka(settings("second" + std::to_string(k)));
    source->seek(after);
    MicroBatcher batcher({0, kInterval}, source->position(), std::int64_t(k) + 1, next_interval);
    batcher.merge_partitions();
    std::vector<Cut> rest;
    auto drain = [&] {
      while (auto b = batcher.pop())
        rest.push_back({b->index, b->features, std::get<std::vector<std::string>>(b->keys), b->end_position.partitions});
    };
    while (auto chunk = source->read_chunk()) {
      batcher.push(source->parse(std::move(*chunk)));
      drain();
    }
    batcher.finish();
    drain();
    EXPECT_EQ(rest, std::vector<Cut>(expected.begin() + std::ptrdiff_t(k) + 1, expected.end()));
  }
}

TEST_F(KafkaTransportTest, BrokersDownAndFetchErrorsChangeNothing) {
  const auto expected = memory_batches({0, kInterval});
  // Fetch requests fail (a disconnect, then "not leader"), and two of three brokers go down
  // for a while in the middle of the run.
  cluster_->push_request_errors(kKafkaApiFetch, {RD_KAFKA_RESP_ERR__TRANSPORT, RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION,
                                                 RD_KAFKA_RESP_ERR__TRANSPORT});
  auto s = settings();
  s.max_messages_per_chunk = 5;
  BatchReader reader(kafka(s), {0, kInterval});
  auto got = read_all(reader, 3);
  cluster_->set_broker_down(1);
  cluster_->set_broker_down(2);
  std::thread up([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(1500));
    cluster_->set_broker_up(1);
    cluster_->set_broker_up(2);
  });
  const auto rest = read_all(reader);
  up.join();
  got.insert(got.end(), rest.begin(), rest.end());
  EXPECT_EQ(got, expected);
}

TEST_F(KafkaTransportTest, APartitionWithoutALeaderForAWhileChangesNothing) {
  const auto expected = memory_batches({0, kInterval});
  auto s = settings();
  s.max_messages_per_chunk = 5;
  // Small fetches and little prefetch, so that most of partition 2 is still to fetch.
  s.endpoint.config = {{"fetch.message.max.bytes", "64"}, {"queued.min.messages", "1"}};
  BatchReader reader(kafka(s), {0, kInterval});
  auto got = read_all(reader, 2);
  ASSERT_LT(got.back().end.at("clicks/2"), 60);  // the premise: partition 2 is not read yet
  // Partition 2 loses its leader (fetches and metadata answer "no leader") for 1.5 s, then
  // broker 3 leads it. The merge waits for it (it lags), so the batches are the same.
  cluster_->set_partition_leader("clicks", 2, -1);
  std::thread back([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(1500));
    cluster_->set_partition_leader("clicks", 2, 3);
  });
  const auto rest = read_all(reader);
  back.join();
  got.insert(got.end(), rest.begin(), rest.end());
  EXPECT_EQ(got, expected);
  std::size_t learned = 0;
  std::set<std::string> keys;
  for (const auto& cut : got) {
    learned += cut.keys.size();
    keys.insert(cut.keys.begin(), cut.keys.end());
  }
  EXPECT_EQ(learned, std::size_t(kPartitions * 60));  // none twice ...
  EXPECT_EQ(keys.size(), std::size_t(kPartitions * 60));  // ... none lost (every key is one message's)
}

TEST_F(KafkaTransportTest, ASecondConsumerJoiningAndLeavingTheGroupChangesNothing) {
  const auto expected = memory_batches({0, kInterval});
  auto s = settings("shared");
  s.max_messages_per_chunk = 3;
  s.idle_timeout_ms = 60'000;  // revoked partitions hold the merge while the other member has them
  BatchReader reader(kafka(s), {0, kInterval});
  auto got = read_all(reader, 2);
  // A second member joins (the group rebalances, taking partitions from the first), reads a
  // while, and leaves (they come back, from the offsets the first consumer holds).
  std::atomic<bool> stop{false};
  std::thread other([&] {
    KafkaEndpoint e;
    e.brokers = cluster_->bootstraps();
    auto rk = make_kafka_client(KafkaClient::Consumer, e,
                                {{"group.id", "shared"}, {"enable.auto.commit", "false"}, {"log_level", "3"}});
    auto* list = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(list, "clicks", RD_KAFKA_PARTITION_UA);
    rd_kafka_subscribe(rk.get(), list);
    rd_kafka_topic_partition_list_destroy(list);
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(4);
    while (!stop && std::chrono::steady_clock::now() < until)
      if (auto* m = rd_kafka_consumer_poll(rk.get(), 100)) rd_kafka_message_destroy(m);
    rd_kafka_consumer_close(rk.get());
  });
  const auto rest = read_all(reader);
  stop = true;
  other.join();
  got.insert(got.end(), rest.begin(), rest.end());
  EXPECT_EQ(got, expected);
}

TEST_F(KafkaTransportTest, AMessageThatDoesNotParseIsABadRecordNamingItsPartitionAndOffset) {
  KafkaEndpoint e;
  e.brokers = cluster_->bootstraps();
  KafkaProducer producer(e);
  producer.send("clicks", 2, "not-a-number,1", std::string_view("bad"), EventTime(1'700'000'001'000'000));
  producer.flush();
  auto source = kafka(settings());
  std::vector<BadRecord> bad;
  while (auto chunk = source->read_chunk()) {
    RecordBlock block = source->parse(std::move(*chunk));
    bad.insert(bad.end(), block.bad.begin(), block.bad.end());
  }
  ASSERT_EQ(bad.size(), 1u);
  EXPECT_EQ(bad[0].partition, "clicks/2");
  EXPECT_EQ(bad[0].offset, 60);
  EXPECT_EQ(bad[0].text, "not-a-number,1");
}

TEST_F(KafkaTransportTest, AQuietCaughtUpPartitionIsReportedIdleAndTheStopFlagEndsTheStream) {
  cluster_->create_topic("quiet", 2, 1);
  KafkaEndpoint e;
  e.brokers = cluster_->bootstraps();
  {
    KafkaProducer producer(e);
    producer.send("quiet", 0, "1,0", std::string_view("a"), EventTime(1'700'000'000'000'000));
    producer.flush();
  }
  std::atomic<bool> stop{false};
  auto s = settings();
  s.endpoint.topics = {"quiet"};
  s.until_end = false;
  s.idle_timeout_ms = 300;
  s.stop = &stop;
  auto transport = std::make_unique<KafkaTransport>(s);
  KafkaTransport* t = transport.get();
  std::size_t messages = 0;
  bool idle_seen = false;
  const auto t0 = std::chrono::steady_clock::now();
  while (auto chunk = t->read_chunk()) {
    messages += chunk->messages.size();
    idle_seen = chunk->partition_states.size() == 2;
    for (auto state : chunk->partition_states) idle_seen &= state == PartitionState::Idle;
    if (idle_seen) stop = true;
    ASSERT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(20));
  }
  EXPECT_TRUE(idle_seen);
  EXPECT_EQ(messages, 1u);
  EXPECT_GE(t->idle_reports(), 2);  // both partitions: one empty, one read to its end
  EXPECT_EQ(t->progress(), "lag quiet/0 0 idle quiet/1 0 idle");
}

// Oracle: the offsets after the last message of each partition (60), read back from the group
// by a plain librdkafka consumer (rd_kafka_committed).
TEST_F(KafkaTransportTest, OffsetsAreCommittedAfterCheckpointsAndFailedCommitsChangeNothing) {
  cluster_->push_request_errors(kKafkaApiOffsetCommit, {RD_KAFKA_RESP_ERR_NOT_COORDINATOR, RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT});
  const auto dir = std::filesystem::temp_directory_path() / ("streamml_kafka_commit_" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::int64_t learned = 0;
  {
    PipelineSettings ps;
    ps.batching.interval_us = kInterval;
    ps.checkpoint.dir = dir.string();
    ps.checkpoint.every_batches = 3;
    auto transport = std::make_unique<KafkaTransport>(settings("monitored"));
    Pipeline pipeline(open_record_source(std::move(transport), FileFormat::Csv, csv_options()), ps);
    pipeline.add_stage("count", [&](Batch& b) { learned += std::int64_t(b.rows); }, StageState::Stateless);
    const PipelineReport r = pipeline.run();
    EXPECT_GT(r.checkpoints_written, 3);
  }
  std::filesystem::remove_all(dir);
  EXPECT_EQ(learned, kPartitions * 60);
  KafkaEndpoint e;
  e.brokers = cluster_->bootstraps();
  auto rk = make_kafka_client(KafkaClient::Consumer, e, {{"group.id", "monitored"}, {"log_level", "3"}});
  auto* list = rd_kafka_topic_partition_list_new(kPartitions);
  for (int p = 0; p < kPartitions; ++p) rd_kafka_topic_partition_list_add(list, "clicks", p);
  ASSERT_EQ(rd_kafka_committed(rk.get(), list, 10000), RD_KAFKA_RESP_ERR_NO_ERROR);
  for (int p = 0; p < kPartitions; ++p) EXPECT_EQ(list->elems[p].offset, 60) << "partition " << p;
  rd_kafka_topic_partition_list_destroy(list);
}

TEST(KafkaConfig, UrlsPropertiesAndUnknownNamesAreCheckedWithLibrdkafkasWords) {
  const KafkaEndpoint e = parse_kafka_url("kafka://127.0.0.1:9092,127.0.0.1:9093/clicks,orders");
  EXPECT_EQ(e.brokers, "127.0.0.1:9092,127.0.0.1:9093");
  EXPECT_EQ(e.topics, (std::vector<std::string>{"clicks", "orders"}));
  EXPECT_THROW(parse_kafka_url("kafka://127.0.0.1:9092"), Error);
  EXPECT_THROW(parse_kafka_url("http://x/y"), Error);
  KafkaEndpoint with;
  add_kafka_property(with, "fetch.wait.max.ms = 5");
  EXPECT_EQ(with.config.back(), (std::pair<std::string, std::string>{"fetch.wait.max.ms", "5"}));
  add_kafka_property(with, "no.such.property=1");
  try {
    make_kafka_client(KafkaClient::Consumer, with, {});
    FAIL() << "an unknown property was accepted";
  } catch (const Error& err) {
    EXPECT_NE(std::string(err.what()).find("no.such.property"), std::string::npos) << err.what();
  }
  EXPECT_EQ(parse_topic_spec("clicks:4"), (std::pair<std::string, int>{"clicks", 4}));
  EXPECT_THROW(parse_topic_spec("clicks:x"), Error);
}

}  // namespace
}  // namespace streamml
