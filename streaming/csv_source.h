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
#include "streaming/text_file.h"

namespace streamml {

class CsvSource : public Source {
 public:
  // Reads the header; throws Error(Io) if the file cannot be read, Error(InvalidInput) if the
  // header does not fit the options.
  CsvSource(const std::string& path, const FileSourceOptions& options);

  std::string name() const override { return "csv:" + reader_.path(); }
  const Schema& schema() const override { return schema_; }
  std::optional<Chunk> read_chunk() override { return reader_.read_chunk(); }
  RecordBlock parse(Chunk chunk) const override;
  Position position() const override;
  void seek(const Position& position) override;
  std::optional<std::int64_t> total_size() const override { return reader_.size(); }

 private:
  struct ParseState;
  bool parse_record(ParseState& st) const;

  TextFileReader reader_;
  char delimiter_;
  bool allow_non_finite_;
  Schema schema_;
  std::int64_t start_offset_ = 0;  // just past the header
  std::int64_t start_line_ = 0;
};

}  // namespace streamml
