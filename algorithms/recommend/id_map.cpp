#include "algorithms/recommend/id_map.h"

#include <limits>

#include "core/error.h"

namespace streamml {

namespace {

const char* kind_name(IdMap::Kind k) {
  switch (k) {
    case IdMap::Kind::Text: return "strings";
    case IdMap::Kind::Integer: return "integers";
    case IdMap::Kind::None: break;
  }
  return "none";
}

IdMap::Kind kind_of(const KeyColumn& ids) {
  if (std::holds_alternative<std::vector<std::string>>(ids)) return IdMap::Kind::Text;
  if (std::holds_alternative<std::vector<std::int64_t>>(ids)) return IdMap::Kind::Integer;
  return IdMap::Kind::None;
}

std::size_t length(const KeyColumn& ids) {
  if (const auto* s = std::get_if<std::vector<std::string>>(&ids)) return s->size();
  if (const auto* v = std::get_if<std::vector<std::int64_t>>(&ids)) return v->size();
  return 0;
}

}  // namespace

void IdMap::check(const KeyColumn& ids, std::size_t expected_rows) const {
  const Kind k = kind_of(ids);
  STREAMML_CHECK(k != Kind::None, InvalidInput, "als: the batch has no " << what_ << " ids");
  STREAMML_CHECK(length(ids) == expected_rows, InvalidInput,
                 "als: " << length(ids) << " " << what_ << " ids for " << expected_rows << " records");
  STREAMML_CHECK(kind_ == Kind::None || k == kind_, InvalidInput,
                 "als: " << what_ << " ids are " << kind_name(kind_) << " in this model, the batch has "
                         << kind_name(k));
  if (const auto* s = std::get_if<std::vector<std::string>>(&ids))
    for (std::size_t r = 0; r < s->size(); ++r)
      STREAMML_CHECK(!(*s)[r].empty(), InvalidInput, "als: " << what_ << " id of record " << r << " is empty");
  if (size() + expected_rows > std::size_t(std::numeric_limits<std::uint32_t>::max()))
    STREAMML_FAIL(InvalidInput, "als: more than 2^32 - 1 " << what_ << " ids");
}

std::vector<std::uint32_t> IdMap::add(const KeyColumn& ids) {
  std::vector<std::uint32_t> rows(length(ids));
  if (const auto* s = std::get_if<std::vector<std::string>>(&ids)) {
    kind_ = Kind::Text;
    for (std::size_t r = 0; r < s->size(); ++r) {
      const auto [it, fresh] = text_.try_emplace((*s)[r], std::uint32_t(text_ids_.size()));
      if (fresh) text_ids_.push_back((*s)[r]);
      rows[r] = it->second;
    }
  } else if (const auto* v = std::get_if<std::vector<std::int64_t>>(&ids)) {
    kind_ = Kind::Integer;
    for (std::size_t r = 0; r < v->size(); ++r) {
      const auto [it, fresh] = int_.try_emplace((*v)[r], std::uint32_t(int_ids_.size()));
      if (fresh) int_ids_.push_back((*v)[r]);
      rows[r] = it->second;
    }
  }
  return rows;
}

std::int64_t IdMap::find(const std::string& id) const {
  const auto it = text_.find(id);
  return it == text_.end() ? -1 : std::int64_t(it->second);
}

std::int64_t IdMap::find(std::int64_t id) const {
  const auto it = int_.find(id);
  return it == int_.end() ? -1 : std::int64_t(it->second);
}

std::vector<std::int64_t> IdMap::find(const KeyColumn& ids) const {
  std::vector<std::int64_t> rows(length(ids), -1);
  if (const auto* s = std::get_if<std::vector<std::string>>(&ids)) {
    for (std::size_t r = 0; r < s->size(); ++r) rows[r] = find((*s)[r]);
  } else if (const auto* v = std::get_if<std::vector<std::int64_t>>(&ids)) {
    for (std::size_t r = 0; r < v->size(); ++r) rows[r] = find((*v)[r]);
  }
  return rows;
}

std::string IdMap::name(std::size_t row) const {
  if (kind_ == Kind::Text && row < text_ids_.size()) return what_ + " '" + text_ids_[row] + "'";
  if (kind_ == Kind::Integer && row < int_ids_.size()) return what_ + " " + std::to_string(int_ids_[row]);
  return what_ + " row " + std::to_string(row);
}

void IdMap::assign(std::vector<std::string> ids) {
  IdMap fresh(what_);
  fresh.kind_ = Kind::Text;
  for (std::size_t r = 0; r < ids.size(); ++r) {
    STREAMML_CHECK(!ids[r].empty(), InvalidInput, "als: " << what_ << " id " << r << " is empty");
    STREAMML_CHECK(fresh.text_.emplace(ids[r], std::uint32_t(r)).second, InvalidInput,
                   "als: " << what_ << " id '" << ids[r] << "' appears twice (rows " << fresh.text_.at(ids[r])
                           << " and " << r << ")");
  }
  fresh.text_ids_ = std::move(ids);
  *this = std::move(fresh);
}

void IdMap::assign(std::vector<std::int64_t> ids) {
  IdMap fresh(what_);
  fresh.kind_ = Kind::Integer;
  for (std::size_t r = 0; r < ids.size(); ++r)
    STREAMML_CHECK(fresh.int_.emplace(ids[r], std::uint32_t(r)).second, InvalidInput,
                   "als: " << what_ << " id " << ids[r] << " appears twice (rows " << fresh.int_.at(ids[r])
                           << " and " << r << ")");
  fresh.int_ids_ = std::move(ids);
  *this = std::move(fresh);
}

void IdMap::clear() { *this = IdMap(what_); }

}  // namespace streamml
