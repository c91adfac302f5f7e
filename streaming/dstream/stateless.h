// Stateless operators: each batch's output depends on that batch only. The roots, map,
// flat_map and filter stream block by block (kStreamBlock records of the root, graph.h), fused
// into whatever reads them; stored, the blocks run in parallel and are concatenated in order,
// so the output is the same for any thread count. The records' event times go along with them.
#pragma once

#include <algorithm>
#include <type_traits>
#include <utility>
#include <vector>

#include "core/error.h"
#include "core/parallel.h"
#include "streaming/dstream/graph.h"

namespace streamml::dstream {

template <class T>
bool Node<T>::store_stream(Records<T>& out) {
  const std::int64_t n = blocks();
  if (n < 0) return false;
  const bool is_timed = timed();
  out.timed = is_timed;
  auto sink_into = [is_timed](Records<T>& to) {
    return [&to, is_timed](T&& value, EventTime t) {
      to.values.push_back(std::move(value));
      if (is_timed) to.times.push_back(t);
    };
  };
  if (n <= 1) {
    if (n == 1) stream(0, sink_into(out));
    return true;
  }
  std::vector<Records<T>> parts(static_cast<std::size_t>(n));
  parallel_ranges(std::size_t(n), 1, [&](std::size_t from, std::size_t to) {
    for (std::size_t k = from; k != to; ++k) stream(k, sink_into(parts[k]));
  });
  std::size_t total = 0;
  for (const auto& p : parts) total += p.size();
  out.values.reserve(total);
  if (is_timed) out.times.reserve(total);
  for (auto& p : parts) {
    std::move(p.values.begin(), p.values.end(), std::back_inserter(out.values));
    out.times.insert(out.times.end(), p.times.begin(), p.times.end());
  }
  return true;
}

// A record per row of each pipeline batch.
template <class T, class F>
class BatchRootNode : public Node<T> {
 public:
  BatchRootNode(StreamingContext& ctx, F row) : Node<T>(ctx, "from_batches", {}), row_(std::move(row)) {}
  std::int64_t blocks() override {
    const Batch* b = this->ctx_.current_batch();
    return b ? std::int64_t((b->rows + kStreamBlock - 1) / kStreamBlock) : -1;
  }
  bool timed() override { return this->ctx_.current_batch()->has_event_times(); }
  void stream(std::size_t block, typename Node<T>::Sink sink) override {
    const Batch& b = *this->ctx_.current_batch();
    const bool is_timed = b.has_event_times();
    const std::size_t end = std::min(b.rows, (block + 1) * kStreamBlock);
    for (std::size_t i = block * kStreamBlock; i < end; ++i) {
      std::optional<T> value;
      try {
        value.emplace(row_(b, i));
      } catch (...) {
        this->rethrow_here();
      }
      sink(std::move(*value), is_timed ? b.event_times[i] : 0);
    }
  }

 protected:
  bool compute(Records<T>& out) override { return this->store_stream(out); }

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

// map, flat_map and filter stream through their input (graph.h): kind says which.
enum class Narrow { Map, FlatMap, Filter };

template <class T, class U, class F, Narrow kind>
class NarrowNode : public Node<U> {
 public:
  NarrowNode(StreamingContext& ctx, Node<T>* parent, F f, const char* op)
      : Node<U>(ctx, op, {parent}), parent_(parent), f_(std::move(f)) {}
  std::int64_t blocks() override { return parent_->blocks(); }
  bool timed() override { return parent_->timed(); }
  void stream(std::size_t block, typename Node<U>::Sink sink) override {
    parent_->stream(block, [&](T&& x, EventTime t) {
      try {
        if constexpr (kind == Narrow::Map) {
          sink(U(f_(x)), t);
        } else if constexpr (kind == Narrow::FlatMap) {
          for (auto&& u : f_(x)) sink(U(std::move(u)), t);
        } else {
          if (f_(static_cast<const T&>(x))) sink(std::move(x), t);
        }
      } catch (const OperatorError&) {
        throw;
      } catch (...) {
        this->rethrow_here();
      }
    });
  }

 protected:
  bool compute(Records<U>& out) override { return this->store_stream(out); }

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
