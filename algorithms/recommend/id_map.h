// IdMap: user or item ids (strings or int64, one kind per map) to factor rows 0, 1, 2, ...
// given in order of first appearance, so the same stream always gives the same rows.
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/batch.h"

namespace streamml {

class IdMap {
 public:
  enum class Kind { None, Text, Integer };

  // `what` names the ids in errors: "user", "item".
  explicit IdMap(std::string what = "id") : what_(std::move(what)) {}

  Kind kind() const { return kind_; }
  std::size_t size() const { return kind_ == Kind::Text ? text_ids_.size() : int_ids_.size(); }
  const std::vector<std::string>& text_ids() const { return text_ids_; }
  const std::vector<std::int64_t>& int_ids() const { return int_ids_; }

  // Checks a column before anything is added: the same kind as the ids so far (any kind when
  // the map is empty), no empty strings. Throws Error(InvalidInput) naming the record.
  void check(const KeyColumn& ids, std::size_t expected_rows) const;
  // The rows of a column's ids, adding the new ones (check() first).
  std::vector<std::uint32_t> add(const KeyColumn& ids);
  // The rows of a column's ids, -1 for an id never seen (or of the other kind).
  std::vector<std::int64_t> find(const KeyColumn& ids) const;
  std::int64_t find(const std::string& id) const;
  std::int64_t find(std::int64_t id) const;
  // Row r's id as text (for messages and summaries).
  std::string name(std::size_t row) const;

  // Replaces the whole map (a checkpoint, from_factors). Throws for duplicates or empty strings.
  void assign(std::vector<std::string> ids);
  void assign(std::vector<std::int64_t> ids);
  void clear();

 private:
  std::string what_;
  Kind kind_ = Kind::None;
  std::unordered_map<std::string, std::uint32_t> text_;
  std::vector<std::string> text_ids_;
  std::unordered_map<std::int64_t, std::uint32_t> int_;
  std::vector<std::int64_t> int_ids_;
};

}  // namespace streamml
