#include "streaming/file_source.h"

#include <algorithm>
#include <cctype>

#include "core/error.h"
#include "streaming/csv_source.h"
#include "streaming/jsonl_source.h"

namespace streamml {

namespace {
std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return char(std::tolower(c)); });
  return s;
}

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}
}  // namespace

FileFormat parse_file_format(const std::string& text) {
  const std::string t = lower(text);
  if (t == "auto") return FileFormat::Auto;
  if (t == "csv") return FileFormat::Csv;
  if (t == "jsonl" || t == "ndjson" || t == "json") return FileFormat::JsonLines;
  STREAMML_FAIL(InvalidInput,
                "unknown file format '" << text << "', expected csv, jsonl (ndjson, json) or auto");
}

std::unique_ptr<Source> open_file_source(const std::string& path, const FileSourceOptions& options) {
  FileFormat format = options.format;
  if (format == FileFormat::Auto) {
    const std::string p = lower(path);
    format = ends_with(p, ".jsonl") || ends_with(p, ".ndjson") || ends_with(p, ".json")
                 ? FileFormat::JsonLines
                 : FileFormat::Csv;
  }
  if (format == FileFormat::JsonLines) return std::make_unique<JsonLinesSource>(path, options);
  return std::make_unique<CsvSource>(path, options);
}

}  // namespace streamml
