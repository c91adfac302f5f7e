#include "core/batch.h"

#include <algorithm>
#include <type_traits>

#include "core/error.h"

namespace streamml {

ConstSparseMap CsrMatrix::view() const {
  return {Eigen::Index(rows()), Eigen::Index(cols), Eigen::Index(nnz()), indptr.data(),
          indices.data(), values.data()};
}

std::optional<EventTime> Batch::event_time_end() const {
  if (interval_end != interval_start) return interval_end;
  if (event_times.empty()) return std::nullopt;
  return *std::max_element(event_times.begin(), event_times.end());
}

Batch Batch::clone() const {
  Batch b = empty_like();
  b.append(*this, 0, rows);
  b.index = index;
  b.end_position = end_position;
  b.skipped_records = skipped_records;
  b.interval_start = interval_start;
  b.interval_end = interval_end;
  return b;
}

namespace {

// An empty column of the same kind (strings, integers or none).
KeyColumn empty_like(const KeyColumn& c) {
  if (std::holds_alternative<std::vector<std::string>>(c)) return std::vector<std::string>{};
  if (std::holds_alternative<std::vector<std::int64_t>>(c)) return std::vector<std::int64_t>{};
  return std::monostate{};
}

std::size_t length(const KeyColumn& c) {
  return std::visit([](const auto& v) -> std::size_t {
    if constexpr (std::is_same_v<std::decay_t<decltype(v)>, std::monostate>) return 0;
    else return v.size();
  }, c);
}

// Appends [begin, end) of `from` to `to`, which is of the same kind.
void append_ids(KeyColumn& to, const KeyColumn& from, std::size_t begin, std::size_t end) {
  if (auto* s = std::get_if<std::vector<std::string>>(&from)) {
    auto& mine = std::get<std::vector<std::string>>(to);
    mine.insert(mine.end(), s->begin() + begin, s->begin() + end);
  } else if (auto* i = std::get_if<std::vector<std::int64_t>>(&from)) {
    auto& mine = std::get<std::vector<std::int64_t>>(to);
    mine.insert(mine.end(), i->begin() + begin, i->begin() + end);
  }
}

}  // namespace

const KeyColumn* Batch::id(std::string_view role) const {
  if (role == "key") return has_keys() ? &keys : nullptr;
  for (const auto& c : ids)
    if (c.role == role) return &c.values;
  return nullptr;
}

void Batch::add_output(std::string name, OutputValues values) {
  const std::size_t n = std::visit([](const auto& v) { return v.size(); }, values);
  STREAMML_CHECK(n == rows, Runtime, "output column '" << name << "' has " << n << " values for " << rows << " records");
  STREAMML_CHECK(output(name) == nullptr, Runtime, "output column '" << name << "' is added twice to batch " << index);
  outputs.push_back({std::move(name), std::move(values)});
}

const OutputColumn* Batch::output(std::string_view name) const {
  for (const auto& c : outputs)
    if (c.name == name) return &c;
  return nullptr;
}

std::size_t ResultTable::rows() const {
  return values.empty() ? 0 : std::visit([](const auto& v) { return v.size(); }, values.front());
}

void Batch::add_table(ResultTable t) {
  STREAMML_CHECK(t.columns.size() == t.values.size(), Runtime,
                 "result table '" << t.name << "' names " << t.columns.size() << " columns and holds " << t.values.size());
  for (std::size_t c = 0; c < t.values.size(); ++c) {
    const std::size_t n = std::visit([](const auto& v) { return v.size(); }, t.values[c]);
    STREAMML_CHECK(n == t.rows(), Runtime, "result table '" << t.name << "': column '" << t.columns[c] << "' has " << n
                                                            << " values, column '" << t.columns[0] << "' " << t.rows());
  }
  STREAMML_CHECK(table(t.name) == nullptr, Runtime, "result table '" << t.name << "' is added twice to batch " << index);
  tables.push_back(std::move(t));
}

const ResultTable* Batch::table(std::string_view name) const {
  for (const auto& t : tables)
    if (t.name == name) return &t;
  return nullptr;
}

Batch Batch::empty_like() const {
  Batch b;
  b.cols = cols;
  b.sparse.cols = sparse.cols;
  b.keys = streamml::empty_like(keys);
  for (const auto& c : ids) b.ids.push_back({c.role, streamml::empty_like(c.values)});
  b.end_position.source = end_position.source;
  // Optional columns are "present" when non-empty; an empty batch cannot show that, so the
  // flags travel through append(): it fills labels/times whenever `from` has them.
  return b;
}

void Batch::reserve(std::size_t n) {
  features.reserve(n * cols);
  labels.reserve(n);
  event_times.reserve(n);
  sparse.indptr.reserve(n + 1);
}

void Batch::append(const Batch& from, std::size_t begin, std::size_t end) {
  STREAMML_CHECK(begin <= end && end <= from.rows, Runtime,
                 "append range [" << begin << ", " << end << ") outside a batch of " << from.rows
                                  << " records");
  if (rows == 0 && features.empty() && cols == 0) cols = from.cols;
  STREAMML_CHECK(from.cols == cols, InvalidInput,
                 "cannot append a batch with " << from.cols << " features to one with " << cols);
  if (rows == 0 && !has_keys()) keys = streamml::empty_like(from.keys);
  STREAMML_CHECK(keys.index() == from.keys.index(), InvalidInput,
                 "cannot append records whose keys are of another type");
  if (rows == 0 && ids.empty())
    for (const auto& c : from.ids) ids.push_back({c.role, streamml::empty_like(c.values)});
  STREAMML_CHECK(ids.size() == from.ids.size(), InvalidInput,
                 "cannot append records with " << from.ids.size() << " id columns to a batch with " << ids.size());
  for (std::size_t k = 0; k < ids.size(); ++k)
    STREAMML_CHECK(ids[k].role == from.ids[k].role && ids[k].values.index() == from.ids[k].values.index(),
                   InvalidInput, "cannot append records whose id column '" << from.ids[k].role
                                 << "' differs in role or type from '" << ids[k].role << "'");
  STREAMML_CHECK(has_labels() == from.has_labels() || rows == 0, InvalidInput,
                 "cannot append records " << (from.has_labels() ? "with" : "without")
                                          << " labels to a batch " << (has_labels() ? "with" : "without")
                                          << " them");
  STREAMML_CHECK(has_event_times() == from.has_event_times() || rows == 0, InvalidInput,
                 "cannot append records " << (from.has_event_times() ? "with" : "without")
                                          << " event times to a batch "
                                          << (has_event_times() ? "with" : "without") << " them");
  const std::size_t n = end - begin;
  if (n == 0) return;
  features.insert(features.end(), from.features.begin() + begin * cols,
                  from.features.begin() + end * cols);
  if (from.has_labels()) labels.insert(labels.end(), from.labels.begin() + begin, from.labels.begin() + end);
  if (from.has_event_times())
    event_times.insert(event_times.end(), from.event_times.begin() + begin,
                       from.event_times.begin() + end);
  append_ids(keys, from.keys, begin, end);
  for (std::size_t k = 0; k < ids.size(); ++k) append_ids(ids[k].values, from.ids[k].values, begin, end);
  if (from.has_sparse()) {
    if (sparse.cols == 0) sparse.cols = from.sparse.cols;
    STREAMML_CHECK(sparse.cols == from.sparse.cols, InvalidInput,
                   "cannot append hashed features of width " << from.sparse.cols << " to width "
                                                             << sparse.cols);
    const std::int32_t lo = from.sparse.indptr[begin], hi = from.sparse.indptr[end];
    const std::int64_t shift = std::int64_t(sparse.values.size()) - lo;
    STREAMML_CHECK(std::int64_t(sparse.values.size()) + (hi - lo) <= INT32_MAX, InvalidInput,
                   "batch exceeds 2^31 hashed feature entries");
    sparse.indices.insert(sparse.indices.end(), from.sparse.indices.begin() + lo,
                          from.sparse.indices.begin() + hi);
    sparse.values.insert(sparse.values.end(), from.sparse.values.begin() + lo,
                         from.sparse.values.begin() + hi);
    for (std::size_t r = begin + 1; r <= end; ++r)
      sparse.indptr.push_back(std::int32_t(from.sparse.indptr[r] + shift));
  }
  rows += n;
}

void Batch::validate() const {
  STREAMML_CHECK(features.size() == rows * cols, Runtime,
                 "batch features hold " << features.size() << " values, expected " << rows
                                        << " records x " << cols << " features");
  STREAMML_CHECK(labels.empty() || labels.size() == rows, Runtime,
                 "batch has " << labels.size() << " labels for " << rows << " records");
  STREAMML_CHECK(event_times.empty() || event_times.size() == rows, Runtime,
                 "batch has " << event_times.size() << " event times for " << rows << " records");
  STREAMML_CHECK(!has_keys() || length(keys) == rows, Runtime,
                 "batch has " << length(keys) << " keys for " << rows << " records");
  for (const auto& c : ids)
    STREAMML_CHECK(length(c.values) == rows, Runtime,
                   "batch has " << length(c.values) << " values of id column '" << c.role << "' for " << rows << " records");
  for (const auto& c : outputs) {
    const std::size_t n = std::visit([](const auto& v) { return v.size(); }, c.values);
    STREAMML_CHECK(n == rows, Runtime, "output column '" << c.name << "' has " << n << " values for " << rows << " records");
  }
  if (has_sparse()) {
    STREAMML_CHECK(sparse.rows() == rows, Runtime,
                   "hashed features have " << sparse.rows() << " rows for " << rows << " records");
    STREAMML_CHECK(sparse.indices.size() == sparse.values.size() &&
                       std::size_t(sparse.indptr.back()) == sparse.values.size(),
                   Runtime, "hashed features: indptr, indices and values disagree");
  }
}

}  // namespace streamml
