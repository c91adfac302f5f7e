#include "streaming/kafka/kafka_config.h"

#include <librdkafka/rdkafka.h>

#include <fstream>

#include "core/error.h"

namespace streamml {

namespace {

std::string trim(const std::string& s) {
  const auto b = s.find_first_not_of(" \t\r");
  if (b == std::string::npos) return "";
  return s.substr(b, s.find_last_not_of(" \t\r") - b + 1);
}

std::vector<std::string> split(const std::string& text, char sep) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= text.size()) {
    const auto end = text.find(sep, start);
    const std::string item = text.substr(start, end == std::string::npos ? std::string::npos : end - start);
    if (!item.empty()) out.push_back(item);
    if (end == std::string::npos) break;
    start = end + 1;
  }
  return out;
}

}  // namespace

bool is_kafka_url(const std::string& text) { return text.rfind("kafka://", 0) == 0; }

KafkaEndpoint parse_kafka_url(const std::string& url) {
  STREAMML_CHECK(is_kafka_url(url), InvalidInput, "a Kafka address is kafka://HOST:PORT/TOPIC[,TOPIC2], got '" << url << "'");
  const std::string rest = url.substr(8);
  const auto slash = rest.find('/');
  KafkaEndpoint e;
  e.brokers = rest.substr(0, slash);
  STREAMML_CHECK(!e.brokers.empty(), InvalidInput, "'" << url << "' names no broker: kafka://HOST:PORT/TOPIC");
  if (slash != std::string::npos) e.topics = split(rest.substr(slash + 1), ',');
  STREAMML_CHECK(!e.topics.empty(), InvalidInput, "'" << url << "' names no topic: kafka://HOST:PORT/TOPIC");
  return e;
}

void add_kafka_property(KafkaEndpoint& endpoint, const std::string& key_value) {
  const auto eq = key_value.find('=');
  STREAMML_CHECK(eq != std::string::npos && eq > 0, InvalidInput,
                 "--kafka-config takes key=value (librdkafka's property names), got '" << key_value << "'");
  endpoint.config.emplace_back(trim(key_value.substr(0, eq)), trim(key_value.substr(eq + 1)));
}

void read_kafka_properties(KafkaEndpoint& endpoint, const std::string& path) {
  std::ifstream in(path);
  STREAMML_CHECK(in.good(), Io, "cannot read the Kafka properties file '" << path << "'");
  std::string line;
  for (int number = 1; std::getline(in, line); ++number) {
    const std::string t = trim(line);
    if (t.empty() || t[0] == '#' || t[0] == '!') continue;
    const auto eq = t.find('=');
    STREAMML_CHECK(eq != std::string::npos && eq > 0, InvalidInput,
                   path << ":" << number << ": expected key=value, got '" << t << "'");
    endpoint.config.emplace_back(trim(t.substr(0, eq)), trim(t.substr(eq + 1)));
  }
}

void KafkaHandleDeleter::operator()(rd_kafka_s* rk) const { rd_kafka_destroy(rk); }

KafkaHandle make_kafka_client(KafkaClient kind, const KafkaEndpoint& endpoint,
                              const std::vector<std::pair<std::string, std::string>>& defaults,
                              void (*setup)(rd_kafka_conf_s*, void*), void* opaque) {
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  char err[512];
  auto set = [&](const std::string& key, const std::string& value, const char* origin) {
    if (rd_kafka_conf_set(conf, key.c_str(), value.c_str(), err, sizeof err) != RD_KAFKA_CONF_OK) {
      rd_kafka_conf_destroy(conf);
      STREAMML_FAIL(InvalidInput, origin << " Kafka property " << key << "=" << value << ": " << err);
    }
  };
  for (const auto& [k, v] : defaults) set(k, v, "streamml's");
  if (!endpoint.brokers.empty()) set("bootstrap.servers", endpoint.brokers, "the");
  for (const auto& [k, v] : endpoint.config) set(k, v, "the");
  if (setup) setup(conf, opaque);
  rd_kafka_t* rk = rd_kafka_new(kind == KafkaClient::Consumer ? RD_KAFKA_CONSUMER : RD_KAFKA_PRODUCER, conf, err,
                                sizeof err);
  if (!rk) {
    rd_kafka_conf_destroy(conf);
    STREAMML_FAIL(InvalidInput, "cannot create a Kafka " << (kind == KafkaClient::Consumer ? "consumer" : "producer")
                                                          << " for '" << endpoint.brokers << "': " << err);
  }
  return KafkaHandle(rk);
}

std::string partition_name(const std::string& topic, int partition) {
  return topic + "/" + std::to_string(partition);
}

}  // namespace streamml
