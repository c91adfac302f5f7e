// Opening a recorded file as a Source: a FileTransport composed with the CSV or JSON Lines
// format (record_source.h), chosen by flag or extension; and a text file of lines.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/event_time.h"
#include "core/schema.h"
#include "streaming/bad_records.h"
#include "streaming/formats/format.h"
#include "streaming/record_source.h"
#include "streaming/source.h"

namespace streamml {

struct FileSourceOptions {
  FileFormat format = FileFormat::Auto;  // Auto: .jsonl/.ndjson/.json are JSON Lines, else CSV
  SchemaOptions schema;
  BadRecordPolicy bad_records;
  char delimiter = ',';                  // CSV only
  bool header = true;                    // CSV only: first line names the columns
  std::vector<std::string> column_names; // CSV without header / JSON Lines: the fields to read
  std::size_t chunk_bytes = std::size_t(1) << 20;  // read size; a chunk holds whole records

  // What the format takes of these.
  FormatOptions format_options() const;
};

// The format a path's extension names: .jsonl/.ndjson/.json are JSON Lines, anything else CSV.
FileFormat file_format_of(const std::string& path, FileFormat given = FileFormat::Auto);

// Opens the file and reads what the schema needs (CSV header; for JSON Lines without
// column_names, the fields of the first record). Throws Error(Io) naming the file if it
// cannot be read, Error(InvalidInput) if its header does not fit the options.
std::unique_ptr<Source> open_file_source(const std::string& path, const FileSourceOptions& options);

// A text file replayed as a stream of lines (a log, a text corpus), each line a record whose
// text is held in the batch's string key column (what dstream's StreamingContext::lines()
// reads). Empty lines are not records.
struct LineSourceOptions {
  // nullopt: the line has no readable time (a bad record). Called in parallel.
  std::function<std::optional<EventTime>(std::string_view line)> event_time;
  std::size_t chunk_bytes = std::size_t(1) << 20;
};
std::unique_ptr<Source> open_line_source(const std::string& path, LineSourceOptions options = {});

}  // namespace streamml
