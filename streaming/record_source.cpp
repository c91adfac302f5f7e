#include "streaming/record_source.h"

#include <algorithm>
#include <cctype>

#include "core/error.h"
#include "streaming/formats/csv_format.h"
#include "streaming/formats/jsonl_format.h"

namespace streamml {

FileFormat parse_file_format(const std::string& text) {
  std::string t = text;
  std::transform(t.begin(), t.end(), t.begin(), [](unsigned char c) { return char(std::tolower(c)); });
  if (t == "auto") return FileFormat::Auto;
  if (t == "csv") return FileFormat::Csv;
  if (t == "jsonl" || t == "ndjson" || t == "json") return FileFormat::JsonLines;
  STREAMML_FAIL(InvalidInput,
                "unknown file format '" << text << "', expected csv, jsonl (ndjson, json) or auto");
}

RecordSource::RecordSource(std::unique_ptr<Transport> transport, std::unique_ptr<RecordFormat> format)
    : transport_(std::move(transport)), format_(std::move(format)) {
  STREAMML_CHECK(transport_ && format_, InvalidInput, "a record source needs a transport and a format");
}

Position RecordSource::position() const {
  Position p = transport_->position();
  p.source = name();
  return p;
}

void RecordSource::seek(const Position& position) {
  STREAMML_CHECK(position.source == name(), InvalidInput,
                 "position is of source '" << position.source << "', this source is '" << name() << "'");
  transport_->seek(position);
}

Framing framing_of(FileFormat format) {
  return format == FileFormat::Csv ? Framing::QuotedLines : Framing::Lines;
}

std::unique_ptr<Source> open_record_source(std::unique_ptr<Transport> transport, FileFormat format,
                                           const FormatOptions& options) {
  STREAMML_CHECK(transport != nullptr, InvalidInput, "a record source needs a transport, got null");
  std::unique_ptr<RecordFormat> records;
  switch (format) {
    case FileFormat::Csv: records = std::make_unique<CsvFormat>(options, *transport); break;
    case FileFormat::JsonLines: records = std::make_unique<JsonLinesFormat>(options, *transport); break;
    case FileFormat::Auto:
      STREAMML_FAIL(InvalidInput, "the format of '" << transport->name() << "' must be given: csv or jsonl");
  }
  return std::make_unique<RecordSource>(std::move(transport), std::move(records));
}

}  // namespace streamml
