// InteractionStore: the bounded (user, item) -> value table a streaming ALS re-solves rows
// against. One cell per (user, item) pair:
//   implicit feedback  counts add up: a user who clicks an item three times has value 3;
//   explicit feedback  the latest rating (by event time; a tie goes to the later record) replaces
//                      the earlier one.
// The policy (all optional, all stated in the settings):
//   max_per_user  a user keeps at most this many cells; past it the cell touched longest ago
//                 (smallest event time, then smallest item row) is evicted;
//   horizon       cells not touched for this long (event time) are evicted at the end of the
//                 batch that moves the clock past them;
//   half_life     implicit counts decay: a count c added at time t is worth c 2^-((now - t) / h)
//                 at the store's clock `now` (the latest event time seen). Stored values are
//                 kept scaled to a reference time t0 (c 2^((t - t0) / h)), so decay never
//                 touches every cell; t0 moves forward (one pass over the cells) every 256
//                 half-lives to keep the numbers in range.
// Without a cap or a horizon the store keeps one cell per distinct pair it has seen: bounded by
// users x items, not by the length of the stream. The horizon's queue (one entry per touch,
// stale ones skipped) is rebuilt from the cells whenever it exceeds 2 x cells + 1,024 entries
// at the end of a batch, so it too is bounded by the cells, not by the stream's rate; a
// checkpoint holds it as rebuilt (one entry per cell).
//
// Layout: cells in a pool; each user's cells listed in item order and each item's cells in user
// order, so gathering a row is a walk of its list and every order is canonical (a checkpoint
// restores the lists exactly from the cells, whatever pool slots they had).
#pragma once

#include <cstdint>
#include <vector>

#include "core/batch.h"
#include "core/event_time.h"

namespace streamml {

class StateReader;
class StateWriter;

struct StorePolicy {
  bool accumulate = false;       // implicit counts add up; explicit ratings replace
  std::int64_t max_per_user = 0; // 0: no cap
  EventTime horizon = 0;         // microseconds; 0: none
  double half_life = 0.0;        // microseconds; 0: no decay
};

class InteractionStore {
 public:
  struct Cell {
    std::uint32_t user = 0, item = 0;
    double value = 0.0;  // scaled to t0 under decay (see above)
    EventTime time = 0;  // the latest event time that touched the cell
  };

  explicit InteractionStore(StorePolicy policy = {}) : policy_(policy) {}

  const StorePolicy& policy() const { return policy_; }
  std::size_t size() const { return cells_.size() - free_.size(); }
  std::size_t users() const { return by_user_.size(); }
  std::size_t items() const { return by_item_.size(); }
  EventTime now() const { return now_; }
  std::int64_t evicted() const { return evicted_; }

  // Makes room for rows up to these counts (new rows have no cells).
  void grow(std::size_t users, std::size_t items);
  // Records one interaction (rows already grown); the cap applies at once.
  void add(std::uint32_t user, std::uint32_t item, double value, EventTime time);
  // Fills an empty store with a whole users x items matrix, every entry at `time`: what adding
  // the entries row by row would store, in one pass. False (nothing changed) when a row's
  // columns are not strictly increasing: add() them one by one then.
  bool load_matrix(const CsrMatrix& m, EventTime time);
  // Evicts the cells past the horizon; call once a batch's interactions are all added.
  void expire();
  void clear();

  // A row's cells as (other side's row, value at `now`), in canonical order.
  void gather_user(std::uint32_t user, std::vector<std::uint32_t>& items, std::vector<double>& values) const;
  void gather_item(std::uint32_t item, std::vector<std::uint32_t>& users, std::vector<double>& values) const;
  std::size_t user_count(std::uint32_t user) const { return by_user_[user].size(); }
  std::size_t item_count(std::uint32_t item) const { return by_item_[item].size(); }
  // Whether the user has a cell for the item (binary search).
  bool has(std::uint32_t user, std::uint32_t item) const;
  // The items of a user's cells, in item order.
  void user_items(std::uint32_t user, std::vector<std::uint32_t>& items) const;
  // The factor that turns stored values into values at `now` (1 without decay).
  double decay_scale() const;

  // Checkpoints: every cell in canonical order, the clock, t0, the horizon's queue.
  void save(StateWriter& out) const;
  // Replaces the whole store; checks every value and throws Error(InvalidInput) naming the
  // dataset that does not fit (the store is unchanged then).
  void load(const StateReader& in, std::size_t users, std::size_t items);

 private:
  struct Expiry {
    EventTime time;
    std::uint32_t user, item;
  };

  // The heap's order: the earliest (time, user, item) on top.
  static bool later(const Expiry& a, const Expiry& b);
  std::int64_t find(std::uint32_t user, std::uint32_t item, std::size_t* position) const;
  void remove(std::uint32_t slot);
  // The horizon's queue rebuilt from the cells: one entry per cell, a heap (empty without a
  // horizon).
  std::vector<Expiry> live_expiry() const;
  void evict_oldest(std::uint32_t user);
  void rebase(EventTime to);
  double scaled(double value, EventTime time) const;

  StorePolicy policy_;
  std::vector<Cell> cells_;
  std::vector<std::uint32_t> free_;
  std::vector<std::vector<std::uint32_t>> by_user_, by_item_;  // slots, sorted by item / by user
  std::vector<Expiry> expiry_;                                 // a min-heap by (time, user, item)
  EventTime now_ = 0;
  bool clock_started_ = false;
  EventTime t0_ = 0;  // the reference time of stored values under decay
  std::int64_t evicted_ = 0;
};

}  // namespace streamml
