#include "core/hashing.h"

#include <cstring>
#include <string>

#include "core/error.h"

namespace streamml {

namespace {

inline std::uint32_t rotl32(std::uint32_t x, int r) { return (x << r) | (x >> (32 - r)); }

inline std::uint32_t fmix32(std::uint32_t h) {
  h ^= h >> 16;
  h *= 0x85ebca6b;
  h ^= h >> 13;
  h *= 0xc2b2ae35;
  h ^= h >> 16;
  return h;
}

// MurmurHash3_x86_32 over the concatenation of up to two pieces, so "column=value" can be
// hashed without allocating it. Blocks are read little-endian, as the reference does on x86.
class Murmur3 {
 public:
  explicit Murmur3(std::uint32_t seed) : h_(seed) {}
  void update(std::string_view s) {
    for (unsigned char c : s) {
      tail_ |= std::uint32_t(c) << (8 * tail_len_);
      if (++tail_len_ == 4) {
        mix(tail_);
        tail_ = 0;
        tail_len_ = 0;
      }
      ++len_;
    }
  }
  std::uint32_t finish() {
    if (tail_len_) {
      std::uint32_t k = tail_ * c1;
      k = rotl32(k, 15) * c2;
      h_ ^= k;
    }
    h_ ^= len_;
    return fmix32(h_);
  }

 private:
  static constexpr std::uint32_t c1 = 0xcc9e2d51, c2 = 0x1b873593;
  void mix(std::uint32_t k) {
    k *= c1;
    k = rotl32(k, 15);
    k *= c2;
    h_ ^= k;
    h_ = rotl32(h_, 13);
    h_ = h_ * 5 + 0xe6546b64;
  }
  std::uint32_t h_;
  std::uint32_t tail_ = 0;
  int tail_len_ = 0;
  std::uint32_t len_ = 0;
};

HashedToken to_bucket(std::uint32_t h, int bits) {
  const auto s = static_cast<std::int32_t>(h);
  // |INT32_MIN| does not fit an int32; go through int64 as scikit-learn's abs() on a C long.
  const std::int64_t magnitude = s < 0 ? -std::int64_t(s) : std::int64_t(s);
  return {std::int32_t(magnitude & ((std::int64_t{1} << bits) - 1)), s >= 0 ? 1.0 : -1.0};
}

}  // namespace

std::int32_t murmurhash3_32(std::string_view data, std::uint32_t seed) {
  Murmur3 m(seed);
  m.update(data);
  return static_cast<std::int32_t>(m.finish());
}

FeatureHasher::FeatureHasher(int bits) : bits_(bits) {
  STREAMML_CHECK(bits >= 1 && bits <= 30, InvalidInput,
                 "hash_bits must be in [1, 30], got " << bits);
}

HashedToken FeatureHasher::hash(std::string_view token) const {
  Murmur3 m(0);
  m.update(token);
  return to_bucket(m.finish(), bits_);
}

HashedToken FeatureHasher::hash(std::string_view column, std::string_view value) const {
  Murmur3 m(0);
  m.update(column);
  m.update("=");
  m.update(value);
  return to_bucket(m.finish(), bits_);
}

}  // namespace streamml
