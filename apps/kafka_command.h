// The command line's Kafka: `streamml kafka mock` (a development cluster), `streamml kafka
// produce` (a recorded file into a topic), and the flags with which `replay` reads a topic
// (`--input kafka://HOST:PORT/topic --group G --until-end --kafka-config k=v ...`).
#pragma once

#include <atomic>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "streaming/file_source.h"
#include "streaming/kafka/kafka_transport.h"

namespace CLI {
class App;
}

namespace streamml {

// The flags of a command that reads a topic.
struct KafkaInputOptions {
  std::string group;
  std::vector<std::string> config;  // librdkafka key=value
  std::string properties;           // a properties file of them
  bool until_end = false;
  std::string idle_timeout = "5s";
};
void add_kafka_input_flags(CLI::App* command, KafkaInputOptions& options);
// A kafka:// address with the properties of --kafka-properties then --kafka-config (an input's or
// an output's: the same flags configure both).
KafkaEndpoint kafka_endpoint(const std::string& url, const KafkaInputOptions& options);
// The transport's settings for a kafka:// address. Reading stops when SIGINT or SIGTERM comes.
KafkaSourceSettings kafka_source_settings(const std::string& url, const KafkaInputOptions& options);
// A Kafka topic read by the CSV or JSON Lines format (Auto is refused: a topic has no extension).
std::unique_ptr<Source> open_kafka_source(const std::string& url, const KafkaInputOptions& kafka,
                                          const FileSourceOptions& source);

// Set by SIGINT and SIGTERM once watch_stop_signals() ran: live commands end cleanly.
std::atomic<bool>& stop_requested();
void watch_stop_signals();

struct KafkaCommands {
  // kafka mock
  int brokers = 3;
  std::vector<std::string> topics;  // NAME:PARTITIONS
  // kafka produce
  std::string input, url_or_topic, brokers_text, key, time, format = "auto", delimiter = ",";
  std::vector<std::string> config;
  double speed = 0;
};
void add_kafka_commands(CLI::App& app, KafkaCommands& commands);
// Runs the kafka subcommand parsed into `commands`; returns the exit code.
int run_kafka_command(CLI::App& app, const KafkaCommands& commands, std::ostream& out);

}  // namespace streamml
