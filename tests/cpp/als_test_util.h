// Shared by the ALS tests: java.util.Random (Spark's ALSSuite draws its test data with it), the
// suite's data generators transcribed, and small builders of ratings matrices and batches.
#pragma once

#include <cmath>
#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "core/batch.h"

namespace streamml::als_test {

// java.util.Random: the 48-bit linear congruential generator of its documentation, with
// nextInt, nextFloat, nextDouble and the polar nextGaussian.
class JavaRandom {
 public:
  explicit JavaRandom(std::int64_t seed) : seed_((std::uint64_t(seed) ^ 0x5DEECE66DULL) & kMask) {}
  std::int32_t next(int bits) {
    seed_ = (seed_ * 0x5DEECE66DULL + 0xBULL) & kMask;
    return std::int32_t(std::int64_t(seed_ >> (48 - bits)));
  }
  std::int32_t next_int() { return next(32); }
  float next_float() { return float(next(24)) / float(1 << 24); }
  double next_double() { return double((std::int64_t(next(26)) << 27) + next(27)) * 0x1.0p-53; }
  double next_gaussian() {
    if (have_next_) {
      have_next_ = false;
      return next_gaussian_;
    }
    double v1, v2, s;
    do {
      v1 = 2 * next_double() - 1;
      v2 = 2 * next_double() - 1;
      s = v1 * v1 + v2 * v2;
    } while (s >= 1 || s == 0);
    const double multiplier = std::sqrt(-2 * std::log(s) / s);
    next_next(v2 * multiplier);
    return v1 * multiplier;
  }

 private:
  void next_next(double g) {
    next_gaussian_ = g;
    have_next_ = true;
  }
  static constexpr std::uint64_t kMask = (std::uint64_t(1) << 48) - 1;
  std::uint64_t seed_;
  bool have_next_ = false;
  double next_gaussian_ = 0;
};

struct Rating {
  std::int64_t user, item;
  double rating;
};

struct SparkData {
  std::vector<Rating> training, test;
};

// ALSSuite.genFactors: `size` distinct random int ids, sorted, each with `rank` U(-1, 1) floats.
inline std::vector<std::pair<std::int64_t, std::vector<float>>> gen_factors(int size, int rank, JavaRandom& random) {
  std::set<std::int32_t> ids;
  while (int(ids.size()) < size) ids.insert(random.next_int());
  std::vector<std::pair<std::int64_t, std::vector<float>>> out;
  for (std::int32_t id : ids) {
    std::vector<float> f(static_cast<std::size_t>(rank));
    for (auto& v : f) v = -1.0f + random.next_float() * 2.0f;
    out.emplace_back(id, f);
  }
  return out;
}

inline float sdot(const std::vector<float>& a, const std::vector<float>& b) {
  float s = 0;
  for (std::size_t i = 0; i < a.size(); ++i) s += a[i] * b[i];
  return s;
}

// ALSSuite.genExplicitTestData / genImplicitTestData (seed 11): 60 % of the pairs for training
// (with Gaussian noise), 30 % for test; implicit data observes a pair with probability 0.8 when
// its true rating is positive, 0.2 otherwise.
inline SparkData gen_test_data(int users, int items, int rank, double noise_std, bool implicit,
                               std::int64_t seed = 11) {
  JavaRandom random(seed);
  const auto uf = gen_factors(users, rank, random);
  const auto itf = gen_factors(items, rank, random);
  SparkData d;
  for (const auto& [u, x] : uf)
    for (const auto& [i, y] : itf) {
      const float rating = sdot(x, y);
      if (implicit) {
        const double threshold = rating > 0 ? 0.8 : 0.2;
        if (!(random.next_double() < threshold)) continue;
      }
      const double v = random.next_double();
      if (v < 0.9) {
        if (v < 0.6) {
          const double noise = noise_std * random.next_gaussian();
          d.training.push_back({u, i, double(rating + float(noise))});
        } else {
          d.test.push_back({u, i, double(rating)});
        }
      }
    }
  return d;
}

// A batch of (user, item, rating) records with int ids.
inline Batch rating_batch(const std::vector<Rating>& ratings, bool with_labels = true) {
  Batch b;
  b.rows = ratings.size();
  std::vector<std::int64_t> users, items;
  for (const auto& r : ratings) {
    users.push_back(r.user);
    items.push_back(r.item);
    if (with_labels) b.labels.push_back(r.rating);
  }
  b.keys = users;
  b.ids.push_back({"item", items});
  return b;
}

}  // namespace streamml::als_test
