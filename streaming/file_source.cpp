#include "streaming/file_source.h"

#include <algorithm>
#include <cctype>

#include "core/error.h"
#include "streaming/formats/lines_format.h"
#include "streaming/transports/file_transport.h"

namespace streamml {

namespace {
bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}
}  // namespace

FormatOptions FileSourceOptions::format_options() const {
  FormatOptions f;
  f.schema = schema;
  f.allow_non_finite = bad_records.allow_non_finite;
  f.delimiter = delimiter;
  f.header = header;
  f.column_names = column_names;
  return f;
}

FileFormat file_format_of(const std::string& path, FileFormat given) {
  if (given != FileFormat::Auto) return given;
  std::string p = path;
  std::transform(p.begin(), p.end(), p.begin(), [](unsigned char c) { return char(std::tolower(c)); });
  return ends_with(p, ".jsonl") || ends_with(p, ".ndjson") || ends_with(p, ".json") ? FileFormat::JsonLines
                                                                                      : FileFormat::Csv;
}

std::unique_ptr<Source> open_file_source(const std::string& path, const FileSourceOptions& options) {
  const FileFormat format = file_format_of(path, options.format);
  return open_record_source(std::make_unique<FileTransport>(path, framing_of(format), options.chunk_bytes), format,
                            options.format_options());
}

std::unique_ptr<Source> open_line_source(const std::string& path, LineSourceOptions options) {
  auto transport = std::make_unique<FileTransport>(path, Framing::Lines, options.chunk_bytes);
  auto format = std::make_unique<LinesFormat>(LinesFormatOptions{std::move(options.event_time)}, *transport);
  return std::make_unique<RecordSource>(std::move(transport), std::move(format));
}

}  // namespace streamml
