// Feature hashing for categorical and text columns (the "hashing trick").
//
// Matches scikit-learn's FeatureHasher with alternate_sign=True: a token is hashed with
// MurmurHash3 x86 32-bit (seed 0, signed result h); its bucket is |h| mod 2^bits and its
// sign is +1 if h >= 0 else -1. A categorical value v of column c is the token "c=v" (what
// FeatureHasher does for string values of dict input); a text column adds one "c=word" per
// word (lower-cased, split on anything that is not a letter or digit).
#pragma once

#include <cstdint>
#include <string_view>

namespace streamml {

// MurmurHash3_x86_32 (Austin Appleby's reference), returned as a signed int like
// sklearn.utils.murmurhash3_32(..., positive=False).
std::int32_t murmurhash3_32(std::string_view data, std::uint32_t seed = 0);

struct HashedToken {
  std::int32_t bucket;  // in [0, 2^bits)
  double sign;          // +1 or -1
};

class FeatureHasher {
 public:
  explicit FeatureHasher(int bits = 18);  // 2^18 buckets, Vowpal Wabbit's default
  int bits() const { return bits_; }
  std::int64_t buckets() const { return std::int64_t{1} << bits_; }
  HashedToken hash(std::string_view token) const;
  // The token "column=value" hashed without building the string on the heap.
  HashedToken hash(std::string_view column, std::string_view value) const;

 private:
  int bits_;
};

}  // namespace streamml
