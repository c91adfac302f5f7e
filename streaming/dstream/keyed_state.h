// Keyed state kept across batches: update_state_by_key and map_with_state (Spark Streaming's
// updateStateByKey and mapWithState). Keys are hash-partitioned (partition.h) and the
// partitions updated in parallel; inside a partition, calls come in the records' stream order.
// The state tables are checkpointed (Codec<K>, Codec<S>).
//
// Timeouts (map_with_state): a key is "seen" in a batch when a record of it arrives. Measured
//   in batches, a key last seen in batch j that has no record in batches j+1 .. j+T is timed
//   out in batch j + T + 1; measured in event time, in the first batch whose clock
//   (BatchInfo::clock) exceeds the clock of batch j by more than T. Timing out calls the
//   function once more, with no value and state.is_timing_out(), after the batch's records;
//   then the key's state is removed. Nothing times out at the end-of-stream flush.
#pragma once

#include <algorithm>
#include <functional>
#include <optional>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include "core/error.h"
#include "core/state_io.h"
#include "streaming/dstream/graph.h"
#include "streaming/dstream/partition.h"
#include "streaming/dstream/windows.h"

namespace streamml::dstream {

// A key's state as map_with_state's function sees it.
template <class S>
class State {
 public:
  State(const S* current, bool timing_out) : timing_out_(timing_out) {
    if (current) value_ = *current;
  }
  bool exists() const { return value_.has_value(); }
  const S& get() const {
    STREAMML_CHECK(value_.has_value(), InvalidInput, "State::get() on a key without state (check exists() first)");
    return *value_;
  }
  void update(S value) {
    STREAMML_CHECK(!timing_out_, InvalidInput, "State::update() while the key is timing out: its state is being removed");
    value_ = std::move(value);
    changed_ = true;
  }
  void remove() {
    value_.reset();
    changed_ = true;
  }
  bool is_timing_out() const { return timing_out_; }
  bool changed() const { return changed_; }
  std::optional<S>& value() { return value_; }

 private:
  std::optional<S> value_;
  bool timing_out_;
  bool changed_ = false;
};

// map_with_state's settings: the function and an optional idle timeout.
//   fn(const K& key, const std::optional<V>& value, State<S>& state) -> std::optional<U>
// (a value is nullopt only when the key is timing out; nullopt out emits nothing).
template <class S, class F>
struct StateSpec {
  F function;
  std::variant<std::monostate, Batches, Duration> idle_timeout;

  StateSpec& timeout(Batches t) {
    idle_timeout = t;
    return *this;
  }
  StateSpec& timeout(Duration t) {
    idle_timeout = t;
    return *this;
  }
};

template <class S, class F>
StateSpec<S, F> state_spec(F function) {
  return StateSpec<S, F>{std::move(function), {}};
}

// What both keyed-state operators keep: a table per partition of each key's state (saved as
// one blob of Codec bytes), and their input's scatter buffers.
template <class Out, class K, class V, class S>
class KeyedStateNode : public Node<Out> {
 public:
  using Node<Out>::Node;
  bool has_state() const override { return true; }
  void save_state(StateWriter& out) const override { out.write_strings("state", {encode_tables(state_)}); }
  void load_state(const StateReader& in) override {
    decode_tables(in.read_strings("state", 1)[0], pending_, in.where("state"));
    loaded_ = true;
  }
  void commit_loaded() override {
    if (loaded_) state_ = std::move(pending_);
    loaded_ = false;
  }
  void discard_loaded() override { loaded_ = false; }

 protected:
  PartitionedTable<K, S> state_;
  Buckets<K, V> in_;  // kept across batches (its capacity)

 private:
  PartitionedTable<K, S> pending_;
  bool loaded_ = false;
};

template <class K, class V, class S, class F>
class UpdateStateNode : public KeyedStateNode<std::pair<K, S>, K, V, S> {
 public:
  UpdateStateNode(StreamingContext& ctx, Node<std::pair<K, V>>* parent, F f)
      : KeyedStateNode<std::pair<K, S>, K, V, S>(ctx, "update_state_by_key", {parent}), parent_(parent), f_(std::move(f)) {}

 protected:
  // f(new values of the batch, current state) -> the new state (nullopt removes the key), for
  // every key with state or with new values.
  bool compute(Records<std::pair<K, S>>& out) override {
    Buckets<K, V>& in = in_;  // kept across batches (its capacity)
    if (!scatter(parent_, in)) return false;
    for_each_partition([&](std::size_t p) {
      OrderedTable<K, std::vector<V>> fresh;
      in.each(p, [&](const Entry<K, V>& e) {
        bool inserted = false;
        fresh.find_or_insert(e.kv.first, e.hash, [] { return std::vector<V>{}; }, inserted).push_back(e.kv.second);
      });
      OrderedTable<K, S>& table = state_[p];
      const std::vector<V> none;
      std::vector<K> gone;
      table.for_each_mutable([&](const K& k, S& s) {
        const std::vector<V>* values = fresh.find(k);
        std::optional<S> next = f_(values ? *values : none, std::optional<S>(s));
        if (next) s = std::move(*next);
        else gone.push_back(k);
      });
      for (const K& k : gone) table.erase(k);
      fresh.for_each_hashed([&](const K& k, const std::vector<V>& values, std::uint64_t h) {
        if (table.find(k, h) || std::find(gone.begin(), gone.end(), k) != gone.end()) return;
        std::optional<S> next = f_(values, std::optional<S>());
        bool inserted = false;
        if (next) table.find_or_insert(k, h, [&] { return std::move(*next); }, inserted);
      });
    });
    flatten(state_, out.values, [](const K& k, const S& s) { return std::pair<K, S>(k, s); });
    return true;
  }

 private:
  Node<std::pair<K, V>>* parent_;
  F f_;
  using KeyedStateNode<std::pair<K, S>, K, V, S>::state_;
  using KeyedStateNode<std::pair<K, S>, K, V, S>::in_;
};

// A key's state with when it was last seen (batch index and clock).
template <class S>
struct Tracked {
  S value{};
  std::int64_t last_batch = 0;
  EventTime last_clock = 0;
  auto fields() { return std::tie(value, last_batch, last_clock); }
};

template <class K, class V, class S, class U, class F>
class MapWithStateNode : public KeyedStateNode<U, K, V, Tracked<S>> {
 public:
  using Timeout = std::variant<std::monostate, Batches, Duration>;
  MapWithStateNode(StreamingContext& ctx, Node<std::pair<K, V>>* parent, F f, Timeout timeout)
      : KeyedStateNode<U, K, V, Tracked<S>>(ctx, "map_with_state", {parent}, settings(timeout)),
        parent_(parent), f_(std::move(f)), timeout_(timeout) {
    if (auto* b = std::get_if<Batches>(&timeout_))
      STREAMML_CHECK(b->count > 0, InvalidInput, "map_with_state: the timeout must be > 0 batches, got " << b->count);
    if (auto* d = std::get_if<Duration>(&timeout_))
      STREAMML_CHECK(d->micros > 0, InvalidInput, "map_with_state: the timeout must be > 0, got " << d->micros << " µs");
  }

 protected:
  bool compute(Records<U>& out) override {
    Buckets<K, V>& in = in_;  // kept across batches (its capacity)
    if (!scatter(parent_, in)) return false;
    const BatchInfo& info = this->ctx_.info();
    const bool by_time = std::holds_alternative<Duration>(timeout_);
    STREAMML_CHECK(!by_time || info.clock.has_value() || in.blocks.empty(), InvalidInput,
                   this->label() << ": a timeout in event time needs event times (batches cut by event time, "
                                    "or records with event times)");
    const EventTime clock = info.clock.value_or(0);
    std::array<std::vector<U>, kPartitions> parts;
    for_each_partition([&](std::size_t p) {
      OrderedTable<K, Tracked<S>>& table = state_[p];
      in.each(p, [&](const Entry<K, V>& e) {
        const K& k = e.kv.first;
        Tracked<S>* t = table.find(k, e.hash);
        State<S> st(t ? &t->value : nullptr, false);
        std::optional<U> r = f_(k, std::optional<V>(e.kv.second), st);
        if (r) parts[p].push_back(std::move(*r));
        if (!st.value()) {
          table.erase(k, e.hash);
          return;
        }
        bool inserted = false;
        Tracked<S>& slot = t ? *t : table.find_or_insert(k, e.hash, [] { return Tracked<S>{}; }, inserted);
        if (st.changed()) slot.value = std::move(*st.value());
        slot.last_batch = info.index;
        slot.last_clock = clock;
      });
      if (std::holds_alternative<std::monostate>(timeout_)) return;
      std::vector<K> gone;
      table.for_each_mutable([&](const K& k, Tracked<S>& t) {
        const bool idle = by_time ? (info.clock && clock - t.last_clock > std::get<Duration>(timeout_).micros)
                                  : info.index - t.last_batch > std::get<Batches>(timeout_).count;
        if (!idle) return;
        State<S> st(&t.value, true);
        std::optional<U> r = f_(k, std::optional<V>(), st);
        if (r) parts[p].push_back(std::move(*r));
        gone.push_back(k);
      });
      for (const K& k : gone) table.erase(k);
    });
    for (auto& part : parts) std::move(part.begin(), part.end(), std::back_inserter(out.values));
    return true;
  }

 private:
  static std::string settings(const Timeout& t) {
    if (auto* b = std::get_if<Batches>(&t)) return "\"timeout\":" + std::to_string(b->count) + ",\"unit\":\"batches\"";
    if (auto* d = std::get_if<Duration>(&t)) return "\"timeout\":" + std::to_string(d->micros) + ",\"unit\":\"us\"";
    return "\"timeout\":null";
  }

  Node<std::pair<K, V>>* parent_;
  F f_;
  Timeout timeout_;
  using KeyedStateNode<U, K, V, Tracked<S>>::state_;
  using KeyedStateNode<U, K, V, Tracked<S>>::in_;
};

}  // namespace streamml::dstream
