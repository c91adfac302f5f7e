// Where a stream stood: enough to seek a source back to exactly that point.
//
// A Position travels with every Batch (the position just after its last record), so a
// checkpoint can record where the stream was when a model had the state it saved. To the
// pipeline it is opaque; it round-trips through JSON for checkpoints and summaries.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace streamml {

struct Position {
  std::string source;         // what it is a position in, e.g. "csv:data/clicks.csv"
  std::int64_t offset = 0;    // bytes consumed (files) or rows consumed (in-memory sources)
  std::int64_t line = 0;      // physical lines consumed (text files; 0 otherwise)
  std::int64_t records = 0;   // records consumed, good and bad
  std::map<std::string, std::int64_t> partitions;  // next offset per partition (Kafka)
  // Partitions merged by event time (streaming/partition_merge.h): the latest event time
  // (microseconds) of the records before this position; a merge resumed here places no record
  // before it, so every later record keeps the place it had in an uninterrupted run.
  std::optional<std::int64_t> watermark;

  std::string to_json() const;
  // Throws Error(InvalidInput) naming the field when the text is not a position.
  static Position from_json(std::string_view json);

  bool operator==(const Position& o) const {
    return source == o.source && offset == o.offset && line == o.line && records == o.records &&
           partitions == o.partitions && watermark == o.watermark;
  }
  bool operator!=(const Position& o) const { return !(*this == o); }
};

}  // namespace streamml
