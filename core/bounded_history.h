// BoundedHistory: a per-batch series (a learning curve, noise per batch) kept in bounded
// memory, and so in bounded checkpoints, however long the stream runs.
//
// Points are numbered by the order they were added (their ordinal: 0, 1, 2, ...). Two parts:
//   recent  the last `recent` points, exactly;
//   whole   a whole-stream curve of at most `whole` points (whole >= 2). Until `whole` points
//           were added it holds every one. From then on it holds exactly `whole` points, spread
//           over the entire stream: ordinal 0, and points whose ordinals are multiples of a
//           stride s (a power of two), the older ones 2s apart and the newer ones s apart.
//           Each s-th point added evicts the oldest kept point that is not a multiple of 2s;
//           when none is left, s doubles. So consecutive kept points are s or 2s apart, the
//           newest kept point is less than s before the newest point, and s < 2n / whole
//           after n points (tests/cpp/test_bounded_history.cpp checks each claim).
// Memory and checkpoints hold at most recent + whole points, whatever the stream's length.
#pragma once

#include <cstdint>
#include <deque>
#include <utility>
#include <vector>

#include "core/error.h"

namespace streamml {

struct HistoryBounds {
  std::size_t recent = 1000;  // >= 1
  std::size_t whole = 1000;   // >= 2
};

template <class T>
class BoundedHistory {
 public:
  explicit BoundedHistory(HistoryBounds bounds = {}) : bounds_(bounds) {
    STREAMML_CHECK(bounds.recent >= 1 && bounds.whole >= 2, InvalidInput,
                   "history bounds: recent must be >= 1 and whole >= 2 points, got " << bounds.recent << " and "
                                                                                       << bounds.whole);
  }

  void add(T point) {
    const std::int64_t ordinal = count_++;
    recent_.push_back(point);
    if (recent_.size() > bounds_.recent) recent_.pop_front();
    if (ordinal % stride_ != 0) return;
    if (whole_.size() == bounds_.whole) {
      std::size_t evict = off_grid();
      if (evict == whole_.size()) {  // every point on the 2s grid: the next resolution
        stride_ *= 2;
        if (ordinal % stride_ != 0) return;
        evict = off_grid();
      }
      whole_.erase(whole_.begin() + std::ptrdiff_t(evict));
    }
    whole_.emplace_back(ordinal, std::move(point));
  }

  const HistoryBounds& bounds() const { return bounds_; }
  std::int64_t count() const { return count_; }  // points ever added
  std::int64_t stride() const { return stride_; }
  bool empty() const { return count_ == 0; }
  const T& last() const { return recent_.back(); }
  // The last min(count, recent) points, oldest first; the first has ordinal count - size.
  const std::deque<T>& recent() const { return recent_; }
  std::int64_t first_recent_ordinal() const { return count_ - std::int64_t(recent_.size()); }
  // (ordinal, point) of the whole-stream curve, oldest first.
  const std::vector<std::pair<std::int64_t, T>>& whole() const { return whole_; }

  // Both parts by ordinal, each point once: what a curve written out holds.
  std::vector<std::pair<std::int64_t, T>> kept() const {
    std::vector<std::pair<std::int64_t, T>> out;
    const std::int64_t first = first_recent_ordinal();
    for (const auto& p : whole_)
      if (p.first < first) out.push_back(p);
    for (std::size_t i = 0; i < recent_.size(); ++i) out.emplace_back(first + std::int64_t(i), recent_[i]);
    return out;
  }

  // Replaces the state with a saved one, after checking it is one this class could have made:
  // `where` names it in the error (Error(InvalidInput)); nothing changes when it throws.
  void restore(std::int64_t count, std::int64_t stride, std::vector<std::pair<std::int64_t, T>> whole,
               std::deque<T> recent, const std::string& where) {
    const bool stride_ok = stride >= 1 && (stride & (stride - 1)) == 0;
    STREAMML_CHECK(count >= 0 && stride_ok, InvalidInput,
                   where << ": " << count << " points with a stride of " << stride << " is not a history");
    STREAMML_CHECK(recent.size() == std::min<std::size_t>(std::size_t(count), bounds_.recent), InvalidInput,
                   where << ": " << recent.size() << " recent points, expected " << std::min<std::int64_t>(count, std::int64_t(bounds_.recent)));
    STREAMML_CHECK(whole.size() <= bounds_.whole && (count == 0) == whole.empty(), InvalidInput,
                   where << ": " << whole.size() << " whole-stream points for " << count << " points, at most " << bounds_.whole);
    for (std::size_t i = 0; i < whole.size(); ++i) {
      const std::int64_t o = whole[i].first;
      STREAMML_CHECK(o % stride == 0 && o < count && (i == 0 ? o == 0 : o > whole[i - 1].first), InvalidInput,
                     where << ": whole-stream point " << i << " has ordinal " << o << " (stride " << stride << ", " << count
                           << " points)");
    }
    count_ = count;
    stride_ = stride;
    whole_ = std::move(whole);
    recent_ = std::move(recent);
  }

 private:
  // The index of the oldest kept point off the 2s grid, whole_.size() when none is.
  std::size_t off_grid() const {
    for (std::size_t i = 0; i < whole_.size(); ++i)
      if (whole_[i].first % (2 * stride_) != 0) return i;
    return whole_.size();
  }

  HistoryBounds bounds_;
  std::int64_t count_ = 0;
  std::int64_t stride_ = 1;
  std::deque<T> recent_;
  std::vector<std::pair<std::int64_t, T>> whole_;
};

}  // namespace streamml
