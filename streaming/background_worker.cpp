#include "streaming/background_worker.h"

#include <utility>

namespace streamml {

BackgroundWorker::~BackgroundWorker() {
  {
    std::unique_lock<std::mutex> lock(mutex_);
    changed_.wait(lock, [&] { return !job_; });
    stopping_ = true;
  }
  changed_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void BackgroundWorker::start(std::function<void()> job) {
  wait();
  {
    std::lock_guard<std::mutex> lock(mutex_);
    job_ = std::move(job);
    if (!thread_.joinable()) thread_ = std::thread([this] { loop(); });
  }
  changed_.notify_all();
}

void BackgroundWorker::wait() {
  std::unique_lock<std::mutex> lock(mutex_);
  changed_.wait(lock, [&] { return !job_; });
  if (error_) std::rethrow_exception(std::exchange(error_, nullptr));
}

bool BackgroundWorker::busy() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return bool(job_);
}

void BackgroundWorker::loop() {
  std::unique_lock<std::mutex> lock(mutex_);
  while (true) {
    changed_.wait(lock, [&] { return stopping_ || job_; });
    if (!job_) return;  // stopping, nothing left to do
    lock.unlock();
    std::exception_ptr error;
    try {
      job_();  // job_ is only replaced after it is cleared below
    } catch (...) {
      error = std::current_exception();
    }
    lock.lock();
    error_ = error;
    job_ = nullptr;
    changed_.notify_all();
  }
}

}  // namespace streamml
