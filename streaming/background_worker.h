// BackgroundWorker: one thread, kept for the owner's life, that runs one job at a time while
// the caller goes on; wait() blocks until the job is done and rethrows what it threw.
//
// The checkpoint coordinator writes its files on it. One long-lived thread rather than a new
// one per job because memory a job frees stays in its thread's malloc arena for the next job:
// a fresh thread each time touches fresh pages each time, and a page fault costs ~12 us on a
// virtual machine (a 4 MB checkpoint: ~1,000 of them, more than its encoding itself).
#pragma once

#include <condition_variable>
#include <exception>
#include <functional>
#include <mutex>
#include <thread>

namespace streamml {

class BackgroundWorker {
 public:
  BackgroundWorker() = default;
  ~BackgroundWorker();  // waits for the job in flight (its error is dropped), then ends the thread
  BackgroundWorker(const BackgroundWorker&) = delete;
  BackgroundWorker& operator=(const BackgroundWorker&) = delete;

  // Waits for the previous job (rethrowing its error), then starts `job`.
  void start(std::function<void()> job);
  // Waits for the job in flight, if any; rethrows its exception.
  void wait();
  bool busy() const;

 private:
  void loop();

  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::function<void()> job_;  // set while a job is queued or running
  std::exception_ptr error_;
  bool stopping_ = false;
  std::thread thread_;  // started with the first job
};

}  // namespace streamml
