#include "algorithms/churn/delayed_label_join.h"

#include <algorithm>
#include <numeric>

#include "core/error.h"
#include "core/state_io.h"

namespace streamml {

void DelayedLabelJoin::purchase(const std::string& customer, EventTime time) {
  auto it = pending_by_customer_.find(customer);
  if (it == pending_by_customer_.end()) return;
  // Newest first: once a snapshot is already settled, every older one is too.
  for (auto p = it->second.rbegin(); p != it->second.rend() && !p->purchased; ++p)
    if (p->time + horizon_ - silence_ < time && time <= p->time + horizon_) p->purchased = true;
}

void DelayedLabelJoin::snapshot(EventTime time, const std::vector<std::string>& customers,
                                const std::vector<double>& features) {
  if (customers.empty()) return;
  const std::size_t d = features.size() / customers.size();
  STREAMML_CHECK(d * customers.size() == features.size() && d > 0, InvalidInput,
                 "delayed labels: " << features.size() << " feature values for " << customers.size()
                                    << " customers is not a whole number of rows");
  if (dims_ == 0 && pending_ == 0) dims_ = d;
  STREAMML_CHECK(d == dims_, InvalidInput, "delayed labels: snapshots have " << dims_ << " features, got " << d);
  STREAMML_CHECK(time >= last_snapshot_, InvalidInput,
                 "delayed labels: a snapshot at " << format_event_time(time) << " comes before the last one at "
                                                  << format_event_time(last_snapshot_));
  last_snapshot_ = time;
  for (std::size_t i = 0; i < customers.size(); ++i) {
    if (pending_ >= max_pending_) {
      dropped_ += std::int64_t(customers.size() - i);
      break;
    }
    pending_by_customer_[customers[i]].push_back(
        {time, false, std::vector<double>(features.begin() + std::ptrdiff_t(i * d), features.begin() + std::ptrdiff_t((i + 1) * d))});
    ++pending_;
  }
}

MaturedExamples DelayedLabelJoin::mature(EventTime clock) {
  MaturedExamples out;
  for (auto it = pending_by_customer_.begin(); it != pending_by_customer_.end();) {
    auto& queue = it->second;
    while (!queue.empty() && queue.front().time + horizon_ <= clock) {
      Pending& p = queue.front();
      out.customers.push_back(it->first);
      out.times.push_back(p.time);
      out.features.insert(out.features.end(), p.features.begin(), p.features.end());
      out.labels.push_back(p.purchased ? 0.0 : 1.0);
      queue.pop_front();
      --pending_;
      ++matured_;
    }
    it = queue.empty() ? pending_by_customer_.erase(it) : std::next(it);
  }
  // Customer order within each snapshot time, snapshot times in order.
  std::vector<std::size_t> order(out.rows());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return out.times[a] < out.times[b]; });
  MaturedExamples sorted;
  for (std::size_t i : order) {
    sorted.customers.push_back(std::move(out.customers[i]));
    sorted.times.push_back(out.times[i]);
    sorted.features.insert(sorted.features.end(), out.features.begin() + std::ptrdiff_t(i * dims_),
                           out.features.begin() + std::ptrdiff_t((i + 1) * dims_));
    sorted.labels.push_back(out.labels[i]);
  }
  return sorted;
}

void DelayedLabelJoin::save_state(StateWriter& out) const {
  std::vector<std::string> customers;
  std::vector<std::int64_t> counts, times;
  std::vector<double> flags, features;
  for (const auto& [id, queue] : pending_by_customer_) {
    customers.push_back(id);
    counts.push_back(std::int64_t(queue.size()));
    for (const Pending& p : queue) {
      times.push_back(p.time);
      flags.push_back(p.purchased ? 1.0 : 0.0);
      features.insert(features.end(), p.features.begin(), p.features.end());
    }
  }
  out.write_strings("customers", customers);
  out.write_ints("counts", counts);
  out.write_ints("times", times);
  out.write_vector("purchased", flags);
  out.write_matrix("features", features.data(), times.size(), dims_);
  out.write_ints("counters", std::vector<std::int64_t>{std::int64_t(dims_), last_snapshot_, dropped_, matured_});
}

void DelayedLabelJoin::load_state(const StateReader& in) {
  const std::vector<std::string> customers = in.read_strings("customers");
  const std::vector<std::int64_t> counts = in.read_ints("counts", std::int64_t(customers.size()));
  const std::vector<std::int64_t> counters = in.read_ints("counters", 4);
  const std::int64_t total = std::accumulate(counts.begin(), counts.end(), std::int64_t{0});
  STREAMML_CHECK(counters[0] >= 0 && counters[2] >= 0 && counters[3] >= 0 &&
                     std::all_of(counts.begin(), counts.end(), [](std::int64_t n) { return n > 0; }),
                 InvalidInput, in.where("counts") << ": counts must be > 0 and counters >= 0");
  const std::vector<std::int64_t> times = in.read_ints("times", total);
  const std::vector<double> flags = in.read_std_vector("purchased", total);
  const RowMatrix features = in.read_matrix("features", total, counters[0]);
  std::map<std::string, std::deque<Pending>> loaded;
  std::size_t row = 0;
  for (std::size_t c = 0; c < customers.size(); ++c) {
    auto& queue = loaded[customers[c]];
    STREAMML_CHECK(queue.empty(), InvalidInput, in.where("customers") << ": customer '" << customers[c] << "' appears twice");
    for (std::int64_t k = 0; k < counts[c]; ++k, ++row) {
      const double* f = features.data() + row * std::size_t(counters[0]);
      queue.push_back({times[row], flags[row] != 0.0, std::vector<double>(f, f + counters[0])});
    }
  }
  pending_by_customer_ = std::move(loaded);
  dims_ = std::size_t(counters[0]);
  last_snapshot_ = counters[1];
  dropped_ = counters[2];
  matured_ = counters[3];
  pending_ = total;
}

}  // namespace streamml
