#include "apps/kafka_command.h"

#include <CLI/CLI.hpp>

#include <chrono>
#include <csignal>
#include <thread>

#include "core/error.h"
#include "core/event_time.h"
#include "streaming/kafka/file_producer.h"
#include "streaming/kafka/kafka_mock.h"
#include "streaming/kafka/kafka_producer.h"

namespace streamml {

namespace {

void on_stop_signal(int) { stop_requested().store(true); }

KafkaEndpoint endpoint_of(const std::string& url_or_topic, const std::string& brokers,
                          const std::vector<std::string>& config) {
  KafkaEndpoint e;
  if (is_kafka_url(url_or_topic)) {
    e = parse_kafka_url(url_or_topic);
  } else {
    STREAMML_CHECK(!brokers.empty(), InvalidInput,
                   "--topic '" << url_or_topic << "' needs --brokers HOST:PORT (or write it as kafka://HOST:PORT/"
                               << url_or_topic << ")");
    e.brokers = brokers;
    e.topics = {url_or_topic};
  }
  for (const auto& kv : config) add_kafka_property(e, kv);
  return e;
}

int run_mock(const KafkaCommands& c, std::ostream& out) {
  KafkaMockCluster cluster(c.brokers);
  for (const auto& spec : c.topics) {
    const auto [name, partitions] = parse_topic_spec(spec);
    cluster.create_topic(name, partitions, 1);
    out << "topic " << name << ": " << partitions << " partitions\n";
  }
  out << "bootstrap: " << cluster.bootstraps() << "\n"
      << "mock Kafka cluster of " << c.brokers << " brokers running (librdkafka's mock; Ctrl-C stops it)\n";
  out.flush();
  watch_stop_signals();
  while (!stop_requested().load()) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  out << "mock Kafka cluster stopped\n";
  return 0;
}

// `streamml kafka produce`: a recorded file into a topic (file_producer.h).
int run_produce(const KafkaCommands& c, std::ostream& out) {
  const KafkaEndpoint endpoint = endpoint_of(c.url_or_topic, c.brokers_text, c.config);
  STREAMML_CHECK(endpoint.topics.size() == 1, InvalidInput, "kafka produce writes one topic, got " << endpoint.topics.size());
  STREAMML_CHECK(c.delimiter.size() == 1, InvalidInput, "--delimiter must be one character, got '" << c.delimiter << "'");
  FileProducerSettings s;
  s.input = c.input;
  s.format = parse_file_format(c.format);
  s.delimiter = c.delimiter[0];
  s.key = c.key;
  s.time = c.time;
  s.speed = c.speed;
  KafkaProducer producer(endpoint, {{"linger.ms", "5"}});
  const std::string& topic = endpoint.topics.front();
  const FileProducerReport report = produce_file(producer, topic, s);
  out << "produced " << report.sent << " messages from " << c.input << " to " << topic << " at " << endpoint.brokers << "\n";
  if (report.csv) {
    out << "columns:";
    for (std::size_t i = 0; i < report.columns.size(); ++i) out << (i == 0 ? " " : ",") << report.columns[i];
    out << " (the header is not sent: read the topic with --columns)\n";
  }
  return 0;
}

}  // namespace

std::atomic<bool>& stop_requested() {
  static std::atomic<bool> stop{false};
  return stop;
}

void watch_stop_signals() {
  std::signal(SIGINT, on_stop_signal);
  std::signal(SIGTERM, on_stop_signal);
}

void add_kafka_input_flags(CLI::App* command, KafkaInputOptions& k) {
  command->add_option("--group", k.group,
                      "Kafka: consumer group (offsets are committed to it after each checkpoint, for monitoring; "
                      "the checkpoint holds the truth). Default: no group, every partition read here");
  command->add_option("--kafka-config", k.config, "Kafka: a librdkafka property as key=value (repeatable)");
  command->add_option("--kafka-properties", k.properties, "Kafka: a file of librdkafka properties (key=value lines)")
      ->check(CLI::ExistingFile);
  command->add_flag("--until-end", k.until_end,
                    "Kafka: stop once every partition reaches the end offset it had at start (as kcat -e)");
  command->add_option("--idle-timeout", k.idle_timeout,
                      "Kafka: a caught-up partition quiet this long stops holding back event-time batches (default 5s; 0: never)");
}

KafkaEndpoint kafka_endpoint(const std::string& url, const KafkaInputOptions& k) {
  KafkaEndpoint e = parse_kafka_url(url);
  if (!k.properties.empty()) read_kafka_properties(e, k.properties);
  for (const auto& kv : k.config) add_kafka_property(e, kv);
  return e;
}

KafkaSourceSettings kafka_source_settings(const std::string& url, const KafkaInputOptions& k) {
  KafkaSourceSettings s;
  s.endpoint = kafka_endpoint(url, k);
  s.group = k.group;
  s.until_end = k.until_end;
  s.idle_timeout_ms = k.idle_timeout == "0" ? 0 : parse_duration_micros(k.idle_timeout) / 1000;
  watch_stop_signals();
  s.stop = &stop_requested();
  return s;
}

std::unique_ptr<Source> open_kafka_source(const std::string& url, const KafkaInputOptions& kafka,
                                          const FileSourceOptions& source) {
  FormatOptions format = source.format_options();
  // A topic's messages are records only: --columns names them, no message is a header.
  if (!format.column_names.empty()) format.header = false;
  return open_kafka_source(kafka_source_settings(url, kafka), source.format, format);
}

void add_kafka_commands(CLI::App& app, KafkaCommands& c) {
  auto* kafka = app.add_subcommand("kafka", "A Kafka for development (mock) and a recorded file into a topic (produce)");
  kafka->require_subcommand(1);
  auto* mock = kafka->add_subcommand("mock", "Run librdkafka's mock cluster on loopback until stopped; prints its bootstrap address");
  mock->add_option("--brokers", c.brokers, "Number of brokers (default 3)")->check(CLI::Range(1, 32));
  mock->add_option("--topic", c.topics, "A topic to create, NAME:PARTITIONS (repeatable)");
  auto* produce = kafka->add_subcommand("produce", "Publish a recorded file, one message per record (timestamp = event time)");
  produce->add_option("--input,-i", c.input, "CSV or JSON Lines file")->required()->check(CLI::ExistingFile);
  produce->add_option("--topic", c.url_or_topic, "Topic, or kafka://HOST:PORT/TOPIC")->required();
  produce->add_option("--brokers", c.brokers_text, "bootstrap.servers, when --topic is a bare name");
  produce->add_option("--key", c.key, "Column whose value is the message key (partitions by it)");
  produce->add_option("--time", c.time, "Event-time column: the message timestamp, and the pace for --speed");
  produce->add_option("--format", c.format, "csv or jsonl (default: from the extension)")
      ->check(CLI::IsMember({"auto", "csv", "jsonl", "ndjson", "json"}));
  produce->add_option("--delimiter", c.delimiter, "CSV field delimiter");
  produce->add_option("--speed", c.speed, "0: as fast as possible (default); X: X times the recorded pace")
      ->check(CLI::NonNegativeNumber);
  produce->add_option("--kafka-config", c.config, "A librdkafka property as key=value (repeatable)");
}

int run_kafka_command(CLI::App& app, const KafkaCommands& c, std::ostream& out) {
  CLI::App* kafka = app.get_subcommand("kafka");
  if (kafka->got_subcommand("mock")) return run_mock(c, out);
  return run_produce(c, out);
}

}  // namespace streamml
