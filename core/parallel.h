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

#include "core/tsan_handoff.h"  // STREAMML_TSAN

#ifdef STREAMML_TSAN
#include <atomic>
#include <exception>
#include <mutex>

#include <tbb/task_arena.h>

#include "core/tsan_loop_pool.h"
#endif

namespace streamml {

constexpr std::size_t kBlockRows = 256;

inline std::size_t block_count(std::size_t n) { return (n + kBlockRows - 1) / kBlockRows; }

// f(from, to) over ranges covering [0, n), each of at least `grain` indices but the last, in
// parallel: tbb::parallel_for. Every parallel loop in streamml goes through here.
//
// ThreadSanitizer builds run the ranges on a pool of std::threads instead (core/tsan_loop_pool.h:
// as many as the calling arena's concurrency, taking ranges in turn; the first exception stops
// the loop and is rethrown). oneTBB hands a parallel_for's task objects from thread to thread inside the
// uninstrumented libtbb while its header templates, compiled into streamml, read and write
// them, so TSan would report oneTBB's own accesses; with std::threads it sees the fork and the
// join, and still checks every body against every other.
template <class F>
void parallel_ranges(std::size_t n, std::size_t grain, F&& f) {
#ifdef STREAMML_TSAN
  grain = std::max<std::size_t>(grain, 1);
  const std::size_t ranges = (n + grain - 1) / grain;
  const std::size_t workers =
      std::min(ranges, std::size_t(std::max(1, tbb::this_task_arena::max_concurrency())));
  if (workers <= 1) {
    if (n) f(std::size_t{0}, n);
    return;
  }
  std::atomic<std::size_t> next{0};
  std::mutex error_mutex;
  std::exception_ptr error;
  const auto work = [&] {
    for (std::size_t r; (r = next.fetch_add(1)) < ranges;) {
      try {
        f(r * grain, std::min(n, (r + 1) * grain));
      } catch (...) {
        const std::lock_guard<std::mutex> lock(error_mutex);
        if (!error) error = std::current_exception();
        next = ranges;
      }
    }
  };
  detail::run_on_tsan_pool(workers, work);
  if (error) std::rethrow_exception(error);
#else
  tbb::parallel_for(tbb::blocked_range<std::size_t>(0, n, grain),
                    [&](const tbb::blocked_range<std::size_t>& r) { f(r.begin(), r.end()); });
#endif
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
