// TextFileSource: what every line-oriented file source shares — the reader, the schema,
// positions in (byte offset, line, records) and seeking back to one. CSV and JSON Lines
// differ only in how they read their columns and parse a chunk.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "core/schema.h"
#include "streaming/source.h"
#include "streaming/text_file.h"

namespace streamml {

class TextFileSource : public Source {
 public:
  std::string name() const override { return kind_ + ":" + reader_.path(); }
  const Schema& schema() const override { return schema_; }
  std::optional<Chunk> read_chunk() override { return reader_.read_chunk(); }
  Position position() const override;
  // The all-zero position means the start of the stream (past any header); any other must
  // be of this file and at or after where its records start.
  void seek(const Position& position) override;
  std::optional<std::int64_t> total_size() const override { return reader_.size(); }

 protected:
  // kind: "csv", "jsonl" — the prefix of the source's name.
  TextFileSource(std::string kind, const std::string& path, bool quoted, std::size_t chunk_bytes);
  // Subclasses call this once their header (if any) is read: records start here.
  void mark_start();
  // The parser must find in a chunk exactly the records and lines the reader counted when it
  // cut the chunk (positions depend on it); throws Error(Runtime) naming both counts if not.
  void check_counts(const Chunk& chunk, std::int64_t record, std::int64_t line) const;

  TextFileReader reader_;
  Schema schema_;

 private:
  std::string kind_;
  std::int64_t start_offset_ = 0;
  std::int64_t start_line_ = 0;
};

}  // namespace streamml
