// KafkaProducer: messages to Kafka through librdkafka, idempotent by default (no duplicates
// or reordering from the producer's own retries), with delivery checked on flush. Used by
// `streamml kafka produce`, the Kafka sink and the tests.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/event_time.h"
#include "streaming/kafka/kafka_config.h"

namespace streamml {

class KafkaProducer {
 public:
  // defaults: streamml's properties for this use, set before the endpoint's own.
  explicit KafkaProducer(const KafkaEndpoint& endpoint,
                         std::vector<std::pair<std::string, std::string>> defaults = {});
  ~KafkaProducer();

  using Headers = std::vector<std::pair<std::string, std::string>>;

  // partition -1: by key (librdkafka's partitioner). timestamp in microseconds (kept to the
  // millisecond, Kafka's unit); nullopt: the time of sending. headers: Kafka record headers, in
  // order. Waits while the local queue is full.
  void send(const std::string& topic, int partition, std::string_view value, std::optional<std::string_view> key,
            std::optional<EventTime> timestamp, const Headers& headers = {});
  // Waits until every message sent is delivered (acknowledged as the producer's acks say);
  // throws Error(Io) naming the first failure: its topic/partition and librdkafka's reason.
  void flush(int timeout_ms = 30000);
  std::int64_t delivered() const { return delivered_.load(); }
  // Per (topic, partition): one past the highest offset delivered so far (read after flush).
  const std::map<std::pair<std::string, int>, std::int64_t>& delivered_ends() const { return ends_; }
  // The (low, high) watermark offsets of a partition, asked of its leader; throws Error(Io).
  std::pair<std::int64_t, std::int64_t> watermarks(const std::string& topic, int partition, int timeout_ms = 10000);
  // The topic's partition count, from the brokers' metadata; throws Error(InvalidInput) when the
  // topic does not exist, Error(Io) when the brokers do not answer.
  int partitions(const std::string& topic, int timeout_ms = 10000);

 private:
  friend struct KafkaProducerCallbacks;
  KafkaHandle producer_;
  std::atomic<std::int64_t> delivered_{0}, failed_{0};
  std::string first_failure_;  // written from the delivery callback, read after flush
  // Delivery callbacks run inside poll/flush on the sending thread: no lock needed.
  std::map<std::pair<std::string, int>, std::int64_t> ends_;
};

}  // namespace streamml
