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
#include <string_view>
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
  // 0: librdkafka's partitioner picks each message's partition. n > 0: a record goes to
  // partition (FNV-1a of its key) mod n, a function of the key alone, so a producer that was
  // interrupted can go on: the first already[p] records bound for partition p are skipped (an
  // idempotent producer leaves each partition holding a prefix of the records bound for it).
  int partitions = 0;
  std::vector<std::int64_t> already;  // per partition; empty: none
};

struct FileProducerReport {
  std::int64_t sent = 0;
  std::int64_t skipped = 0;  // records the topic held already (FileProducerSettings::already)
  bool csv = false;
  std::vector<std::string> columns;  // a CSV payload's columns, in order (the header is not sent)
};

// Sends every record of settings.input to `topic` and flushes: every message acknowledged, or
// Error(Io) naming the first failure. A record the format cannot read is Error(InvalidInput)
// naming file and line: only whole, readable records are sent.
// The partition of `partitions` a key goes to under FileProducerSettings::partitions.
int key_partition(std::string_view key, int partitions);

FileProducerReport produce_file(KafkaProducer& producer, const std::string& topic, const FileProducerSettings& settings);

}  // namespace streamml
