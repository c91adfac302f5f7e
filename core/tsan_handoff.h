// Happens-before edges that ThreadSanitizer cannot see, stated where streamml relies on them.
//
// oneTBB (Debian's libtbb12) is not built with TSan: when it hands work from one thread to
// another (a parallel_for's tasks, a parallel_pipeline's items and the turns of its serial
// filters) the synchronisation happens inside libtbb, so TSan sees the two sides' accesses as
// unordered and reports races that are not there. These annotations declare exactly the
// ordering oneTBB documents, at the points where it applies; in any build but TSan's they are
// empty inline functions.
//
//   ForkJoin: a tbb::parallel_for. The caller's writes before the loop happen before every
//     task body (fork); every body happens before the code after the loop (join), also when
//     the loop ends by an exception. Bodies stay unordered among themselves, so a race
//     between two of them is still reported.
//   TaskScope: one task body, acquiring what was released for it and releasing on exit.
#pragma once

#if defined(__SANITIZE_THREAD__)
#define STREAMML_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define STREAMML_TSAN 1
#endif
#endif

#ifdef STREAMML_TSAN
extern "C" {
void __tsan_acquire(void* addr);
void __tsan_release(void* addr);
}
#endif

namespace streamml::tsan {

// Everything `sync` was released with before happens before what follows.
inline void acquire([[maybe_unused]] const void* sync) {
#ifdef STREAMML_TSAN
  __tsan_acquire(const_cast<void*>(sync));
#endif
}

// What came before happens before any later acquire of `sync`.
inline void release([[maybe_unused]] const void* sync) {
#ifdef STREAMML_TSAN
  __tsan_release(const_cast<void*>(sync));
#endif
}

// A task body: acquires `in` on entry, releases `out` on exit (return or exception).
class TaskScope {
 public:
  TaskScope(const void* in, const void* out) : out_(out) { acquire(in); }
  ~TaskScope() { release(out_); }
  TaskScope(const TaskScope&) = delete;
  TaskScope& operator=(const TaskScope&) = delete;

 private:
  const void* out_;
};

// Lives across one tbb::parallel_for; each task body opens task().
class ForkJoin {
 public:
  ForkJoin() { release(&fork_); }
  ~ForkJoin() { acquire(&join_); }
  ForkJoin(const ForkJoin&) = delete;
  ForkJoin& operator=(const ForkJoin&) = delete;
  TaskScope task() const { return TaskScope(&fork_, &join_); }

 private:
  char fork_ = 0, join_ = 0;
};

}  // namespace streamml::tsan
