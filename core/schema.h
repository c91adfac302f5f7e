// Schema: which input columns are features, label, key and event time.
//
// Built from a CSV header (or a JSON Lines record's fields) plus the user's choices, or given
// column by column. Columns not named otherwise become dense numeric features, in file order.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/hashing.h"

namespace streamml {

enum class ColumnRole {
  Feature,      // numeric, dense
  Categorical,  // string, hashed into the sparse block as "column=value"
  Text,         // free text, each word hashed into the sparse block as "column=word"
  Label,        // numeric target
  Key,          // entity id (string or integer): the batch's key column
  Id,           // a further id with a role of the user's ("item", "service"): Batch::ids
  EventTime,    // epoch seconds or ISO 8601
  Ignore,       // read past
};

const char* role_name(ColumnRole role);

enum class KeyType { String, Int64 };

// "@key", "@timestamp", "@partition", "@offset", ...: a column about a message (a message
// transport's metadata, or the columns `streamml record` writes), never an implicit feature.
inline bool is_message_column(const std::string& name) { return !name.empty() && name[0] == '@'; }

// The user's choices; empty strings and lists mean "not chosen".
struct SchemaOptions {
  std::string label;
  std::string key;
  std::string time;
  std::vector<std::string> features;     // empty: every column not given another role
  std::vector<std::string> categorical;
  std::vector<std::string> text;
  std::vector<std::string> ignore;
  // Further id columns: (role, column), e.g. ("item", "product"); the batch holds them by role.
  std::vector<std::pair<std::string, std::string>> ids;
  KeyType key_type = KeyType::String;     // of the key and every id column
  int hash_bits = 18;                    // 2^18 sparse buckets when any column is hashed
};

struct Column {
  std::string name;
  ColumnRole role = ColumnRole::Ignore;
  int feature_index = -1;  // position in the dense feature vector for Feature columns
  int id_index = -1;       // position in Batch::ids for Id columns
};

class Schema {
 public:
  Schema() = default;
  // From the column names of a file in file order. Throws Error(InvalidInput) when a chosen
  // column is not in the header (naming it and listing the header) or is chosen twice.
  static Schema from_header(const std::vector<std::string>& header, const SchemaOptions& options);

  const std::vector<Column>& columns() const { return columns_; }
  std::size_t n_columns() const { return columns_.size(); }
  std::size_t n_features() const { return feature_names_.size(); }
  const std::vector<std::string>& feature_names() const { return feature_names_; }
  bool has_hashed() const { return hashed_; }
  const FeatureHasher& hasher() const { return hasher_; }
  KeyType key_type() const { return key_type_; }

  // Index of the column with that role, or nullopt.
  std::optional<std::size_t> label_column() const { return label_; }
  std::optional<std::size_t> key_column() const { return key_; }
  std::optional<std::size_t> time_column() const { return time_; }
  // The roles of the id columns beyond the key, in Batch::ids order.
  const std::vector<std::string>& id_roles() const { return id_roles_; }
  // Index of a column by name, or nullopt.
  std::optional<std::size_t> find(const std::string& name) const;

  // For a value that is not a number in a feature column the user never chose: a hint on
  // how to give the column a role (empty when the features were listed explicitly).
  std::string implicit_feature_hint(std::size_t column) const;

  // Recorded streams are those with an event-time column: they can be replayed at their pace.
  bool is_recorded_stream() const { return time_.has_value(); }

 private:
  std::vector<Column> columns_;
  std::vector<std::string> feature_names_;
  std::vector<std::string> id_roles_;
  std::optional<std::size_t> label_, key_, time_;
  bool hashed_ = false;
  bool explicit_features_ = false;
  FeatureHasher hasher_;
  KeyType key_type_ = KeyType::String;
};

}  // namespace streamml
