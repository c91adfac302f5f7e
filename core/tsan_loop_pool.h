// ThreadSanitizer builds only: the threads parallel_ranges (core/parallel.h) runs its loops on
// instead of oneTBB's workers, so TSan sees the fork and the join (mutexes and condition
// variables) and still checks every body against the others. A fixed pool, as a thread per
// loop would exhaust TSan's thread table over a test run.
#pragma once

#include "core/tsan_handoff.h"  // STREAMML_TSAN

#ifdef STREAMML_TSAN
#include <cstddef>
#include <functional>

namespace streamml::detail {

// Runs `work` on the calling thread and on workers - 1 pool threads at once, and returns when
// every copy has returned. `work` must not throw. Called from a pool thread (a loop inside a
// loop), it runs `work` once on the calling thread.
void run_on_tsan_pool(std::size_t workers, const std::function<void()>& work);

}  // namespace streamml::detail
#endif
