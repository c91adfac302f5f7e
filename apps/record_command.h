// `streamml record`: a live topic into a file that `replay` reads like any recorded stream.
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "apps/kafka_command.h"

namespace CLI {
class App;
}

namespace streamml {

struct RecordOptions {
  std::string input;                 // kafka://HOST:PORT/TOPIC[,TOPIC2]
  std::string out;                   // .csv or .jsonl
  std::string format = "auto";       // of the messages: csv or jsonl (default: --out's)
  std::vector<std::string> columns;  // CSV messages without a header message: their names
  std::string time;                  // event-time column: partitions merged by it
  KafkaInputOptions kafka;
  bool quiet = false;
};
void add_record_command(CLI::App& app, RecordOptions& options);
// Returns the exit code; prints what was recorded.
int run_record(const RecordOptions& options, std::ostream& out);

}  // namespace streamml
