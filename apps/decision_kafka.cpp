#include "apps/decision_kafka.h"

#include <map>

#include "core/error.h"
#include "streaming/kafka/file_producer.h"
#include "streaming/kafka/kafka_mock.h"
#include "streaming/kafka/kafka_producer.h"
#include "streaming/kafka/kafka_sink.h"
#include "streaming/kafka/kafka_transport.h"

namespace streamml {

namespace {

// The mock cluster's partitions per lane topic: several, so that the lanes really merge
// partitions by event time.
int lane_partitions(const std::string& lane) { return lane == "clicks" ? 4 : 2; }

KafkaEndpoint endpoint(const std::string& bootstrap, const std::string& topic) {
  KafkaEndpoint e;
  e.brokers = bootstrap;
  e.topics = {topic};
  return e;
}

}  // namespace

struct DecisionKafka::Feed {
  std::string lane;
  FileProducerSettings file;
  std::atomic<bool> produced{false};  // every message flushed: the lane may stop at the end
  std::exception_ptr error;
};

DecisionKafka::DecisionKafka(const std::string& kafka, double speed, bool resume) : speed_(speed) {
  STREAMML_CHECK(!kafka.empty(), InvalidInput, "decision system: --kafka needs 'mock' or bootstrap servers HOST:PORT");
  if (kafka == "mock") {
    mock_ = std::make_unique<KafkaMockCluster>(3);
    bootstrap_ = mock_->bootstraps();
  } else {
    bootstrap_ = kafka;
  }
  STREAMML_CHECK(!(mock_ && resume), InvalidInput,
                 "decision system: --resume needs the topics of the run it resumes, and the mock cluster of --kafka mock "
                 "lived in that run's process; run `streamml kafka mock` apart and pass its address to --kafka");
  resume_ = resume;
}

DecisionKafka::~DecisionKafka() {
  stop_.store(true);
  for (auto& t : producers_)
    if (t.joinable()) t.join();
}

std::unique_ptr<Source> DecisionKafka::source(const std::string& lane, const std::string& file, FileSourceOptions in) {
  auto feed = std::make_unique<Feed>();
  feed->lane = lane;
  feed->file.input = file;
  feed->file.key = in.schema.key;
  feed->file.time = in.schema.time;
  feed->file.speed = speed_;
  feed->file.stop = &stop_;
  if (mock_) {
    mock_->create_topic(lane, lane_partitions(lane), 1);
    feed->file.partitions = lane_partitions(lane);
  } else {
    feed->file.already = held(lane, feed->file.partitions);
    std::int64_t total = 0;
    for (auto n : feed->file.already) total += n;
    STREAMML_CHECK(resume_ || total == 0, InvalidInput,
                   "decision system: topic '" << lane << "' at " << bootstrap_ << " already holds " << total
                                              << " messages; a fresh run produces its recorded stream into an empty topic "
                                                 "(delete and recreate it, or go on with --resume)");
  }
  // The messages are the file's lines without its header: the header names them.
  std::vector<std::string> columns;
  const auto header = open_file_source(file, in);
  for (const Column& c : header->schema().columns()) columns.push_back(c.name);
  in.schema.ids.emplace_back(kSourcePartitionRole, "@partition");
  in.schema.ids.emplace_back(kSourceOffsetRole, "@offset");
  FormatOptions format = in.format_options();
  format.column_names = std::move(columns);
  format.header = false;

  KafkaSourceSettings k;
  k.endpoint = endpoint(bootstrap_, lane);
  k.until_end = true;
  if (speed_ > 0) k.end_known = &feed->produced;
  if (speed_ == 0) {
    produce(*feed);
    if (feed->error) std::rethrow_exception(feed->error);
  }
  feeds_.push_back(std::move(feed));
  return open_kafka_source(k, FileFormat::Csv, format);
}

std::vector<std::int64_t> DecisionKafka::held(const std::string& topic, int& partitions) const {
  KafkaProducer probe(endpoint(bootstrap_, topic));
  partitions = probe.partitions(topic);
  std::vector<std::int64_t> counts;
  for (int p = 0; p < partitions; ++p) counts.push_back(probe.watermarks(topic, p).second);
  return counts;
}

std::unique_ptr<Sink> DecisionKafka::sink(const std::string& topic, std::vector<std::string> columns, std::string table) const {
  if (mock_) mock_->create_topic(topic, 1, 1);
  KafkaSinkSettings out;
  out.endpoint = endpoint(bootstrap_, topic);
  out.format = RowFormat::JsonLines;
  out.columns = std::move(columns);
  out.table = std::move(table);
  return std::make_unique<KafkaSink>(out);
}

void DecisionKafka::produce(Feed& feed) {
  try {
    KafkaProducer producer(endpoint(bootstrap_, feed.lane), {{"linger.ms", "5"}});
    produce_file(producer, feed.lane, feed.file);
  } catch (...) {
    feed.error = std::current_exception();
    stop_.store(true);  // the other producers too: the run fails
  }
  feed.produced.store(true);
}

void DecisionKafka::start() {
  if (speed_ == 0) return;
  for (auto& feed : feeds_) producers_.emplace_back([this, f = feed.get()] { produce(*f); });
}

void DecisionKafka::finish(bool lanes_failed) {
  if (lanes_failed) stop_.store(true);
  for (auto& t : producers_) t.join();
  producers_.clear();
  for (const auto& feed : feeds_)
    if (feed->error) std::rethrow_exception(feed->error);
}

}  // namespace streamml
