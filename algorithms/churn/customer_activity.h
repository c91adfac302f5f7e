// CustomerActivity: per-customer purchase state with an idle timeout, and the features churn
// prediction reads from it (recency, frequency, spend, trend, tenure) — the keyed state of
// Spark Streaming's mapWithState with a timeout (streaming/dstream/keyed_state.h), kept here
// as a plain object so a learner owns it and checkpoints it with its model.
//
// Per customer: first and last purchase, the number of purchases, and exponentially decayed
// counts and spend (Cormode et al.'s forward decay, decayed lazily to the time they are read):
//   n_s(t) = sum_p 2^(-(t - t_p) / short_half_life),  n_l, spend_l likewise with long_half_life.
// A customer whose last purchase is more than idle_timeout before the clock is dropped (it has
// gone, as far as the stream can tell); if it comes back it starts afresh. So the state holds
// only customers seen within idle_timeout: bounded by the active population.
//
// Features at clock t (days; all on scales near 1 so an SGD model needs no standardisation):
//   recency   log(1 + days since the last purchase)
//   freq_s    log(1 + n_s(t)),  freq_l  log(1 + n_l(t))
//   spend_l   log(1 + spend_l(t) / 100)
//   trend     log((n_s / tau_s + 0.01) / (n_l / tau_l + 0.01)), tau = half_life / ln 2: the
//             short-term purchase rate against the long-term one (negative: thinning out)
//   tenure    log(1 + days since the first purchase)
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "core/event_time.h"

namespace streamml {

class StateWriter;
class StateReader;

struct CustomerActivitySettings {
  double idle_timeout_days = 30;
  double short_half_life_days = 7;
  double long_half_life_days = 30;
};

class CustomerActivity {
 public:
  static constexpr std::size_t kFeatures = 6;
  static const char* const kFeatureNames[kFeatures];

  explicit CustomerActivity(CustomerActivitySettings settings = {}) : settings_(settings) {}

  // One purchase; times must not go back for a customer (a record before its last purchase
  // is refused, naming it).
  void observe(const std::string& customer, EventTime time, double amount);
  // Drops the customers idle for more than idle_timeout at `clock`; returns how many.
  std::int64_t expire(EventTime clock);

  std::size_t size() const { return customers_.size(); }
  // Customer ids in sorted order (the order of features()).
  std::vector<std::string> customers() const;
  // Every customer's features at `clock`, row-major (size() x kFeatures), in sorted order.
  std::vector<double> features(EventTime clock) const;
  // Every customer's recent spend per day at `clock` (the long-term decayed spend over its
  // time constant, long_half_life / ln 2 days), in sorted order.
  std::vector<double> spend_per_day(EventTime clock) const;
  bool contains(const std::string& customer) const { return customers_.count(customer) != 0; }
  std::int64_t expired() const { return expired_; }

  void save_state(StateWriter& out) const;
  // Replaces the state; throws Error(InvalidInput) for inconsistent arrays.
  void load_state(const StateReader& in);

 private:
  struct Customer {
    EventTime first = 0, last = 0;
    std::int64_t purchases = 0;
    double n_short = 0, n_long = 0, spend_long = 0;  // decayed to `last`
  };
  CustomerActivitySettings settings_;
  std::map<std::string, Customer> customers_;
  std::int64_t expired_ = 0;
};

}  // namespace streamml
