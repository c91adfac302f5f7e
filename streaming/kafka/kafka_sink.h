// KafkaSink: a pipeline's results as messages on a Kafka topic (`--output kafka://HOST:PORT/T`),
// one message per row: the rows every sink writes (sink_rows.h), CSV (no header line) or JSON
// Lines, keyed by the record's key, timestamped with its event time.
//
// Delivery is at-least-once with keys, not exactly-once (Sink's contract for files): the
// producer is idempotent (no duplicates or reordering from its own retries), and flush() —
// at every checkpoint — waits until every message is acknowledged (acks=all) and fails naming
// the topic/partition and librdkafka's reason for any that was not, so a checkpoint completes
// only once its outputs are in the topic. A run that crashes after a checkpoint has sent some
// rows of the batches after it; the resumed run sends those batches again. Every message
// carries what identifies it as headers — `batch`, `record` (its row number in the stream), and
// when the rows have them `source_topic`, `source_partition`, `source_offset` (the input
// message it came from) — and the same as fields of its row, so a consumer drops a duplicate by
// (batch, source_partition, source_offset) (or (batch, record)): the rows resent are equal.
//
// Marks: the row count and columns (so numbering goes on) and, per partition of the output
// topic, the end offset of what was produced; a resume checks the topic still holds that much
// (a deleted or truncated topic is an error) and goes on appending. A fresh start appends too
// (a topic is not emptied).
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "streaming/kafka/kafka_config.h"
#include "streaming/sinks/sink.h"
#include "streaming/sinks/sink_rows.h"

namespace streamml {

class KafkaProducer;

struct KafkaSinkSettings {
  KafkaEndpoint endpoint;                 // one topic
  RowFormat format = RowFormat::Auto;     // Auto: JSON Lines (a topic has no extension)
  std::vector<std::string> columns;       // output (or table) columns to write; empty: every one
  std::string table;                      // empty: one message per record; else per row of this table
  int flush_timeout_ms = 60000;           // how long a checkpoint waits for acknowledgements

  void validate() const;  // throws Error(InvalidInput)
};

// The id roles a run from a message transport gives each record's source, as rows and headers
// carry them (replay adds them when reading a topic with an output).
inline constexpr const char* kSourceTopicRole = "source_topic";
inline constexpr const char* kSourcePartitionRole = "source_partition";
inline constexpr const char* kSourceOffsetRole = "source_offset";

class KafkaSink : public Sink {
 public:
  explicit KafkaSink(KafkaSinkSettings settings);
  ~KafkaSink() override;

  // "kafka:<topic>", or "kafka:<topic>#<table>".
  std::string name() const override;
  void open(const std::optional<std::string>& mark) override;
  void write(const Batch& batch) override;
  std::string flush() override;
  void sync() override {}  // flush() waited for the brokers' acknowledgements
  void close() override;

  std::int64_t rows() const { return rows_.rows(); }
  std::int64_t sent() const { return sent_; }  // messages sent by this run

 private:
  const std::string& topic() const { return settings_.endpoint.topics.front(); }

  KafkaSinkSettings settings_;
  SinkRows rows_;
  std::unique_ptr<KafkaProducer> producer_;
  std::map<int, std::int64_t> ends_;  // per partition of the topic: end offset of what was produced
  std::string buffer_;
  std::vector<std::size_t> row_ends_;
  std::int64_t sent_ = 0;
};

}  // namespace streamml
