// Parallel loops over records whose results never depend on the thread count.
//
// Records are cut into fixed blocks of kBlockRows; blocks run in parallel (oneTBB), and a
// caller that reduces keeps one partial result per block and adds them in block order
// afterwards — a deterministic reduction, the same bits with 1 thread or many.
#pragma once

#include <algorithm>
#include <cstddef>

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>

#include "core/tsan_handoff.h"

namespace streamml {

constexpr std::size_t kBlockRows = 256;

inline std::size_t block_count(std::size_t n) { return (n + kBlockRows - 1) / kBlockRows; }

// tbb::parallel_for over [0, n) in ranges of at least `grain`: f(from, to) for each range, with
// the fork and join that ThreadSanitizer cannot see inside libtbb stated (core/tsan_handoff.h).
// Every parallel loop in streamml goes through here.
template <class F>
void parallel_ranges(std::size_t n, std::size_t grain, F&& f) {
  const tsan::ForkJoin fork_join;
  tbb::parallel_for(tbb::blocked_range<std::size_t>(0, n, grain), [&](const tbb::blocked_range<std::size_t>& r) {
    const tsan::TaskScope task = fork_join.task();
    f(r.begin(), r.end());
  });
}

// Calls f(block, begin, end) for every block [block * kBlockRows, min(n, ...)), in parallel
// when there is more than one. Exceptions stop the loop and reach the caller (oneTBB).
template <class F>
void for_each_block(std::size_t n, F&& f) {
  const std::size_t blocks = block_count(n);
  if (blocks <= 1) {
    if (n) f(std::size_t{0}, std::size_t{0}, n);
    return;
  }
  parallel_ranges(blocks, 1, [&](std::size_t from, std::size_t to) {
    for (std::size_t k = from; k != to; ++k) f(k, k * kBlockRows, std::min(n, (k + 1) * kBlockRows));
  });
}

}  // namespace streamml
