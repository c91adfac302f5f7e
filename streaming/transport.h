// Transport: where the bytes of a stream come from — a file, messages in memory, a Kafka topic
// — with a resumable position, apart from how its records are written (a format,
// streaming/formats/format.h). A transport hands chunks of whole records (source.h's Chunk):
// byte-stream transports cut a file at record ends, message transports hand one record per
// message with its partition and offset. RecordSource (record_source.h) composes the two into a
// Source.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "core/position.h"
#include "streaming/source.h"

namespace streamml {

// How a byte stream is cut into records: at each '\n', or (CSV) at each '\n' outside double
// quotes. Message transports ignore it: a message is a record.
enum class Framing { Lines, QuotedLines };

// A stream's first record, as a format reads its column names from it.
struct FirstRecord {
  std::string text;       // without its line end
  std::int64_t line = 0;  // 1-based physical line (byte streams; 0 for a message)
};

class Transport {
 public:
  virtual ~Transport() = default;

  // What positions call it: the path of a file, "memory:name", "kafka:topic".
  virtual std::string name() const = 0;
  // The next chunk of whole records, or nullopt when there are none (at the end of a file; for
  // a live transport, none right now and none to come before it is stopped).
  virtual std::optional<Chunk> read_chunk() = 0;
  // The first record's text (without its line end), for a format that takes its column names
  // from it. consume: reading then starts after it (a CSV header) — and seeking to a fresh
  // position goes past it too — or at it (a JSON object whose keys name the columns).
  virtual std::optional<FirstRecord> first_record(bool consume) = 0;
  // Where reading stands; the offset, line and records of a byte stream, or the next offset
  // per partition of a message transport (source: left for the caller to fill).
  virtual Position position() const = 0;
  // Continues from a position this transport gave (its source field is the caller's to
  // check); the all-zero position is the start. Throws Error(InvalidInput) for one that does
  // not fit (out of range, not at a record's start, an unknown partition).
  virtual void seek(const Position& position) = 0;
  // The size in Position::offset units when known (files: bytes), for progress and ETA.
  virtual std::optional<std::int64_t> total_size() const { return std::nullopt; }
  // A message transport: chunks hold messages (Chunk::messages), and formats add the message
  // columns "@key", "@timestamp", ... (streaming/formats/message_columns.h) after the payload's.
  virtual bool is_message_transport() const { return false; }
  // A checkpoint holding this position was taken (Kafka commits it to the group, for
  // monitoring tools; the checkpoint stays the truth).
  virtual void checkpointed(const Position& position) { (void)position; }
  // A few words for the progress line (Kafka: lag per partition); thread-safe.
  virtual std::string progress() const { return {}; }
  // Reading ended because it was asked to stop, not at the stream's end: the records after the
  // last complete batch are left for a resume to read again.
  virtual bool stopped() const { return false; }
};

}  // namespace streamml
