// CsvSource: a CSV file (RFC 4180) replayed as a stream.
//
// The header line names the columns (or FileSourceOptions::column_names when there is none).
// Fields may be quoted, with "" for a quote and delimiters or newlines inside. Numeric fields
// may have spaces around them; an empty numeric field is missing (NaN when non-finite values
// are allowed, else a bad record). Bad records are reported with their line and field, never
// stop parsing, and are counted in positions like good ones.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "streaming/file_source.h"
#include "streaming/source.h"
#include "streaming/text_file_source.h"

namespace streamml {

class CsvSource : public TextFileSource {
 public:
  // Reads the header; throws Error(Io) if the file cannot be read, Error(InvalidInput) if the
  // header does not fit the options.
  CsvSource(const std::string& path, const FileSourceOptions& options);

  RecordBlock parse(Chunk chunk) const override;

 private:
  struct ParseState;
  bool parse_record(ParseState& st) const;

  char delimiter_;
  bool allow_non_finite_;
};

}  // namespace streamml
