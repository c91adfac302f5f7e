#include "core/tsan_loop_pool.h"

#ifdef STREAMML_TSAN

#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>
#include <vector>

namespace streamml::detail {

namespace {

thread_local bool on_pool_thread = false;

// Threads that live as long as the process and take copies of a loop's work from one queue.
class Pool {
 public:
  void run(std::size_t helpers, const std::function<void()>& work) {
    std::mutex done_mutex;
    std::condition_variable done_cv;
    std::size_t pending = helpers;
    {
      const std::lock_guard<std::mutex> lock(mutex_);
      while (threads_.size() < helpers) threads_.emplace_back([this] { serve(); });
      for (std::size_t h = 0; h < helpers; ++h)
        queue_.push_back([&] {
          work();
          const std::lock_guard<std::mutex> done_lock(done_mutex);
          if (--pending == 0) done_cv.notify_one();
        });
    }
    cv_.notify_all();
    work();
    std::unique_lock<std::mutex> done_lock(done_mutex);
    done_cv.wait(done_lock, [&] { return pending == 0; });
  }

 private:
  void serve() {
    on_pool_thread = true;
    for (;;) {
      std::function<void()> job;
      {
        std::unique_lock<std::mutex> lock(mutex_);
        cv_.wait(lock, [this] { return !queue_.empty(); });
        job = std::move(queue_.front());
        queue_.pop_front();
      }
      job();
    }
  }

  std::mutex mutex_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> queue_;
  std::vector<std::thread> threads_;
};

}  // namespace

void run_on_tsan_pool(std::size_t workers, const std::function<void()>& work) {
  // A loop inside a loop's body runs on its own thread: pool threads never wait for the pool.
  if (workers <= 1 || on_pool_thread) {
    work();
    return;
  }
  static Pool* pool = new Pool;  // never destroyed: its threads serve until the process ends
  pool->run(workers - 1, work);
}

}  // namespace streamml::detail

#endif
