#include "streaming/record_builder.h"

#include <algorithm>
#include <type_traits>

#include "core/error.h"

namespace streamml {

RecordBuilder::RecordBuilder(const Schema& schema, std::size_t expected_rows, Batch& out)
    : out_(out), hasher_(schema.hasher()) {
  out_.cols = schema.n_features();
  out_.features.resize(expected_rows * out_.cols);
  if (schema.label_column()) out_.labels.resize(expected_rows);
  if (schema.time_column()) out_.event_times.resize(expected_rows);
  if (schema.key_column()) {
    if (schema.key_type() == KeyType::Int64) {
      out_.keys = std::vector<std::int64_t>(expected_rows);
      int_keys_ = &std::get<std::vector<std::int64_t>>(out_.keys);
    } else {
      out_.keys = std::vector<std::string>(expected_rows);
      string_keys_ = &std::get<std::vector<std::string>>(out_.keys);
    }
  }
  for (const auto& role : schema.id_roles()) {
    KeyColumn values;
    if (schema.key_type() == KeyType::Int64) values = std::vector<std::int64_t>(expected_rows);
    else values = std::vector<std::string>(expected_rows);
    out_.ids.push_back({role, std::move(values)});
  }
  if (schema.has_hashed()) {
    out_.sparse.cols = hasher_.buckets();
    out_.sparse.indptr.reserve(expected_rows + 1);
  }
}

void RecordBuilder::add_categorical(std::string_view column, std::string_view value) {
  if (!value.empty()) tokens_.push_back(hasher_.hash(column, value));
}

void RecordBuilder::add_text(std::string_view column, std::string_view text) {
  auto is_word = [](unsigned char c) {
    return (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') || c >= 0x80;
  };
  std::size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && !is_word(text[i])) ++i;
    if (i == text.size()) break;
    word_.clear();
    while (i < text.size() && is_word(text[i])) {
      const unsigned char c = text[i++];
      word_.push_back(char(c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c));
    }
    tokens_.push_back(hasher_.hash(column, word_));
  }
}

void RecordBuilder::commit() {
  if (out_.sparse.cols > 0) {
    std::sort(tokens_.begin(), tokens_.end(),
              [](const HashedToken& a, const HashedToken& b) { return a.bucket < b.bucket; });
    auto& s = out_.sparse;
    // Equal buckets are summed even when they cancel to 0, as scipy's sum_duplicates() does.
    for (std::size_t t = 0; t < tokens_.size(); ++t) {
      if (t > 0 && tokens_[t].bucket == tokens_[t - 1].bucket) {
        s.values.back() += tokens_[t].sign;
      } else {
        s.indices.push_back(tokens_[t].bucket);
        s.values.push_back(tokens_[t].sign);
      }
    }
    STREAMML_CHECK(s.values.size() <= std::size_t(INT32_MAX), InvalidInput,
                   "a chunk exceeds 2^31 hashed feature entries; use a smaller chunk_bytes");
    s.indptr.push_back(std::int32_t(s.values.size()));
    tokens_.clear();
  }
  ++row_;
}

void RecordBuilder::finish() {
  out_.rows = row_;
  out_.features.resize(row_ * out_.cols);
  if (!out_.labels.empty()) out_.labels.resize(row_);
  if (!out_.event_times.empty()) out_.event_times.resize(row_);
  if (string_keys_) string_keys_->resize(row_);
  if (int_keys_) int_keys_->resize(row_);
  for (auto& id : out_.ids) std::visit([&](auto& v) {
    if constexpr (!std::is_same_v<std::decay_t<decltype(v)>, std::monostate>) v.resize(row_);
  }, id.values);
}

std::string quoted_text(std::string_view text) {
  constexpr std::size_t kMax = 64;
  std::string out = "'";
  out.append(text.substr(0, kMax));
  if (text.size() > kMax) out += "...";
  out += "'";
  return out;
}

}  // namespace streamml
