#include "streaming/kafka/kafka_mock.h"

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#include "core/error.h"

namespace streamml {

namespace {

void check(rd_kafka_resp_err_t err, const std::string& what) {
  STREAMML_CHECK(err == RD_KAFKA_RESP_ERR_NO_ERROR, InvalidInput, "mock Kafka cluster: " << what << ": " << rd_kafka_err2str(err));
}

}  // namespace

KafkaMockCluster::KafkaMockCluster(int brokers) : brokers_(brokers) {
  STREAMML_CHECK(brokers >= 1, InvalidInput, "mock Kafka cluster: brokers must be >= 1, got " << brokers);
  // The cluster belongs to a client handle; a producer that sends nothing.
  owner_ = make_kafka_client(KafkaClient::Producer, KafkaEndpoint{}, {{"log_level", "3"}});
  cluster_ = rd_kafka_mock_cluster_new(owner_.get(), brokers);
  STREAMML_CHECK(cluster_ != nullptr, Runtime, "mock Kafka cluster: librdkafka could not start " << brokers << " brokers");
  bootstraps_ = rd_kafka_mock_cluster_bootstraps(cluster_);
}

KafkaMockCluster::~KafkaMockCluster() {
  if (cluster_) rd_kafka_mock_cluster_destroy(cluster_);
}

void KafkaMockCluster::create_topic(const std::string& topic, int partitions, int replication) {
  STREAMML_CHECK(partitions >= 1, InvalidInput, "topic '" << topic << "' needs >= 1 partition, got " << partitions);
  check(rd_kafka_mock_topic_create(cluster_, topic.c_str(), partitions, replication), "creating topic '" + topic + "'");
}

void KafkaMockCluster::set_broker_down(int broker) {
  check(rd_kafka_mock_broker_set_down(cluster_, broker), "broker " + std::to_string(broker) + " down");
}

void KafkaMockCluster::set_broker_up(int broker) {
  check(rd_kafka_mock_broker_set_up(cluster_, broker), "broker " + std::to_string(broker) + " up");
}

void KafkaMockCluster::push_request_errors(int api_key, const std::vector<int>& errors) {
  std::vector<rd_kafka_resp_err_t> codes;
  for (int e : errors) codes.push_back(rd_kafka_resp_err_t(e));
  rd_kafka_mock_push_request_errors_array(cluster_, std::int16_t(api_key), codes.size(), codes.data());
}

void KafkaMockCluster::set_partition_leader(const std::string& topic, int partition, int broker) {
  check(rd_kafka_mock_partition_set_leader(cluster_, topic.c_str(), partition, broker),
        "leader of " + partition_name(topic, partition));
}

std::pair<std::string, int> parse_topic_spec(const std::string& text) {
  const auto colon = text.rfind(':');
  if (colon == std::string::npos) {
    STREAMML_CHECK(!text.empty(), InvalidInput, "--topic needs NAME or NAME:PARTITIONS, got ''");
    return {text, 1};
  }
  const std::string name = text.substr(0, colon), count = text.substr(colon + 1);
  int n = 0;
  try {
    std::size_t used = 0;
    n = std::stoi(count, &used);
    if (used != count.size()) n = 0;
  } catch (const std::exception&) {
    n = 0;
  }
  STREAMML_CHECK(!name.empty() && n >= 1, InvalidInput,
                 "--topic takes NAME:PARTITIONS with PARTITIONS >= 1, got '" << text << "'");
  return {name, n};
}

}  // namespace streamml
