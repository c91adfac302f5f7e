// DelayedLabelJoin: features as of time t joined with the label that matures at t + horizon.
//
// The label of a snapshot (customer c, time t) is churn as the stream itself can observe it:
// 1 when c makes no purchase in the last `silence` days of the horizon,
// (t + horizon - silence, t + horizon], 0 when it makes one. With silence = horizon that is
// "no purchase within the horizon"; a shorter silence also counts the customers who leave late
// in the horizon after a last few purchases (a leaving customer's purchases thin out first).
// It is known only at t + horizon (a purchase settles it earlier, but every snapshot waits the
// full horizon, so the examples the model learns from are not skewed towards the
// non-churners, whose labels would otherwise arrive first).
//
// How the join is kept in state: per customer, a queue of pending snapshots in time order,
// each holding its features and one flag, "purchased in its window". A purchase of c at time p
// sets the flag of c's pending snapshots with t + horizon - silence < p (p <= t + horizon holds
// for every pending one: the clock has not reached it), walking back from the newest: the
// windows of older snapshots start earlier, so once one is set every older one is too. When the clock reaches t + horizon the snapshot leaves the state
// as a labelled example (label = !flag). Nothing else about the customer is kept: the join
// needs no purchase history.
//
// Bound: a customer is snapshotted at most once per snapshot interval and only while it is in
// the activity state, so the pending rows are at most (customers seen in the last idle
// timeout) x ceil(horizon / interval); `max_pending` caps them outright: a snapshot that would
// exceed it is not kept, and counted (dropped()).
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <string>
#include <vector>

#include "core/event_time.h"

namespace streamml {

class StateWriter;
class StateReader;

// Examples that matured, in order of (snapshot time, customer).
struct MaturedExamples {
  std::vector<std::string> customers;
  std::vector<EventTime> times;
  std::vector<double> features;  // rows x dims, row-major
  std::vector<double> labels;    // 1: no purchase within the horizon
  std::size_t rows() const { return labels.size(); }
};

class DelayedLabelJoin {
 public:
  // silence <= horizon: see above.
  DelayedLabelJoin(EventTime horizon, EventTime silence, std::int64_t max_pending)
      : horizon_(horizon), silence_(silence), max_pending_(max_pending) {}

  // A purchase: settles the customer's pending snapshots it falls within the horizon of.
  void purchase(const std::string& customer, EventTime time);
  // Snapshots of the given customers at `time` (features rows x dims, row-major; dims fixed by
  // the first call). Times must not go back.
  void snapshot(EventTime time, const std::vector<std::string>& customers, const std::vector<double>& features);
  // The snapshots with time + horizon <= clock, labelled and removed.
  MaturedExamples mature(EventTime clock);

  std::int64_t pending() const { return pending_; }
  std::int64_t dropped() const { return dropped_; }
  std::int64_t matured() const { return matured_; }
  std::size_t dims() const { return dims_; }

  void save_state(StateWriter& out) const;
  void load_state(const StateReader& in);

 private:
  struct Pending {
    EventTime time;
    bool purchased;
    std::vector<double> features;
  };
  EventTime horizon_, silence_;
  std::int64_t max_pending_;
  std::size_t dims_ = 0;
  EventTime last_snapshot_ = 0;
  std::map<std::string, std::deque<Pending>> pending_by_customer_;
  std::int64_t pending_ = 0, dropped_ = 0, matured_ = 0;
};

}  // namespace streamml
