// Source: where records come from, pulled in chunks, with a resumable position.
//
// A source is read in two steps so the pipeline can parse in parallel:
//   read_chunk()  serial, cheap: the next run of whole records as raw bytes (or row range);
//   parse(chunk)  pure and thread-safe: the chunk's records as columns, plus its bad records.
// position()/seek() make it resumable: seeking to the position stored with a batch and
// reading on yields exactly the records after that batch.
//
// Most sources are a transport (streaming/transport.h: a file, messages in memory, Kafka) that
// hands chunks of payloads with their positions, composed with a record format
// (streaming/formats/: CSV, JSON Lines, lines) that parses them (record_source.h).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/batch.h"
#include "core/position.h"
#include "core/schema.h"
#include "streaming/bad_records.h"

namespace streamml {

// A message without a timestamp (Kafka's "not available").
inline constexpr EventTime kNoTimestamp = INT64_MIN;

// One message of a message transport (in memory, Kafka): one record's payload with where it
// came from. Its payload is bytes[begin, begin + size) of its chunk.
struct Message {
  std::uint32_t begin = 0;
  std::uint32_t size = 0;
  std::int32_t partition = 0;     // index into Chunk::partitions
  std::int64_t offset = 0;        // its offset in the partition
  EventTime timestamp = 0;        // the transport's time for it (Kafka: the message timestamp), or kNoTimestamp
  std::uint32_t key_begin = 0;    // its key: keys[key_begin, key_begin + key_size)
  std::uint32_t key_size = 0;
  bool has_key = false;
};

// Where a partition of a message transport stands after a chunk: more of it may come (Open),
// the transport has had nothing from it for its idle timeout and lets the stream go on without
// it for now (Idle), or it has ended (Finished: read to its end, or --until-end reached).
enum class PartitionState : std::uint8_t { Open, Idle, Finished };

// A run of whole records, exactly as read. Byte-stream transports (files) hand records as
// lines in `bytes` with counters of bytes, lines and records; message transports hand one
// record per message, listed in `messages`, with their partitions and offsets.
struct Chunk {
  std::size_t sequence = 0;        // 0, 1, 2, ... per source since open/seek
  std::string bytes;               // whole records; text sources keep padding past size()
  std::int64_t begin_offset = 0;   // bytes (or rows) consumed before this chunk
  std::int64_t begin_line = 0;     // physical lines consumed before this chunk
  std::int64_t begin_record = 0;   // records consumed before this chunk
  std::int64_t end_offset = 0;     // ... and after it
  std::int64_t end_line = 0;
  std::int64_t end_record = 0;
  // Message transports only.
  std::vector<Message> messages;
  std::string keys;                                         // the messages' keys, concatenated
  std::shared_ptr<const std::vector<std::string>> partitions;  // names, e.g. "clicks/3"
  std::vector<std::int64_t> partition_ends;  // per partition: the next offset after this chunk; -1: not in it
  std::vector<PartitionState> partition_states;  // per partition after this chunk; empty: all Open

  bool has_messages() const { return !messages.empty() || partitions != nullptr; }
};

// A chunk's records, parsed. Each good record remembers the position just after it, so the
// micro-batcher can cut a batch after any record and give it an exact end position. For a
// message transport that position is in one partition: end_partitions names it, end_offsets
// holds the partition's next offset, and end_lines is 0.
struct RecordBlock {
  std::size_t sequence = 0;
  Batch records;                          // good records, in stream order
  std::vector<std::int64_t> end_offsets;  // per good record
  std::vector<std::int64_t> end_lines;    // per good record
  std::vector<std::int64_t> end_records;  // per good record: records consumed, bad included
  std::vector<std::int32_t> end_partitions;  // per good record (message transports only)
  std::vector<BadRecord> bad;             // in stream order
  std::int64_t end_offset = 0;            // after the whole chunk
  std::int64_t end_line = 0;
  std::int64_t end_record = 0;
  std::shared_ptr<const std::vector<std::string>> partitions;  // message transports: the chunk's
  std::vector<std::int64_t> partition_ends;                    // ... and where each ends after it
  std::vector<PartitionState> partition_states;                // ... and whether more may come
  // Per good record, when partitions are merged (partition_merge.h): its merge time, which the
  // batcher cuts by in place of the event time (it differs only for a late record).
  std::vector<EventTime> merge_times;
  std::int64_t bytes = 0;                 // raw bytes the chunk held (for MB/s)

  // An empty block for a chunk: its sequence, end counters and size, with room for every
  // record the chunk may hold.
  static RecordBlock for_chunk(const Chunk& chunk);
  // Records that the good record just parsed ends at this offset, line and record count.
  void add_end(std::int64_t offset, std::int64_t line, std::int64_t record) {
    end_offsets.push_back(offset);
    end_lines.push_back(line);
    end_records.push_back(record);
  }
  // The same for the record of a message: the partition's next offset after it.
  void add_message_end(std::int32_t partition, std::int64_t next_offset, std::int64_t record) {
    add_end(next_offset, 0, record);
    end_partitions.push_back(partition);
  }
  bool has_partitions() const { return partitions != nullptr; }
};

class Source {
 public:
  virtual ~Source() = default;

  // "csv:data/clicks.csv", "jsonl:...", "memory": the `source` of every Position it makes.
  virtual std::string name() const = 0;
  virtual const Schema& schema() const = 0;

  virtual std::optional<Chunk> read_chunk() = 0;
  virtual RecordBlock parse(Chunk chunk) const = 0;

  // The position after the last chunk read (the start, before any).
  virtual Position position() const = 0;
  // Throws Error(InvalidInput) if the position is of another source or out of range.
  virtual void seek(const Position& position) = 0;

  // Total size in the unit of Position::offset when known (files: bytes), for progress/ETA.
  virtual std::optional<std::int64_t> total_size() const { return std::nullopt; }
  // Its records come from partitions read in an order that may differ between runs (messages).
  virtual bool has_partitions() const { return false; }
  // A checkpoint holding this position was taken (Transport::checkpointed).
  virtual void checkpointed(const Position& position) { (void)position; }
  // A few words for the progress line (Kafka: lag per partition); thread-safe.
  virtual std::string progress() const { return {}; }
  // Reading ended because it was asked to stop (Transport::stopped).
  virtual bool stopped() const { return false; }
};

// What messages call the source: "data/x.csv" for "csv:data/x.csv", the name otherwise.
std::string display_name(const Source& source);

}  // namespace streamml
