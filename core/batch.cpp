#include "core/batch.h"

#include <algorithm>

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

Batch Batch::empty_like() const {
  Batch b;
  b.cols = cols;
  b.sparse.cols = sparse.cols;
  if (std::holds_alternative<std::vector<std::string>>(keys)) b.keys = std::vector<std::string>{};
  if (std::holds_alternative<std::vector<std::int64_t>>(keys)) b.keys = std::vector<std::int64_t>{};
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
  if (rows == 0 && !has_keys()) {
    if (std::holds_alternative<std::vector<std::string>>(from.keys)) keys = std::vector<std::string>{};
    if (std::holds_alternative<std::vector<std::int64_t>>(from.keys)) keys = std::vector<std::int64_t>{};
  }
  STREAMML_CHECK(keys.index() == from.keys.index(), InvalidInput,
                 "cannot append records whose keys are of another type");
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
  if (auto* s = std::get_if<std::vector<std::string>>(&from.keys)) {
    auto& mine = std::get<std::vector<std::string>>(keys);
    mine.insert(mine.end(), s->begin() + begin, s->begin() + end);
  } else if (auto* i = std::get_if<std::vector<std::int64_t>>(&from.keys)) {
    auto& mine = std::get<std::vector<std::int64_t>>(keys);
    mine.insert(mine.end(), i->begin() + begin, i->begin() + end);
  }
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
  std::size_t nkeys = rows;
  if (auto* s = std::get_if<std::vector<std::string>>(&keys)) nkeys = s->size();
  if (auto* i = std::get_if<std::vector<std::int64_t>>(&keys)) nkeys = i->size();
  STREAMML_CHECK(nkeys == rows, Runtime, "batch has " << nkeys << " keys for " << rows << " records");
  if (has_sparse()) {
    STREAMML_CHECK(sparse.rows() == rows, Runtime,
                   "hashed features have " << sparse.rows() << " rows for " << rows << " records");
    STREAMML_CHECK(sparse.indices.size() == sparse.values.size() &&
                       std::size_t(sparse.indptr.back()) == sparse.values.size(),
                   Runtime, "hashed features: indptr, indices and values disagree");
  }
}

}  // namespace streamml
