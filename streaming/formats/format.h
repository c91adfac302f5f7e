// RecordFormat: how a stream's records are written — CSV, JSON Lines, a text line per record —
// apart from where they come from (a transport, streaming/transport.h). A format reads its
// column names when it is made (a CSV header, the keys of the first JSON object) and then
// parses the chunks the transport hands; parse() is pure and runs on many threads at once.
//
// A chunk of a byte stream is parsed line by line by each format's own loop (the hot path); a
// chunk of messages goes through parse_messages() below, where each message is exactly one
// record and its position is its partition's offset. Both call the same per-record parser.
#pragma once

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "core/schema.h"
#include "streaming/source.h"

namespace streamml {

// What a format needs to know of a stream's records (the user's choices).
struct FormatOptions {
  SchemaOptions schema;                   // which column is the label, key, time, ...
  bool allow_non_finite = false;          // NaN/Inf and empty numeric fields read as NaN
  char delimiter = ',';                   // CSV
  bool header = true;                     // CSV: the first record names the columns
  std::vector<std::string> column_names;  // CSV without header / JSON Lines: the fields to read
};

class RecordFormat {
 public:
  virtual ~RecordFormat() = default;
  // "csv", "jsonl", "lines": the first part of the source's name ("csv:data/clicks.csv").
  virtual std::string kind() const = 0;
  virtual const Schema& schema() const = 0;
  virtual RecordBlock parse(Chunk chunk) const = 0;
};

// Bad records keep at most this much of their text.
inline constexpr std::size_t kMaxBadRecordText = 1024;

// The parser must find in a chunk of a byte stream exactly the records and lines the transport
// counted when it cut it (positions depend on it); throws Error(Runtime) naming both counts.
void check_chunk_counts(const Chunk& chunk, std::int64_t record, std::int64_t line, const std::string& stream);

// The loop over a chunk of messages, one record each. parse_one(message, begin, end, bad)
// parses the payload [begin, end) and returns whether the record is good (committing it) or
// fills bad.column and bad.reason.
template <class ParseOne>
void parse_messages(const Chunk& chunk, RecordBlock& block, ParseOne&& parse_one) {
  std::int64_t record = chunk.begin_record;
  for (const Message& m : chunk.messages) {
    ++record;
    const char* begin = chunk.bytes.data() + m.begin;
    const char* end = begin + m.size;
    BadRecord bad;
    if (parse_one(m, begin, end, bad)) {
      block.add_message_end(m.partition, m.offset + 1, record);
    } else {
      bad.record = record;
      bad.partition = (*chunk.partitions)[std::size_t(m.partition)];
      bad.offset = m.offset;
      bad.text.assign(begin, std::min<std::size_t>(m.size, kMaxBadRecordText));
      block.bad.push_back(std::move(bad));
    }
  }
}

}  // namespace streamml
