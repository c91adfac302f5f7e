// Opening a recorded file as a Source: CSV or JSON Lines, chosen by flag or extension.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/schema.h"
#include "streaming/bad_records.h"
#include "streaming/source.h"

namespace streamml {

enum class FileFormat { Auto, Csv, JsonLines };

// "csv" / "jsonl" (also "ndjson", "json"); throws Error(InvalidInput) for anything else.
FileFormat parse_file_format(const std::string& text);

struct FileSourceOptions {
  FileFormat format = FileFormat::Auto;  // Auto: .jsonl/.ndjson/.json are JSON Lines, else CSV
  SchemaOptions schema;
  BadRecordPolicy bad_records;
  char delimiter = ',';                  // CSV only
  bool header = true;                    // CSV only: first line names the columns
  std::vector<std::string> column_names; // CSV without header / JSON Lines: the fields to read
  std::size_t chunk_bytes = std::size_t(1) << 20;  // read size; a chunk holds whole records
};

// Opens the file and reads what the schema needs (CSV header; for JSON Lines without
// column_names, the fields of the first record). Throws Error(Io) naming the file if it
// cannot be read, Error(InvalidInput) if its header does not fit the options.
std::unique_ptr<Source> open_file_source(const std::string& path, const FileSourceOptions& options);

}  // namespace streamml
