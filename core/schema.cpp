#include "core/schema.h"

#include <algorithm>
#include <cctype>

#include "core/error.h"

namespace streamml {

const char* role_name(ColumnRole role) {
  switch (role) {
    case ColumnRole::Feature: return "feature";
    case ColumnRole::Categorical: return "categorical";
    case ColumnRole::Text: return "text";
    case ColumnRole::Label: return "label";
    case ColumnRole::Key: return "key";
    case ColumnRole::Id: return "id";
    case ColumnRole::EventTime: return "time";
    case ColumnRole::Ignore: return "ignore";
  }
  return "?";
}

namespace {
std::string joined(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}
}  // namespace

Schema Schema::from_header(const std::vector<std::string>& header, const SchemaOptions& options) {
  Schema s;
  s.key_type_ = options.key_type;
  s.hasher_ = FeatureHasher(options.hash_bits);
  for (std::size_t i = 0; i < header.size(); ++i) {
    const auto dup = std::find(header.begin(), header.begin() + i, header[i]);
    STREAMML_CHECK(dup == header.begin() + i, InvalidInput,
                   "column '" << header[i] << "' appears twice in the header (columns "
                              << (dup - header.begin()) + 1 << " and " << i + 1 << ")");
    s.columns_.push_back({header[i], ColumnRole::Ignore, -1});
  }
  const bool explicit_features = !options.features.empty();
  s.explicit_features_ = explicit_features;
  // Columns named "@..." describe a message rather than hold its data (the key, timestamp,
  // partition and offset a message transport adds, or a recorded topic keeps): they are read
  // only when given a role.
  if (!explicit_features)
    for (auto& c : s.columns_) c.role = is_message_column(c.name) ? ColumnRole::Ignore : ColumnRole::Feature;

  auto assign = [&](const std::string& name, ColumnRole role) {
    auto it = std::find_if(s.columns_.begin(), s.columns_.end(),
                           [&](const Column& c) { return c.name == name; });
    STREAMML_CHECK(it != s.columns_.end(), InvalidInput,
                   role_name(role) << " column '" << name << "' is not in the header ("
                                   << joined(header) << ")");
    const bool taken = it->role != ColumnRole::Ignore &&
                       !(it->role == ColumnRole::Feature && !explicit_features);
    STREAMML_CHECK(!taken, InvalidInput,
                   "column '" << name << "' is given two roles: " << role_name(it->role)
                              << " and " << role_name(role));
    it->role = role;
    return std::size_t(it - s.columns_.begin());
  };
  // Explicit features first, so a feature also named as label is reported as a conflict.
  for (const auto& f : options.features) assign(f, ColumnRole::Feature);
  if (!options.label.empty()) s.label_ = assign(options.label, ColumnRole::Label);
  if (!options.key.empty()) s.key_ = assign(options.key, ColumnRole::Key);
  if (!options.time.empty()) s.time_ = assign(options.time, ColumnRole::EventTime);
  for (const auto& c : options.categorical) assign(c, ColumnRole::Categorical);
  for (const auto& c : options.text) assign(c, ColumnRole::Text);
  for (const auto& c : options.ignore) assign(c, ColumnRole::Ignore);
  for (const auto& [role, column] : options.ids) {
    bool ok = !role.empty() && role != "key";
    for (char ch : role) ok = ok && (std::isalnum(static_cast<unsigned char>(ch)) || ch == '_');
    STREAMML_CHECK(ok, InvalidInput,
                   "id role '" << role << "' must be a word of letters, digits and '_' other than 'key' (the --key column's)");
    STREAMML_CHECK(std::find(s.id_roles_.begin(), s.id_roles_.end(), role) == s.id_roles_.end(), InvalidInput,
                   "id role '" << role << "' is given twice");
    const std::size_t at = assign(column, ColumnRole::Id);
    s.columns_[at].id_index = int(s.id_roles_.size());
    s.id_roles_.push_back(role);
  }

  // Dense feature order: the user's order when given, file order otherwise.
  if (explicit_features) {
    for (const auto& f : options.features) {
      auto& c = s.columns_[*s.find(f)];
      c.feature_index = int(s.feature_names_.size());
      s.feature_names_.push_back(c.name);
    }
  } else {
    for (auto& c : s.columns_)
      if (c.role == ColumnRole::Feature) {
        c.feature_index = int(s.feature_names_.size());
        s.feature_names_.push_back(c.name);
      }
  }
  s.hashed_ = std::any_of(s.columns_.begin(), s.columns_.end(), [](const Column& c) {
    return c.role == ColumnRole::Categorical || c.role == ColumnRole::Text;
  });
  return s;
}

std::string Schema::implicit_feature_hint(std::size_t column) const {
  if (explicit_features_ || column >= columns_.size() || columns_[column].role != ColumnRole::Feature)
    return {};
  return " (a column given no role is read as a numeric feature: give '" + columns_[column].name +
         "' a role (key, categorical, text, ignore) or list the features)";
}

std::optional<std::size_t> Schema::find(const std::string& name) const {
  for (std::size_t i = 0; i < columns_.size(); ++i)
    if (columns_[i].name == name) return i;
  return std::nullopt;
}

}  // namespace streamml
