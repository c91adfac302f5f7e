// JsonLinesSource: a JSON Lines file (one JSON object per line) replayed as a stream.
//
// Columns are FileSourceOptions::column_names, or the keys of the first record in order.
// Numbers (and true/false as 1/0) feed features and labels; strings feed keys, categorical
// and text columns; an event time is epoch seconds (a number) or a string parse_event_time
// reads. null or a missing key is a missing value, treated as an empty CSV field is; extra
// keys are ignored. A line that is not a JSON object is a bad record (column 0).
#pragma once

#include <string>

#include "streaming/file_source.h"
#include "streaming/source.h"
#include "streaming/text_file.h"

namespace streamml {

class JsonLinesSource : public Source {
 public:
  // Throws Error(Io) if the file cannot be read; Error(InvalidInput) if the first record
  // (needed for the column names when none are given) is not a JSON object.
  JsonLinesSource(const std::string& path, const FileSourceOptions& options);

  std::string name() const override { return "jsonl:" + reader_.path(); }
  const Schema& schema() const override { return schema_; }
  std::optional<Chunk> read_chunk() override { return reader_.read_chunk(); }
  RecordBlock parse(Chunk chunk) const override;
  Position position() const override;
  void seek(const Position& position) override;
  std::optional<std::int64_t> total_size() const override { return reader_.size(); }

 private:
  TextFileReader reader_;
  bool allow_non_finite_;
  Schema schema_;
};

}  // namespace streamml
