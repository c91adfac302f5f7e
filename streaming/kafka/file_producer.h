// A recorded file into a Kafka topic, one message per record: the record's text as written (a
// CSV line without the header, or a JSON object), its key column as the message key, its event
// time as the message timestamp; at the recorded pace (speed X: X seconds of event time per
// second) or as fast as possible. The records are found by the same formats that read them, so
// a topic produced from a file replays as that file. Used by `streamml kafka produce` and the
// decision system's Kafka mode.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>
#include <vector>

#include "streaming/file_source.h"
#include "streaming/kafka/kafka_producer.h"

namespace streamml {

struct FileProducerSettings {
  std::string input;
  FileFormat format = FileFormat::Auto;
  char delimiter = ',';
  std::string key;   // the message key's column; empty: no key (librdkafka spreads them)
  std::string time;  // the event-time column; empty: the time of sending (and no pacing)
  double speed = 0;  // 0: as fast as possible
  const std::atomic<bool>* stop = nullptr;  // when set, producing ends early (what was sent is flushed)
};

struct FileProducerReport {
  std::int64_t sent = 0;
  bool csv = false;
  std::vector<std::string> columns;  // a CSV payload's columns, in order (the header is not sent)
};

// Sends every record of settings.input to `topic` and flushes: every message acknowledged, or
// Error(Io) naming the first failure. A record the format cannot read is Error(InvalidInput)
// naming file and line: only whole, readable records are sent.
FileProducerReport produce_file(KafkaProducer& producer, const std::string& topic, const FileProducerSettings& settings);

}  // namespace streamml
