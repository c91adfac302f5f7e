// KafkaTransport: one or more Kafka topics as a message transport (librdkafka's consumer), so
// a topic is read by the same formats, batcher, stages and checkpoints as a file.
//
// Positions are the next offset of every partition ("topic/3"). The checkpoint's offsets are
// the truth: auto-commit and offset store are off, and on start, on seek and whenever the
// group assigns a partition (the rebalance callback, rd_kafka_assign or
// rd_kafka_incremental_assign with offsets) each partition starts at the offset this
// transport holds for it — where the checkpoint left it, or where this process last read —
// so every message is read once. Offsets are committed to the group after each checkpoint for
// monitoring tools only (checkpointed()). A fresh partition starts at its beginning; an offset
// no longer in the topic is an error (auto.offset.reset=error), never a silent jump.
//
// Without a group the transport assigns itself every partition of the topics. With --until-end
// it stops once every partition reaches the end offset it had when reading started (as
// `kcat -e`), so a topic replays like a file; each partition reports Finished at its end.
//
// Idle partitions: a partition that has delivered nothing for idle_timeout_ms while caught up
// (its next offset at the high watermark librdkafka last saw), or while revoked from this
// consumer, is reported Idle so that merging by event time (partition_merge.h) does not wait
// for it; it is Open again with its next message. A partition that lags is never idle, so a
// slow broker or a broker that is down holds the merge rather than reordering it.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "streaming/kafka/kafka_config.h"
#include "streaming/record_source.h"
#include "streaming/transport.h"

struct rd_kafka_queue_s;
struct rd_kafka_topic_partition_list_s;
struct rd_kafka_message_s;

namespace streamml {

struct KafkaSourceSettings {
  KafkaEndpoint endpoint;
  std::string group;                  // group.id; empty: no group, every partition assigned here
  bool until_end = false;             // stop at the end offsets seen at start
  // With until_end: when set, the end offsets are those seen once this becomes true (a producer
  // beside the stream has flushed its last message), not at start; the stream is live till then.
  const std::atomic<bool>* end_known = nullptr;
  std::int64_t idle_timeout_ms = 5000;  // 0: a partition never goes idle
  std::size_t max_messages_per_chunk = 10000;
  int chunk_wait_ms = 20;             // the longest a chunk waits to fill (latency when live)
  int metadata_timeout_ms = 10000;
  const std::atomic<bool>* stop = nullptr;  // when set, reading ends (no more chunks)
};

// The transport's view of one partition, for progress and reports.
struct KafkaPartitionLag {
  std::string name;        // "topic/3"
  std::int64_t next = -1;  // next offset to read (-1: its beginning)
  std::int64_t high = -1;  // high watermark librdkafka last saw (-1: not yet known)
  PartitionState state = PartitionState::Open;
  bool assigned = false;
};

class KafkaTransport : public Transport {
 public:
  explicit KafkaTransport(KafkaSourceSettings settings);
  ~KafkaTransport() override;  // leaves the group

  // "kafka:topic[,topic2]": positions name the topics, not the brokers, so a checkpoint goes
  // on against another bootstrap address of the same cluster.
  std::string name() const override;
  std::optional<Chunk> read_chunk() override;
  // The first message of the first topic's partition 0 (a CSV header, when produced as one).
  std::optional<FirstRecord> first_record(bool consume) override;
  Position position() const override;
  // Partitions the position does not name start at their beginning. Throws
  // Error(InvalidInput) for a partition of another topic or a negative offset.
  void seek(const Position& position) override;
  bool is_message_transport() const override { return true; }
  void checkpointed(const Position& position) override;
  std::string progress() const override;
  bool stopped() const override { return stopped_; }

  std::vector<KafkaPartitionLag> lag() const;
  const KafkaSourceSettings& settings() const { return settings_; }
  std::int64_t idle_reports() const { return idle_reports_; }   // times a partition was reported idle
  std::int64_t transient_errors() const { return transient_errors_; }  // retried by librdkafka
  std::int64_t commit_failures() const { return commit_failures_.load(); }

 private:
  using Clock = std::chrono::steady_clock;
  struct Partition {
    std::string topic;
    int number = 0;
    std::int64_t next = -1;   // -1: its beginning
    std::int64_t first = -1;  // where records start when a header was consumed from it
    std::int64_t end = -1;    // --until-end: the end offset at start
    std::int64_t low = -1;    // ... and its first offset then
    bool assigned = false, paused = false;
    Clock::time_point last_activity;
    PartitionState state = PartitionState::Open;
  };

  void start();
  void fix_ends();  // --until-end: every partition's end offset, from its leader
  std::vector<std::pair<std::string, int>> topic_partitions();  // from the brokers' metadata
  std::size_t partition_index(const std::string& topic, int number);
  std::int64_t start_offset(const Partition& p) const;
  void on_rebalance(int err, rd_kafka_topic_partition_list_s* partitions);
  void on_error(int err, const char* reason);
  void assign_all();
  // Adds one message to the chunk, or drops it (a duplicate, past --until-end); throws for an
  // error the stream cannot go on after.
  void take(const rd_kafka_message_s* message, Chunk& chunk);
  bool update_states(Clock::time_point now);  // whether any changed
  bool all_finished() const;
  bool commit(const Position& position, bool async);  // false: refused at once (counted)
  void publish_lag(bool now_please);  // for progress(): every 200 ms, or now
  friend struct KafkaCallbacks;  // librdkafka's callbacks call on_rebalance and on_error

  KafkaSourceSettings settings_;
  KafkaHandle consumer_;
  rd_kafka_queue_s* queue_ = nullptr;
  bool started_ = false, stopped_ = false, ends_fixed_ = false;
  std::vector<Partition> partitions_;
  std::map<std::string, std::size_t> index_;
  std::shared_ptr<const std::vector<std::string>> names_;
  std::vector<PartitionState> sent_states_;  // as the last chunk reported them
  std::vector<rd_kafka_message_s*> buffer_;
  const void* last_topic_ = nullptr;  // take(): the partition of the last message taken
  int last_partition_ = -1;
  std::size_t last_index_ = 0;
  std::int64_t records_ = 0;
  std::size_t sequence_ = 0;
  std::int64_t idle_reports_ = 0, transient_errors_ = 0;
  std::atomic<std::int64_t> commit_failures_{0};
  std::atomic<int> commits_in_flight_{0};  // asynchronous commits not answered yet
  std::optional<Position> last_checkpoint_;  // committed again, synchronously, on close
  std::string fatal_;  // a fatal client error, raised by the next read
  mutable std::mutex lag_mutex_;  // progress() runs beside read_chunk()
  std::vector<KafkaPartitionLag> lag_;
  Clock::time_point lag_time_;
};

// A topic read by the CSV or JSON Lines format (Auto is refused: a topic has no extension).
std::unique_ptr<Source> open_kafka_source(KafkaSourceSettings settings, FileFormat format, const FormatOptions& options);

}  // namespace streamml
