// MinRootUnionFind: a lock-free union-find over 0 .. n-1 whose links always hang the larger
// root under the smaller, so a set's root is its smallest member whatever order (and however
// concurrently) the links are made in. DBSCAN uses it for canonical, thread-count-independent
// cluster roots.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

namespace streamml {

class MinRootUnionFind {
 public:
  explicit MinRootUnionFind(std::size_t n) : parent_(n) {
    for (std::size_t i = 0; i < n; ++i) parent_[i].store(std::uint32_t(i), std::memory_order_relaxed);
  }

  // The root (smallest member) of x's set. Safe to call concurrently with unite().
  std::uint32_t find(std::uint32_t x) {
    for (;;) {
      std::uint32_t p = parent_[x].load(std::memory_order_acquire);
      if (p == x) return x;
      const std::uint32_t gp = parent_[p].load(std::memory_order_acquire);
      // Path halving: parents only ever move to smaller ancestors, so a lost race is harmless.
      if (gp != p) parent_[x].compare_exchange_weak(p, gp, std::memory_order_acq_rel);
      x = gp;
    }
  }

  void unite(std::uint32_t a, std::uint32_t b) {
    for (;;) {
      a = find(a);
      b = find(b);
      if (a == b) return;
      if (a < b) std::swap(a, b);
      std::uint32_t expected = a;  // a is still a root: hang it under b
      if (parent_[a].compare_exchange_strong(expected, b, std::memory_order_acq_rel)) return;
    }
  }

  // x's current parent (x itself for a root); a cheap hint that x is already under `root`.
  std::uint32_t parent_of(std::uint32_t x) const { return parent_[x].load(std::memory_order_relaxed); }

  std::size_t size() const { return parent_.size(); }

 private:
  std::vector<std::atomic<std::uint32_t>> parent_;
};

}  // namespace streamml
