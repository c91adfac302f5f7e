// A Kafka for development and tests: librdkafka's mock cluster (rdkafka_mock.h), brokers that
// speak the real protocol on loopback inside this process. What `streamml kafka mock` runs, and
// what the Kafka tests and benchmarks start, with the faults they inject.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "streaming/kafka/kafka_config.h"

struct rd_kafka_mock_cluster_s;

namespace streamml {

class KafkaMockCluster {
 public:
  explicit KafkaMockCluster(int brokers = 3);
  ~KafkaMockCluster();
  KafkaMockCluster(const KafkaMockCluster&) = delete;
  KafkaMockCluster& operator=(const KafkaMockCluster&) = delete;

  // "127.0.0.1:PORT,..." for bootstrap.servers.
  const std::string& bootstraps() const { return bootstraps_; }
  int brokers() const { return brokers_; }
  void create_topic(const std::string& topic, int partitions, int replication = 1);

  // Faults. Broker ids are 1..brokers.
  void set_broker_down(int broker);
  void set_broker_up(int broker);
  // The next requests of this API (librdkafka's RD_KAFKAP_* numbers: Fetch 1, OffsetCommit 8)
  // fail with these error codes, one each, in order.
  void push_request_errors(int api_key, const std::vector<int>& errors);
  // broker -1: the partition has no leader.
  void set_partition_leader(const std::string& topic, int partition, int broker);

 private:
  KafkaHandle owner_;
  rd_kafka_mock_cluster_s* cluster_ = nullptr;
  std::string bootstraps_;
  int brokers_;
};

// "clicks:4" -> ("clicks", 4); "clicks" -> ("clicks", 1). Throws Error(InvalidInput).
std::pair<std::string, int> parse_topic_spec(const std::string& text);

// The Kafka protocol's API keys the faults name.
inline constexpr int kKafkaApiFetch = 1;
inline constexpr int kKafkaApiOffsetCommit = 8;

}  // namespace streamml
