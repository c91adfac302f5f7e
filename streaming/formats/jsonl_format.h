// JsonLinesFormat: one JSON object per record (a line of a file, or a message), from any
// transport.
//
// Columns are FormatOptions::column_names, or the keys of the first record in order.
// Numbers (and true/false as 1/0) feed features and labels; strings feed keys, categorical
// and text columns; an event time is epoch seconds (a number) or a string parse_event_time
// reads. null or a missing key is a missing value, treated as an empty CSV field is; extra
// keys are ignored. A record that is not a JSON object is a bad record (column 0). Over a
// message transport the message columns ("@key", "@timestamp", ...) follow the record's own.
#pragma once

#include <string>

#include "streaming/formats/format.h"
#include "streaming/formats/message_columns.h"

namespace streamml {

class Transport;

class JsonLinesFormat : public RecordFormat {
 public:
  static constexpr bool kQuoted = false;  // a JSON string cannot hold a raw line end

  // Takes the column names from the transport's first record when none are given (reading
  // still starts at it); throws Error(InvalidInput) if that record is not a JSON object.
  JsonLinesFormat(const FormatOptions& options, Transport& transport);

  std::string kind() const override { return "jsonl"; }
  const Schema& schema() const override { return schema_; }
  RecordBlock parse(Chunk chunk) const override;

 private:
  Schema schema_;
  std::size_t payload_columns_ = 0;  // the record's own; message columns follow
  MessageColumns message_columns_;
  bool allow_non_finite_;
  std::string stream_;
};

}  // namespace streamml
