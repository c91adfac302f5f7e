// MemoryTransport: messages held in memory, in partitions, handed out as a message broker's
// consumer would: one record per message, each with its partition and offset, and a position
// that is the next offset of every partition. For tests, notebooks and replaying recorded
// messages; Kafka's transport (streaming/kafka/) hands chunks of the same shape.
//
// Chunks take up to `messages_per_chunk` messages from one partition at a time, visiting the
// partitions in turn (round k: offsets [k N, (k + 1) N) of partition 0, 1, ...), so the order
// of records is fixed by the contents alone and a read resumed from a position goes on in it.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/event_time.h"
#include "streaming/transport.h"

namespace streamml {

struct MemoryMessage {
  std::string value;
  std::optional<std::string> key;
  EventTime timestamp = 0;
};

class MemoryTransport : public Transport {
 public:
  // Partition i is named "<topic>/<i>"; its messages have offsets 0, 1, 2, ...
  MemoryTransport(std::string topic, std::vector<std::vector<MemoryMessage>> partitions,
                  std::size_t messages_per_chunk = 1000);
  // Messages given as their values only.
  static MemoryTransport of_values(std::string topic, const std::vector<std::vector<std::string>>& partitions,
                                   std::size_t messages_per_chunk = 1000);

  std::string name() const override { return "memory:" + topic_; }
  std::optional<Chunk> read_chunk() override;
  std::optional<FirstRecord> first_record(bool consume) override;
  Position position() const override;
  // Partitions the position does not name start at their first offset.
  void seek(const Position& position) override;
  std::optional<std::int64_t> total_size() const override;
  bool is_message_transport() const override { return true; }

 private:
  std::string topic_;
  std::vector<std::vector<MemoryMessage>> partitions_;
  std::shared_ptr<const std::vector<std::string>> names_;
  std::size_t per_chunk_;
  std::vector<std::int64_t> next_;   // per partition
  std::vector<std::int64_t> first_;  // per partition: where records start (after a consumed header)
  std::int64_t records_ = 0;
  std::size_t sequence_ = 0;
};

}  // namespace streamml
