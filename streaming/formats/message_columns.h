// Message columns: what a message transport knows of each record besides its payload — the
// message's key, timestamp, topic, partition and offset, and its payload's text — offered to the
// schema as columns named "@key", "@timestamp", "@topic", "@partition", "@offset", "@value"
// after the payload's own. They
// take roles like any column (`--time @timestamp`, `--key @key`, `--categorical @partition`)
// and are otherwise ignored (core/schema.h: is_message_column). A payload that has a column of
// the same name keeps its own.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "core/schema.h"
#include "streaming/source.h"

namespace streamml {

class RecordBuilder;

// The names a message transport offers, in this order.
const std::vector<std::string>& message_column_names();

// names (the payload's columns) followed by the message columns the payload does not have.
std::vector<std::string> with_message_columns(std::vector<std::string> names);

class MessageColumns {
 public:
  enum class Field { Key, Timestamp, Topic, Partition, Offset, Value };

  MessageColumns() = default;
  // The message columns of a schema whose first `payload_columns` columns are the payload's.
  MessageColumns(const Schema& schema, std::size_t payload_columns);

  bool empty() const { return columns_.empty(); }
  // Writes the message's columns into the record being built; false (with column and reason
  // in bad) when one does not fit its role (a key that is not an integer under --key-type int,
  // a message without a timestamp as event time).
  bool fill(const Chunk& chunk, const Message& message, RecordBuilder& out, BadRecord& bad) const;

 private:
  struct Entry {
    std::size_t column;  // 0-based, in the schema
    Field field;
    ColumnRole role;
    int feature_index;
    int id_index;
    std::string name;
  };
  std::vector<Entry> columns_;
  KeyType key_type_ = KeyType::String;
};

}  // namespace streamml
