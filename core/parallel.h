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

namespace streamml {

constexpr std::size_t kBlockRows = 256;

inline std::size_t block_count(std::size_t n) { return (n + kBlockRows - 1) / kBlockRows; }

// Calls f(block, begin, end) for every block [block * kBlockRows, min(n, ...)), in parallel
// when there is more than one. Exceptions stop the loop and reach the caller (oneTBB).
template <class F>
void for_each_block(std::size_t n, F&& f) {
  const std::size_t blocks = block_count(n);
  if (blocks <= 1) {
    if (n) f(std::size_t{0}, std::size_t{0}, n);
    return;
  }
  tbb::parallel_for(tbb::blocked_range<std::size_t>(0, blocks),
                    [&](const tbb::blocked_range<std::size_t>& range) {
                      for (std::size_t k = range.begin(); k != range.end(); ++k)
                        f(k, k * kBlockRows, std::min(n, (k + 1) * kBlockRows));
                    });
}

}  // namespace streamml
