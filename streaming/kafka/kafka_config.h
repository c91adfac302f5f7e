// Kafka connection settings shared by the consumer transport, the producer, the sink and the
// command line: where the brokers are, which topics, and librdkafka properties passed through
// under librdkafka's own names (`--kafka-config key=value`, a properties file), plus the RAII
// handle every librdkafka client here is held by.
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

struct rd_kafka_s;
struct rd_kafka_conf_s;

namespace streamml {

struct KafkaEndpoint {
  std::string brokers;              // bootstrap.servers: "host:port[,host:port...]"
  std::vector<std::string> topics;  // one or more
  // librdkafka properties in the order given; later ones win. Ours are set first, so a user's
  // property overrides any default streamml picks.
  std::vector<std::pair<std::string, std::string>> config;
};

// "kafka://host:port[,host:port]/topic[,topic2]". Throws Error(InvalidInput) naming the part
// that is missing.
KafkaEndpoint parse_kafka_url(const std::string& url);
bool is_kafka_url(const std::string& text);
// "key=value" (one --kafka-config).
void add_kafka_property(KafkaEndpoint& endpoint, const std::string& key_value);
// A Java-style properties file: key=value lines, '#' or '!' comments, blank lines.
void read_kafka_properties(KafkaEndpoint& endpoint, const std::string& path);

struct KafkaHandleDeleter {
  void operator()(rd_kafka_s* rk) const;
};
using KafkaHandle = std::unique_ptr<rd_kafka_s, KafkaHandleDeleter>;

enum class KafkaClient { Consumer, Producer };
// A client with `defaults` (streamml's), then bootstrap.servers, then the endpoint's own
// properties. `setup` may set callbacks on the configuration before the client is made.
// Throws Error(InvalidInput) with librdkafka's words for an unknown property or value.
KafkaHandle make_kafka_client(KafkaClient kind, const KafkaEndpoint& endpoint,
                              const std::vector<std::pair<std::string, std::string>>& defaults,
                              void (*setup)(rd_kafka_conf_s*, void*) = nullptr, void* opaque = nullptr);

// "topic/3": how positions, bad records and progress name a partition.
std::string partition_name(const std::string& topic, int partition);

}  // namespace streamml
