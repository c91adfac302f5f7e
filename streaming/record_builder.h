// RecordBuilder: fills a Batch one record at a time for the file parsers.
//
// Every per-record column is sized for the chunk's record count up front and written by row
// index, so a record found bad halfway is dropped by not committing it: nothing to undo.
// Hashed tokens of the open record are buffered, then sorted and merged into the CSR block
// on commit (scikit-learn's FeatureHasher sums duplicate buckets the same way).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/batch.h"
#include "core/schema.h"

namespace streamml {

class RecordBuilder {
 public:
  // expected_rows: an upper bound on the good records to come (the chunk's record count).
  RecordBuilder(const Schema& schema, std::size_t expected_rows, Batch& out);

  double* features() { return out_.features.data() + row_ * out_.cols; }
  void set_label(double v) { out_.labels[row_] = v; }
  void set_time(EventTime t) { out_.event_times[row_] = t; }
  void set_key(std::string_view k) { (*string_keys_)[row_].assign(k.data(), k.size()); }
  void set_key(std::int64_t k) { (*int_keys_)[row_] = k; }
  // Id column `index` (Column::id_index) of the open record, of the schema's key type.
  void set_id(int index, std::string_view v) {
    std::get<std::vector<std::string>>(out_.ids[std::size_t(index)].values)[row_].assign(v.data(), v.size());
  }
  void set_id(int index, std::int64_t v) {
    std::get<std::vector<std::int64_t>>(out_.ids[std::size_t(index)].values)[row_] = v;
  }
  // "column=value"; an empty value is a missing category and adds nothing.
  void add_categorical(std::string_view column, std::string_view value);
  // One "column=word" per word: lower-cased ASCII, split on anything that is not a letter
  // or a digit (bytes >= 0x80 count as letters so UTF-8 words stay whole).
  void add_text(std::string_view column, std::string_view text);

  void commit();
  void discard() { tokens_.clear(); }
  std::size_t rows() const { return row_; }
  // Trims every column to the committed records.
  void finish();

 private:
  Batch& out_;
  const FeatureHasher& hasher_;
  std::vector<std::string>* string_keys_ = nullptr;
  std::vector<std::int64_t>* int_keys_ = nullptr;
  std::size_t row_ = 0;
  std::vector<HashedToken> tokens_;
  std::string word_;
};

// 'text' for messages, cut to 64 bytes ("...") so a runaway field does not flood a log.
std::string quoted_text(std::string_view text);

}  // namespace streamml
