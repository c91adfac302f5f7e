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
#include "streaming/text_file_source.h"

namespace streamml {

class JsonLinesSource : public TextFileSource {
 public:
  // Throws Error(Io) if the file cannot be read; Error(InvalidInput) if the first record
  // (needed for the column names when none are given) is not a JSON object.
  JsonLinesSource(const std::string& path, const FileSourceOptions& options);

  RecordBlock parse(Chunk chunk) const override;

 private:
  bool allow_non_finite_;
};

}  // namespace streamml
