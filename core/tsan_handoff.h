// Happens-before edges that ThreadSanitizer cannot see, stated where streamml relies on them.
//
// oneTBB (Debian's libtbb12) is not built with TSan: when a parallel_pipeline hands an item
// from filter to filter, or gives a serial filter its next turn, the synchronisation happens
// inside libtbb, so TSan sees the two sides' accesses as unordered and reports races that are
// not there. These annotations declare exactly the ordering oneTBB documents, at the points
// where it applies (streaming/pipeline.cpp); in any build but TSan's they are empty inline
// functions. (A parallel_for cannot be annotated so: its task objects are handled by oneTBB's
// header templates on both sides of the hand-off; core/parallel.h runs loops on std::threads
// under TSan instead.)
//
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

}  // namespace streamml::tsan
