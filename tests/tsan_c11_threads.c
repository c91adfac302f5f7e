/* C11 threads (<threads.h>) over the POSIX calls ThreadSanitizer intercepts; linked into the
 * TSan test binary only (tests/CMakeLists.txt).
 *
 * Debian's librdkafka 2.0.2 is built on glibc's C11 threads (thrd_create, mtx_lock, cnd_wait,
 * call_once; `nm -D librdkafka.so.1`). No TSan runtime intercepts them (clang 14's and GCC 12's
 * libtsan2 alike: google/sanitizers#1195, llvm-project#199585; librdkafka added
 * --disable-c11threads for this reason, its PR #2541), and glibc's thrd_create starts the thread
 * through its internal pthread_create, past TSan's interceptor. So librdkafka's threads were
 * never registered with TSan, and their first malloc dereferenced a null allocator cache: the
 * SEGV inside the runtime that kept the Kafka tests out of the TSan run. Its mutexes and
 * condition variables were invisible too, so nothing handed over through librdkafka's queues
 * (messages, delivery reports, rebalances, to streamml's callbacks) was ordered for TSan.
 *
 * These are the C11 calls librdkafka.so.1 imports. The executable's definitions take precedence
 * over glibc's for librdkafka (the linker exports them because librdkafka refers to them). Each
 * does what glibc's does (nptl's thrd_*.c, mtx_*.c, cnd_*.c, call_once.c: a C11 object is the
 * pthread object, results mapped as thrd_err_map does), but through the public pthread calls,
 * which TSan intercepts. Their synchronisation counts; their accesses to the mutex and condition
 * objects themselves, which are librdkafka's and whose lifetimes its uninstrumented atomics
 * order, are not checked, like the rest of librdkafka's own calls (tests/tsan.supp). */
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <threads.h>

void __tsan_ignore_thread_begin(void);
void __tsan_ignore_thread_end(void);

static int c11_result(int err) {
  switch (err) {
    case 0: return thrd_success;
    case ENOMEM: return thrd_nomem;
    case ETIMEDOUT: return thrd_timedout;
    case EBUSY: return thrd_busy;
    default: return thrd_error;
  }
}

/* Around a call on a librdkafka mutex or condition: its synchronisation only (see above). */
static void unchecked_begin(void) { __tsan_ignore_thread_begin(); }
static int unchecked_end(int err) {
  __tsan_ignore_thread_end();
  return c11_result(err);
}

/* A C11 thread returns an int; a pthread a pointer (glibc converts the same way). */
struct c11_start {
  thrd_start_t func;
  void* arg;
};

static void* c11_thread(void* p) {
  struct c11_start start = *(struct c11_start*)p;
  free(p);
  return (void*)(intptr_t)start.func(start.arg);
}

int thrd_create(thrd_t* thr, thrd_start_t func, void* arg) {
  struct c11_start* start = malloc(sizeof *start);
  if (!start) return thrd_nomem;
  start->func = func;
  start->arg = arg;
  int err = pthread_create(thr, NULL, c11_thread, start);
  if (err) free(start);
  /* glibc's pthread_create reports an allocation failure as EAGAIN; thrd_create as thrd_nomem */
  return err == EAGAIN ? thrd_nomem : c11_result(err);
}

int thrd_join(thrd_t thr, int* res) {
  void* ret;
  int err = pthread_join(thr, &ret);
  if (err == 0 && res) *res = (int)(intptr_t)ret;
  return c11_result(err);
}

int mtx_init(mtx_t* mtx, int type) {
  pthread_mutexattr_t attr;
  pthread_mutexattr_init(&attr);
  pthread_mutexattr_settype(&attr, (type & mtx_recursive) ? PTHREAD_MUTEX_RECURSIVE : PTHREAD_MUTEX_NORMAL);
  unchecked_begin();
  int result = unchecked_end(pthread_mutex_init((pthread_mutex_t*)mtx, &attr));
  pthread_mutexattr_destroy(&attr);
  return result;
}

int mtx_lock(mtx_t* mtx) {
  unchecked_begin();
  return unchecked_end(pthread_mutex_lock((pthread_mutex_t*)mtx));
}

int mtx_unlock(mtx_t* mtx) {
  unchecked_begin();
  return unchecked_end(pthread_mutex_unlock((pthread_mutex_t*)mtx));
}

void mtx_destroy(mtx_t* mtx) {
  unchecked_begin();
  unchecked_end(pthread_mutex_destroy((pthread_mutex_t*)mtx));
}

int cnd_init(cnd_t* cnd) {
  unchecked_begin();
  return unchecked_end(pthread_cond_init((pthread_cond_t*)cnd, NULL));
}

int cnd_signal(cnd_t* cnd) {
  unchecked_begin();
  return unchecked_end(pthread_cond_signal((pthread_cond_t*)cnd));
}

int cnd_broadcast(cnd_t* cnd) {
  unchecked_begin();
  return unchecked_end(pthread_cond_broadcast((pthread_cond_t*)cnd));
}

int cnd_wait(cnd_t* cnd, mtx_t* mtx) {
  unchecked_begin();
  return unchecked_end(pthread_cond_wait((pthread_cond_t*)cnd, (pthread_mutex_t*)mtx));
}

/* `until` is in TIME_UTC, i.e. CLOCK_REALTIME: the clock of a condition with no attributes */
int cnd_timedwait(cnd_t* restrict cnd, mtx_t* restrict mtx, const struct timespec* restrict until) {
  unchecked_begin();
  return unchecked_end(pthread_cond_timedwait((pthread_cond_t*)cnd, (pthread_mutex_t*)mtx, until));
}

void cnd_destroy(cnd_t* cnd) {
  unchecked_begin();
  unchecked_end(pthread_cond_destroy((pthread_cond_t*)cnd));
}

/* once_flag is glibc's pthread_once_t in a struct (ONCE_FLAG_INIT == {PTHREAD_ONCE_INIT}) */
void call_once(once_flag* flag, void (*func)(void)) { pthread_once((pthread_once_t*)&flag->__data, func); }
