#include "algorithms/recommend/interaction_store.h"

#include <algorithm>
#include <cmath>
#include <tuple>

#include "core/error.h"
#include "core/state_io.h"

namespace streamml {

namespace {

// Half-lives between two moves of the reference time: 2^256 keeps values far from overflow.
constexpr double kRebaseHalfLives = 256.0;
// The horizon's queue is rebuilt once it holds more than 2 x cells + this many entries.
constexpr std::size_t kExpirySlack = 1024;

}  // namespace

bool InteractionStore::later(const Expiry& a, const Expiry& b) {
  return std::tie(a.time, a.user, a.item) > std::tie(b.time, b.user, b.item);
}

void InteractionStore::grow(std::size_t users, std::size_t items) {
  if (users > by_user_.size()) by_user_.resize(users);
  if (items > by_item_.size()) by_item_.resize(items);
}

double InteractionStore::scaled(double value, EventTime time) const {
  if (policy_.half_life <= 0) return value;
  return value * std::exp2(double(time - t0_) / policy_.half_life);
}

double InteractionStore::decay_scale() const {
  if (policy_.half_life <= 0) return 1.0;
  return std::exp2(double(t0_ - now_) / policy_.half_life);
}

std::int64_t InteractionStore::find(std::uint32_t user, std::uint32_t item, std::size_t* position) const {
  const auto& list = by_user_[user];
  const auto it = std::lower_bound(list.begin(), list.end(), item,
                                   [&](std::uint32_t slot, std::uint32_t i) { return cells_[slot].item < i; });
  if (position) *position = std::size_t(it - list.begin());
  if (it != list.end() && cells_[*it].item == item) return std::int64_t(*it);
  return -1;
}

bool InteractionStore::has(std::uint32_t user, std::uint32_t item) const {
  return user < by_user_.size() && find(user, item, nullptr) >= 0;
}

void InteractionStore::add(std::uint32_t user, std::uint32_t item, double value, EventTime time) {
  if (!clock_started_) {
    clock_started_ = true;
    now_ = t0_ = time;
  }
  now_ = std::max(now_, time);
  if (policy_.half_life > 0 && double(time - t0_) > kRebaseHalfLives * policy_.half_life) rebase(time);

  std::size_t position = 0;
  const std::int64_t found = find(user, item, &position);
  std::uint32_t slot;
  if (found >= 0) {
    slot = std::uint32_t(found);
    Cell& c = cells_[slot];
    if (policy_.accumulate) {
      c.value += scaled(value, time);
      if (time <= c.time) return;  // the cell's time, and so its expiry, stays
      c.time = time;
    } else {
      if (time < c.time) return;  // an older rating than the one kept
      c.value = value;
      if (time == c.time) return;
      c.time = time;
    }
  } else {
    if (free_.empty()) {
      slot = std::uint32_t(cells_.size());
      cells_.emplace_back();
    } else {
      slot = free_.back();
      free_.pop_back();
    }
    cells_[slot] = Cell{user, item, policy_.accumulate ? scaled(value, time) : value, time};
    auto& ulist = by_user_[user];
    ulist.insert(ulist.begin() + std::ptrdiff_t(position), slot);
    auto& ilist = by_item_[item];
    const auto at = std::lower_bound(ilist.begin(), ilist.end(), user,
                                     [&](std::uint32_t s, std::uint32_t u) { return cells_[s].user < u; });
    ilist.insert(at, slot);
  }
  if (policy_.horizon > 0) {
    expiry_.push_back({time, user, item});
    std::push_heap(expiry_.begin(), expiry_.end(), [](const Expiry& a, const Expiry& b) { return later(a, b); });
  }
  if (policy_.max_per_user > 0 && std::int64_t(by_user_[user].size()) > policy_.max_per_user) evict_oldest(user);
}

bool InteractionStore::load_matrix(const CsrMatrix& m, EventTime time) {
  if (size() != 0 || !cells_.empty()) return false;
  for (std::size_t u = 0; u < m.rows(); ++u)
    for (auto p = m.indptr[u] + 1; p < m.indptr[u + 1]; ++p)
      if (m.indices[std::size_t(p)] <= m.indices[std::size_t(p - 1)]) return false;
  grow(m.rows(), std::size_t(m.cols));
  if (m.nnz() == 0) return true;
  clock_started_ = true;
  now_ = t0_ = time;
  std::vector<std::size_t> per_item(by_item_.size(), 0);
  for (auto i : m.indices) ++per_item[std::size_t(i)];
  for (std::size_t i = 0; i < per_item.size(); ++i) by_item_[i].reserve(per_item[i]);
  cells_.reserve(m.nnz());
  for (std::size_t u = 0; u < m.rows(); ++u) {
    auto begin = m.indptr[u];
    const auto end = m.indptr[u + 1];
    // Adding in item order with equal times, the cap evicts the smallest items first.
    if (policy_.max_per_user > 0 && end - begin > policy_.max_per_user) {
      evicted_ += (end - begin) - policy_.max_per_user;
      begin = end - std::int32_t(policy_.max_per_user);
    }
    auto& ulist = by_user_[u];
    ulist.reserve(std::size_t(end - begin));
    for (auto p = begin; p < end; ++p) {
      const auto slot = std::uint32_t(cells_.size());
      const auto item = std::uint32_t(m.indices[std::size_t(p)]);
      cells_.push_back(Cell{std::uint32_t(u), item, m.values[std::size_t(p)], time});
      ulist.push_back(slot);
      by_item_[item].push_back(slot);
      if (policy_.horizon > 0) expiry_.push_back({time, std::uint32_t(u), item});
    }
  }
  std::make_heap(expiry_.begin(), expiry_.end(), [](const Expiry& a, const Expiry& b) { return later(a, b); });
  return true;
}

void InteractionStore::evict_oldest(std::uint32_t user) {
  const auto& list = by_user_[user];
  std::uint32_t oldest = list.front();
  for (std::uint32_t s : list)
    if (std::tie(cells_[s].time, cells_[s].item) < std::tie(cells_[oldest].time, cells_[oldest].item)) oldest = s;
  remove(oldest);
}

void InteractionStore::remove(std::uint32_t slot) {
  const Cell c = cells_[slot];
  auto& ulist = by_user_[c.user];
  ulist.erase(std::lower_bound(ulist.begin(), ulist.end(), c.item,
                               [&](std::uint32_t s, std::uint32_t i) { return cells_[s].item < i; }));
  auto& ilist = by_item_[c.item];
  ilist.erase(std::lower_bound(ilist.begin(), ilist.end(), c.user,
                               [&](std::uint32_t s, std::uint32_t u) { return cells_[s].user < u; }));
  free_.push_back(slot);
  ++evicted_;
}

void InteractionStore::expire() {
  if (policy_.horizon <= 0) return;
  const auto cmp = [](const Expiry& a, const Expiry& b) { return later(a, b); };
  while (!expiry_.empty() && expiry_.front().time < now_ - policy_.horizon) {
    const Expiry e = expiry_.front();
    std::pop_heap(expiry_.begin(), expiry_.end(), cmp);
    expiry_.pop_back();
    // A cell touched again since has a later entry; only its latest entry evicts it.
    const std::int64_t slot = e.user < by_user_.size() ? find(e.user, e.item, nullptr) : -1;
    if (slot >= 0 && cells_[std::size_t(slot)].time == e.time) remove(std::uint32_t(slot));
  }
  // Every touch pushes an entry and only the latest one of a cell counts, so the queue grows
  // with the touches within the horizon (rate x horizon), not with the cells. Past twice the
  // cells it is rebuilt from them: one entry per cell, the ones that would evict, so expiry is
  // unchanged and the queue (memory, checkpoints) stays within 2 x cells + a batch's touches.
  if (expiry_.size() > 2 * size() + kExpirySlack) expiry_ = live_expiry();
}

std::vector<InteractionStore::Expiry> InteractionStore::live_expiry() const {
  std::vector<Expiry> queue;
  if (policy_.horizon <= 0) return queue;
  queue.reserve(size());
  for (const auto& list : by_user_)
    for (std::uint32_t s : list) queue.push_back({cells_[s].time, cells_[s].user, cells_[s].item});
  std::make_heap(queue.begin(), queue.end(), [](const Expiry& a, const Expiry& b) { return later(a, b); });
  return queue;
}

void InteractionStore::rebase(EventTime to) {
  const double factor = std::exp2(double(t0_ - to) / policy_.half_life);
  for (const auto& list : by_user_)
    for (std::uint32_t s : list) cells_[s].value *= factor;
  t0_ = to;
}

void InteractionStore::clear() {
  const StorePolicy p = policy_;
  const std::size_t users = by_user_.size(), items = by_item_.size();
  *this = InteractionStore(p);
  grow(users, items);
}

void InteractionStore::gather_user(std::uint32_t user, std::vector<std::uint32_t>& items,
                                   std::vector<double>& values) const {
  const auto& list = by_user_[user];
  const double scale = decay_scale();
  items.resize(list.size());
  values.resize(list.size());
  for (std::size_t j = 0; j < list.size(); ++j) {
    const Cell& c = cells_[list[j]];
    items[j] = c.item;
    values[j] = c.value * scale;
  }
}

void InteractionStore::gather_item(std::uint32_t item, std::vector<std::uint32_t>& users,
                                   std::vector<double>& values) const {
  const auto& list = by_item_[item];
  const double scale = decay_scale();
  users.resize(list.size());
  values.resize(list.size());
  // An item's cells lie scattered over the pool (it is filled user by user): fetch ahead.
  constexpr std::size_t kAhead = 16;
  for (std::size_t j = 0; j < list.size(); ++j) {
    if (j + kAhead < list.size()) __builtin_prefetch(&cells_[list[j + kAhead]]);
    const Cell& c = cells_[list[j]];
    users[j] = c.user;
    values[j] = c.value * scale;
  }
}

void InteractionStore::user_items(std::uint32_t user, std::vector<std::uint32_t>& items) const {
  const auto& list = by_user_[user];
  items.resize(list.size());
  for (std::size_t j = 0; j < list.size(); ++j) items[j] = cells_[list[j]].item;
}

void InteractionStore::save(StateWriter& out) const {
  std::vector<std::int64_t> users, items, times;
  std::vector<double> values;
  users.reserve(size()), items.reserve(size()), times.reserve(size()), values.reserve(size());
  for (const auto& list : by_user_)
    for (std::uint32_t s : list) {
      const Cell& c = cells_[s];
      users.push_back(c.user);
      items.push_back(c.item);
      values.push_back(c.value);
      times.push_back(c.time);
    }
  StateWriter g = out.group("store");
  g.write_ints("users", users);
  g.write_ints("items", items);
  g.write_vector("values", values);
  g.write_ints("times", times);
  // The horizon's queue as rebuilt from the cells (its stale entries never evict anything), so
  // the checkpoint is a function of the cells alone and its size of their count.
  std::vector<std::int64_t> et, eu, ei;
  for (const Expiry& e : live_expiry()) et.push_back(e.time), eu.push_back(e.user), ei.push_back(e.item);
  g.write_ints("expiry_times", et);
  g.write_ints("expiry_users", eu);
  g.write_ints("expiry_items", ei);
  g.write_int("now", now_);
  g.write_bool("clock_started", clock_started_);
  g.write_int("t0", t0_);
  g.write_int("evicted", evicted_);
}

void InteractionStore::load(const StateReader& in, std::size_t n_users, std::size_t n_items) {
  const StateReader g = in.group("store");
  const auto users = g.read_ints("users");
  const auto items = g.read_ints("items", std::int64_t(users.size()));
  const auto values = g.read_std_vector("values", std::int64_t(users.size()));
  const auto times = g.read_ints("times", std::int64_t(users.size()));
  InteractionStore fresh(policy_);
  fresh.grow(n_users, n_items);
  for (std::size_t c = 0; c < users.size(); ++c) {
    STREAMML_CHECK(users[c] >= 0 && std::size_t(users[c]) < n_users && items[c] >= 0 &&
                       std::size_t(items[c]) < n_items,
                   InvalidInput,
                   g.where("users") << ": cell " << c << " is (" << users[c] << ", " << items[c] << "), outside "
                                    << n_users << " users x " << n_items << " items");
    STREAMML_CHECK(c == 0 || std::tie(users[c - 1], items[c - 1]) < std::tie(users[c], items[c]), InvalidInput,
                   g.where("users") << ": cells are not in (user, item) order at cell " << c);
    STREAMML_CHECK(std::isfinite(values[c]), InvalidInput, g.where("values") << ": cell " << c << " is " << values[c]);
    const auto u = std::uint32_t(users[c]), i = std::uint32_t(items[c]);
    fresh.cells_.push_back(Cell{u, i, values[c], times[c]});
    // Cells come in (user, item) order, so both lists are built already sorted.
    fresh.by_user_[u].push_back(std::uint32_t(c));
    fresh.by_item_[i].push_back(std::uint32_t(c));
  }
  const auto et = g.read_ints("expiry_times");
  const auto eu = g.read_ints("expiry_users", std::int64_t(et.size()));
  const auto ei = g.read_ints("expiry_items", std::int64_t(et.size()));
  for (std::size_t e = 0; e < et.size(); ++e) {
    STREAMML_CHECK(eu[e] >= 0 && ei[e] >= 0 && eu[e] <= 0xFFFFFFFFLL && ei[e] <= 0xFFFFFFFFLL, InvalidInput,
                   g.where("expiry_users") << ": entry " << e << " is out of range");
    fresh.expiry_.push_back({et[e], std::uint32_t(eu[e]), std::uint32_t(ei[e])});
  }
  STREAMML_CHECK(std::is_heap(fresh.expiry_.begin(), fresh.expiry_.end(),
                              [](const Expiry& a, const Expiry& b) { return later(a, b); }),
                 InvalidInput, g.where("expiry_times") << ": not a heap of expiry times");
  fresh.now_ = g.read_int("now");
  fresh.clock_started_ = g.read_bool("clock_started");
  fresh.t0_ = g.read_int("t0");
  fresh.evicted_ = g.read_int("evicted");
  *this = std::move(fresh);
}

}  // namespace streamml
