// Stateless operators: each batch's output depends on that batch only. They run in parallel
// over fixed blocks of records (core/parallel.h) and concatenate the blocks in order, so the
// output is the same for any thread count; the records' event times go along with them.
#pragma once

#include <algorithm>
#include <type_traits>
#include <utility>
#include <vector>

#include "core/error.h"
#include "core/parallel.h"
#include "streaming/dstream/graph.h"

namespace streamml::dstream {

// Runs fn(i, part) for i in [0, n) over fixed blocks in parallel, each block appending its
// outputs to its own part; then concatenates the parts in block order into out.
template <class U, class F>
void gather(std::size_t n, bool timed, Records<U>& out, F&& fn) {
  out.timed = timed;
  if (block_count(n) <= 1) {
    for (std::size_t i = 0; i < n; ++i) fn(i, out);
    return;
  }
  std::vector<Records<U>> parts(block_count(n));
  for_each_block(n, [&](std::size_t k, std::size_t begin, std::size_t end) {
    parts[k].timed = timed;
    for (std::size_t i = begin; i < end; ++i) fn(i, parts[k]);
  });
  std::size_t total = 0;
  for (const auto& p : parts) total += p.size();
  out.values.reserve(total);
  if (timed) out.times.reserve(total);
  for (auto& p : parts) {
    std::move(p.values.begin(), p.values.end(), std::back_inserter(out.values));
    out.times.insert(out.times.end(), p.times.begin(), p.times.end());
  }
}

// Appends a value with the event time of input record i (when the stream is timed).
template <class U, class V>
void emit(Records<U>& part, V&& value, const std::vector<EventTime>& times, std::size_t i) {
  part.values.push_back(std::forward<V>(value));
  if (part.timed) part.times.push_back(times[i]);
}

// A record per row of each pipeline batch.
template <class T, class F>
class BatchRootNode : public Node<T> {
 public:
  BatchRootNode(StreamingContext& ctx, F row) : Node<T>(ctx, "from_batches", {}), row_(std::move(row)) {}

 protected:
  bool compute(Records<T>& out) override {
    const Batch* b = this->ctx_.current_batch();
    if (!b) return false;
    const bool timed = b->has_event_times();
    gather(b->rows, timed, out, [&](std::size_t i, Records<T>& part) { emit(part, T(row_(*b, i)), b->event_times, i); });
    return true;
  }

 private:
  F row_;
};

// Records the program pushes (StreamingContext::input / push).
template <class T>
class InputNode : public Node<T> {
 public:
  explicit InputNode(StreamingContext& ctx) : Node<T>(ctx, "input", {}) {}
  void push(std::vector<T> values, std::vector<EventTime> times) {
    STREAMML_CHECK(times.empty() || times.size() == values.size(), InvalidInput,
                   "input: " << times.size() << " event times for " << values.size() << " records");
    STREAMML_CHECK(pending_.values.empty() || pending_.timed == !times.empty(), InvalidInput,
                   "input: a batch mixes records with and without event times");
    pending_.timed = !times.empty() || (pending_.timed && values.empty());
    timed_ = timed_ || !times.empty();  // a timed input stays timed in its empty batches
    for (EventTime t : times) this->ctx_.note_time(t);
    std::move(values.begin(), values.end(), std::back_inserter(pending_.values));
    pending_.times.insert(pending_.times.end(), times.begin(), times.end());
  }
 protected:
  bool compute(Records<T>& out) override {
    if (this->ctx_.info().end_of_stream) return false;
    out.values = std::move(pending_.values);
    out.times = std::move(pending_.times);
    out.timed = pending_.timed || timed_;
    pending_.clear();
    pending_.timed = false;
    return true;
  }

 private:
  Records<T> pending_;
  bool timed_ = false;
};

template <class T, class U, class F>
class MapNode : public Node<U> {
 public:
  MapNode(StreamingContext& ctx, Node<T>* parent, F f, const char* op = "map")
      : Node<U>(ctx, op, {parent}), parent_(parent), f_(std::move(f)) {}

 protected:
  bool compute(Records<U>& out) override {
    const Records<T>* in = parent_->get();
    if (!in) return false;
    gather(in->size(), in->timed, out, [&](std::size_t i, Records<U>& part) { emit(part, f_(in->values[i]), in->times, i); });
    return true;
  }

 private:
  Node<T>* parent_;
  F f_;
};

template <class T, class U, class F>
class FlatMapNode : public Node<U> {
 public:
  FlatMapNode(StreamingContext& ctx, Node<T>* parent, F f) : Node<U>(ctx, "flat_map", {parent}), parent_(parent), f_(std::move(f)) {}

 protected:
  bool compute(Records<U>& out) override {
    const Records<T>* in = parent_->get();
    if (!in) return false;
    gather(in->size(), in->timed, out, [&](std::size_t i, Records<U>& part) {
      for (auto&& u : f_(in->values[i])) emit(part, std::move(u), in->times, i);
    });
    return true;
  }

 private:
  Node<T>* parent_;
  F f_;
};

template <class T, class F>
class FilterNode : public Node<T> {
 public:
  FilterNode(StreamingContext& ctx, Node<T>* parent, F f) : Node<T>(ctx, "filter", {parent}), parent_(parent), f_(std::move(f)) {}

 protected:
  bool compute(Records<T>& out) override {
    const Records<T>* in = parent_->get();
    if (!in) return false;
    gather(in->size(), in->timed, out, [&](std::size_t i, Records<T>& part) {
      if (f_(in->values[i])) emit(part, in->values[i], in->times, i);
    });
    return true;
  }

 private:
  Node<T>* parent_;
  F f_;
};

// Assigns each record the event time f(value) returns.
template <class T, class F>
class EventTimeNode : public Node<T> {
 public:
  EventTimeNode(StreamingContext& ctx, Node<T>* parent, F f) : Node<T>(ctx, "with_event_time", {parent}), parent_(parent), f_(std::move(f)) {}

 protected:
  bool compute(Records<T>& out) override {
    const Records<T>* in = parent_->get();
    if (!in) return false;
    out.timed = true;
    out.values = in->values;
    out.times.resize(in->size());
    for_each_block(in->size(), [&](std::size_t, std::size_t b, std::size_t e) {
      for (std::size_t i = b; i < e; ++i) out.times[i] = EventTime(f_(in->values[i]));
    });
    for (EventTime t : out.times) this->ctx_.note_time(t);
    return true;
  }

 private:
  Node<T>* parent_;
  F f_;
};

// Both streams' records, the first's then the second's.
template <class T>
class UnionNode : public Node<T> {
 public:
  UnionNode(StreamingContext& ctx, Node<T>* a, Node<T>* b) : Node<T>(ctx, "union", {a, b}), a_(a), b_(b) {
    STREAMML_CHECK(a->cadence() == b->cadence(), InvalidInput,
                   "union of streams batched differently: one has a batch every " << a->cadence()
                   << " batches, the other every " << b->cadence() << " (0: on the watermark)");
  }

 protected:
  bool compute(Records<T>& out) override {
    const Records<T>* x = a_->get();
    const Records<T>* y = b_->get();
    if (!x && !y) return false;
    out.timed = (!x || x->timed) && (!y || y->timed);
    for (const Records<T>* r : {x, y}) {
      if (!r) continue;
      out.values.insert(out.values.end(), r->values.begin(), r->values.end());
      if (out.timed) out.times.insert(out.times.end(), r->times.begin(), r->times.end());
    }
    return true;
  }

 private:
  Node<T>* a_;
  Node<T>* b_;
};

// f(whole batch) -> the new batch (untimed).
template <class T, class U, class F>
class TransformNode : public Node<U> {
 public:
  TransformNode(StreamingContext& ctx, Node<T>* parent, F f) : Node<U>(ctx, "transform", {parent}), parent_(parent), f_(std::move(f)) {}

 protected:
  bool compute(Records<U>& out) override {
    const Records<T>* in = parent_->get();
    if (!in) return false;
    out.values = f_(in->values);
    return true;
  }

 private:
  Node<T>* parent_;
  F f_;
};

// The number of records in each batch, as a one-record batch.
template <class T>
class CountNode : public Node<std::int64_t> {
 public:
  CountNode(StreamingContext& ctx, Node<T>* parent) : Node<std::int64_t>(ctx, "count", {parent}), parent_(parent) {}

 protected:
  bool compute(Records<std::int64_t>& out) override {
    const Records<T>* in = parent_->get();
    if (!in) return false;
    out.values.push_back(std::int64_t(in->size()));
    return true;
  }

 private:
  Node<T>* parent_;
};

// An output: f(values, info) for every batch the stream has.
template <class T, class F>
class ForEachNode : public Node<char> {
 public:
  ForEachNode(StreamingContext& ctx, Node<T>* parent, F f) : Node<char>(ctx, "for_each_batch", {parent}), parent_(parent), f_(std::move(f)) {}
  bool is_output() const override { return true; }

 protected:
  bool compute(Records<char>&) override {
    const Records<T>* in = parent_->get();
    if (!in) return false;
    if constexpr (std::is_invocable_v<F&, const std::vector<T>&, const BatchInfo&>) f_(in->values, this->ctx_.info());
    else f_(in->values);
    return true;
  }

 private:
  Node<T>* parent_;
  F f_;
};

}  // namespace streamml::dstream
