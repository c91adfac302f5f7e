// CsvFormat: CSV records (RFC 4180) from any transport.
//
// The header line names the columns (or FormatOptions::column_names when there is none).
// Fields may be quoted, with "" for a quote and delimiters or newlines inside. Numeric fields
// may have spaces around them; an empty numeric field is missing (NaN when non-finite values
// are allowed, else a bad record). Bad records are reported with their line and field (or
// their message's partition and offset), never stop parsing, and are counted in positions
// like good ones. Over a message transport the message columns ("@key", "@timestamp", ...)
// follow the record's own.
#pragma once

#include <string>

#include "streaming/formats/format.h"
#include "streaming/formats/message_columns.h"

namespace streamml {

class Transport;

class CsvFormat : public RecordFormat {
 public:
  static constexpr bool kQuoted = true;  // records end at a line end outside quotes

  // Reads the header through the transport (which then starts after it); throws
  // Error(InvalidInput) if the header does not fit the options.
  CsvFormat(const FormatOptions& options, Transport& transport);

  std::string kind() const override { return "csv"; }
  const Schema& schema() const override { return schema_; }
  RecordBlock parse(Chunk chunk) const override;

 private:
  struct ParseState;
  bool parse_record(ParseState& st) const;

  Schema schema_;
  std::size_t payload_columns_ = 0;  // the record's own; message columns follow
  MessageColumns message_columns_;
  char delimiter_;
  bool allow_non_finite_;
  std::string stream_;  // the transport's name, for messages
};

}  // namespace streamml
