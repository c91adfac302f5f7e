// Shared by test_dbscan.cpp and test_windowed_dbscan.cpp: deterministic data sets (blobs,
// moons, uniform noise, in any dimension), a brute-force DBSCAN (the O(n^2) textbook
// definition, the oracle the fast code is held to), and comparisons that ignore how clusters
// are numbered.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "core/batch.h"

namespace streamml::dbscan_test {

// splitmix64 stream: the same numbers on every platform.
class Rng {
 public:
  explicit Rng(std::uint64_t seed) : s_(seed) {}
  std::uint64_t next() {
    std::uint64_t x = (s_ += 0x9e3779b97f4a7c15ULL);
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
  }
  double uniform() { return double(next() >> 11) * 0x1.0p-53; }
  double normal() {  // Box-Muller
    const double u = 1.0 - uniform(), v = uniform();
    return std::sqrt(-2.0 * std::log(u)) * std::cos(6.283185307179586 * v);
  }

 private:
  std::uint64_t s_;
};

// n points around `centers` random centres in [-box, box]^d (sd `spread`), the last
// `noise_share` of them uniform in the box instead. Points are shuffled.
inline RowMatrix blobs(std::size_t n, std::size_t d, int centers, double spread, double box, double noise_share,
                       std::uint64_t seed) {
  Rng rng(seed);
  RowMatrix c(centers, Eigen::Index(d));
  for (Eigen::Index k = 0; k < c.size(); ++k) c.data()[k] = (2 * rng.uniform() - 1) * box;
  RowMatrix x(static_cast<Eigen::Index>(n), static_cast<Eigen::Index>(d));
  const auto noisy = std::size_t(double(n) * noise_share);
  for (std::size_t i = 0; i < n; ++i) {
    const auto k = Eigen::Index(rng.next() % std::uint64_t(centers));
    for (std::size_t j = 0; j < d; ++j)
      x(Eigen::Index(i), Eigen::Index(j)) =
          i < n - noisy ? c(k, Eigen::Index(j)) + spread * rng.normal() : (2 * rng.uniform() - 1) * box;
  }
  return x;
}

// scikit-learn's make_moons shape: two interleaved half circles in the first two coordinates,
// Gaussian noise `noise` on every coordinate (d >= 2).
inline RowMatrix moons(std::size_t n, std::size_t d, double noise, std::uint64_t seed) {
  Rng rng(seed);
  RowMatrix x(static_cast<Eigen::Index>(n), static_cast<Eigen::Index>(d));
  for (std::size_t i = 0; i < n; ++i) {
    const double t = 3.141592653589793 * rng.uniform();
    const bool inner = rng.next() & 1;
    const auto r = Eigen::Index(i);
    x(r, 0) = inner ? 1 - std::cos(t) : std::cos(t);
    x(r, 1) = inner ? 0.5 - std::sin(t) : std::sin(t);
    for (std::size_t j = 2; j < d; ++j) x(r, Eigen::Index(j)) = 0;
    for (std::size_t j = 0; j < d; ++j) x(r, Eigen::Index(j)) += noise * rng.normal();
  }
  return x;
}

inline RowMatrix uniform(std::size_t n, std::size_t d, std::uint64_t seed) {
  Rng rng(seed);
  RowMatrix x(static_cast<Eigen::Index>(n), static_cast<Eigen::Index>(d));
  for (Eigen::Index k = 0; k < x.size(); ++k) x.data()[k] = rng.uniform();
  return x;
}

// The textbook definition, O(n^2), Euclidean (sum of squares <= eps^2, as scikit-learn's
// kd-tree tests it): neighbour lists, core points, components by depth-first search, then
// the canonical labels (clusters in order of their smallest core index; a border point takes
// its lowest-index core neighbour's cluster).
struct Brute {
  std::vector<std::int64_t> labels;
  std::vector<std::uint8_t> core;
  std::vector<std::vector<std::size_t>> nbrs;  // ascending, itself included
};

inline Brute brute_dbscan(const RowMatrix& x, double eps, std::int64_t min_samples) {
  const std::size_t n = std::size_t(x.rows());
  Brute b;
  b.nbrs.resize(n);
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t k = 0; k < n; ++k) {
      double s = 0;
      for (Eigen::Index j = 0; j < x.cols(); ++j) {
        const double t = x(Eigen::Index(i), j) - x(Eigen::Index(k), j);
        s += t * t;
      }
      if (s <= eps * eps) b.nbrs[i].push_back(k);
    }
  b.core.assign(n, 0);
  for (std::size_t i = 0; i < n; ++i) b.core[i] = std::int64_t(b.nbrs[i].size()) >= min_samples;
  b.labels.assign(n, -1);
  std::int64_t next = 0;
  for (std::size_t i = 0; i < n; ++i) {
    if (!b.core[i] || b.labels[i] >= 0) continue;
    std::vector<std::size_t> stack{i};
    b.labels[i] = next;
    while (!stack.empty()) {
      const std::size_t p = stack.back();
      stack.pop_back();
      for (std::size_t q : b.nbrs[p])
        if (b.core[q] && b.labels[q] < 0) {
          b.labels[q] = next;
          stack.push_back(q);
        }
    }
    ++next;
  }
  for (std::size_t i = 0; i < n; ++i)
    if (!b.core[i])
      for (std::size_t q : b.nbrs[i])
        if (b.core[q]) {
          b.labels[i] = b.labels[q];
          break;
        }
  return b;
}

// Renumbers clusters 0, 1, ... in the order of their first core point (core_mask), leaving
// -1: the canonical numbering, so two labelings of the same clustering become equal.
inline std::vector<std::int64_t> canonical(const std::vector<std::int64_t>& labels,
                                           const std::vector<std::uint8_t>& core_mask) {
  std::map<std::int64_t, std::int64_t> rename;
  for (std::size_t i = 0; i < labels.size(); ++i)
    if (core_mask[i] && labels[i] >= 0 && !rename.count(labels[i])) {
      const auto id = std::int64_t(rename.size());
      rename[labels[i]] = id;
    }
  std::vector<std::int64_t> out(labels.size(), -1);
  for (std::size_t i = 0; i < labels.size(); ++i)
    if (labels[i] >= 0) out[i] = rename.count(labels[i]) ? rename.at(labels[i]) : -2;  // -2: cluster with no core
  return out;
}

// Whether two labelings partition the points of `mask` the same way (a bijection of labels).
inline bool same_partition(const std::vector<std::int64_t>& a, const std::vector<std::int64_t>& b,
                           const std::vector<std::uint8_t>& mask) {
  std::map<std::int64_t, std::int64_t> ab, ba;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (!mask[i]) continue;
    if (a[i] < 0 || b[i] < 0) return false;
    const auto [it1, new1] = ab.emplace(a[i], b[i]);
    const auto [it2, new2] = ba.emplace(b[i], a[i]);
    if (it1->second != b[i] || it2->second != a[i]) return false;
  }
  return true;
}

}  // namespace streamml::dbscan_test
