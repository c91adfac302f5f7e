// DStream<T>: a typed stream of micro-batches and its operators, after Spark Streaming's
// DStream API. Each operator returns a new stream, so a program reads as one expression:
//
//   dstream::StreamingContext ctx("wordcount");
//   ctx.lines()                                                     // DStream<std::string>
//       .flat_map(split_words)                                      // DStream<std::string>
//       .map([](const std::string& w) { return std::pair(w, std::int64_t{1}); })
//       .reduce_by_key(std::plus<>())                               // per batch
//       .for_each_batch([](const auto& counts, const BatchInfo& b) { ... });
//   ctx.run(open_line_source("log.txt"), settings);
//
// Stateless:  map, flat_map, filter, union_with, transform, count, for_each_batch (output),
//             with_event_time, with_watermark / late (event time, watermark.h).
// Keyed (T = std::pair<K, V>), per batch: map_values, reduce_by_key, group_by_key,
//             count_by_key, aggregate_by_key, join, left_outer_join (keyed.h).
// Windows:    window, reduce_by_window, count_by_window, reduce_by_key_and_window (with or
//             without an inverse function), count_by_key_and_window — by batch count
//             (Batches) or by event time (Duration; results as Windowed<...>) (windows.h).
// Keyed state: update_state_by_key, map_with_state with a timeout (keyed_state.h).
// User functions may throw: the pipeline stops with an Error naming the operator and batch.
// They run on several threads at once (blocks of records, partitions of keys), so they must
// not share mutable state; map, flat_map and filter are fused into the operators that read
// them (graph.h), so a stream read by two operators runs its functions once for each.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <type_traits>
#include <utility>
#include <vector>

#include "streaming/dstream/graph.h"
#include "streaming/dstream/keyed.h"
#include "streaming/dstream/keyed_state.h"
#include "streaming/dstream/stateless.h"
#include "streaming/dstream/watermark.h"
#include "streaming/dstream/windows.h"

namespace streamml::dstream {

template <class T>
class DStream {
 public:
  using value_type = T;

  DStream(Node<T>* node) : node_(node) {}  // NOLINT: operators build streams from nodes
  Node<T>* node() const { return node_; }
  StreamingContext& context() const { return node_->context(); }

  // ---------------------------------------------------------------- stateless
  template <class F>
  auto map(F f) const {
    using U = std::decay_t<std::invoke_result_t<F&, const T&>>;
    return DStream<U>(ctx().template add<NarrowNode<T, U, F, Narrow::Map>>(node_, std::move(f), "map"));
  }
  // f returns a container (std::vector<U>, ...) of the records a record becomes.
  template <class F>
  auto flat_map(F f) const {
    using C = std::decay_t<std::invoke_result_t<F&, const T&>>;
    using U = std::decay_t<decltype(*std::begin(std::declval<C&>()))>;
    return DStream<U>(ctx().template add<NarrowNode<T, U, F, Narrow::FlatMap>>(node_, std::move(f), "flat_map"));
  }
  template <class F>
  DStream<T> filter(F f) const {
    return ctx().template add<NarrowNode<T, T, F, Narrow::Filter>>(node_, std::move(f), "filter");
  }
  // This stream's records then the other's, batch by batch (Spark's union).
  DStream<T> union_with(const DStream<T>& other) const { return ctx().template add<UnionNode<T>>(node_, other.node_); }
  // f(const std::vector<T>& batch) -> std::vector<U>: a function of the whole batch.
  template <class F>
  auto transform(F f) const {
    using U = typename std::decay_t<std::invoke_result_t<F&, const std::vector<T>&>>::value_type;
    return DStream<U>(ctx().template add<TransformNode<T, U, F>>(node_, std::move(f)));
  }
  DStream<std::int64_t> count() const { return ctx().template add<CountNode<T>>(node_); }
  // An output: f(const std::vector<T>& batch[, const BatchInfo& info]) for each batch.
  template <class F>
  void for_each_batch(F f) const {
    ctx().template add<ForEachNode<T, F>>(node_, std::move(f));
  }

  // ---------------------------------------------------------------- event time
  // Each record's event time is f(record) (µs since the epoch).
  template <class F>
  DStream<T> with_event_time(F f) const {
    return ctx().template add<EventTimeNode<T, F>>(node_, std::move(f));
  }
  // Drops (and counts) records later than the watermark: see watermark.h.
  DStream<T> with_watermark(Duration allowed_lateness) const {
    return ctx().template add<WatermarkNode<T>>(node_, allowed_lateness);
  }
  // The records with_watermark dropped as late (this stream must be with_watermark's).
  DStream<T> late() const {
    auto* w = dynamic_cast<WatermarkNode<T>*>(node_);
    STREAMML_CHECK(w != nullptr, InvalidInput, "late() is the side output of with_watermark(), not of " << node_->label());
    return ctx().template add<LateNode<T>>(w);
  }
  // The number of late records so far (this stream must be with_watermark's).
  std::int64_t late_count() const {
    auto* w = dynamic_cast<WatermarkNode<T>*>(node_);
    STREAMML_CHECK(w != nullptr, InvalidInput, "late_count() is of with_watermark(), not of " << node_->label());
    return w->late_count();
  }

  // ---------------------------------------------------------------- keyed, per batch
  template <class F>
  auto map_values(F f) const {
    using K = key_t<T>;
    using V = value_t<T>;
    using W = std::decay_t<std::invoke_result_t<F&, const V&>>;
    auto g = [f = std::move(f)](const T& kv) mutable { return std::pair<K, W>(kv.first, f(kv.second)); };
    return DStream<std::pair<K, W>>(ctx().template add<NarrowNode<T, std::pair<K, W>, decltype(g), Narrow::Map>>(node_, std::move(g), "map_values"));
  }
  // f(V, V) -> V, associative.
  template <class F>
  DStream<T> reduce_by_key(F f) const {
    using K = key_t<T>;
    using V = value_t<T>;
    return combine<V, T>("reduce_by_key", [](const V& v) { return v; },
                         [f](V& acc, const V& v) mutable { acc = f(acc, v); },
                         [f](V& acc, const V& v) mutable { acc = f(acc, v); },
                         [](const K& k, const V& v) { return T(k, v); });
  }
  // (k, all of k's values in stream order).
  auto group_by_key() const {
    using K = key_t<T>;
    using V = value_t<T>;
    using R = std::pair<K, std::vector<V>>;
    return combine<std::vector<V>, R>("group_by_key", [](const V& v) { return std::vector<V>{v}; },
                                      [](std::vector<V>& acc, const V& v) { acc.push_back(v); },
                                      [](std::vector<V>& acc, const std::vector<V>& more) {
                                        acc.insert(acc.end(), more.begin(), more.end());
                                      },
                                      [](const K& k, const std::vector<V>& a) { return R(k, a); });
  }
  // (k, number of records with key k).
  auto count_by_key() const {
    using K = key_t<T>;
    using V = value_t<T>;
    using R = std::pair<K, std::int64_t>;
    return combine<std::int64_t, R>("count_by_key", [](const V&) { return std::int64_t{1}; },
                                    [](std::int64_t& acc, const V&) { ++acc; },
                                    [](std::int64_t& acc, std::int64_t n) { acc += n; },
                                    [](const K& k, std::int64_t n) { return R(k, n); });
  }
  // Spark's aggregateByKey: seq(acc, v) folds a key's values into acc, starting from zero,
  // within each block of records; comb(acc, acc) merges the blocks' accumulators in order.
  template <class A, class Seq, class Comb>
  auto aggregate_by_key(A zero, Seq seq, Comb comb) const {
    using K = key_t<T>;
    using V = value_t<T>;
    using R = std::pair<K, A>;
    return combine<A, R>("aggregate_by_key", [zero, seq](const V& v) mutable { return A(seq(A(zero), v)); },
                         [seq](A& acc, const V& v) mutable { acc = seq(acc, v); },
                         [comb](A& acc, const A& more) mutable { acc = comb(acc, more); },
                         [](const K& k, const A& a) { return R(k, a); });
  }
  template <class W>
  auto join(const DStream<std::pair<key_t<T>, W>>& other) const {
    using K = key_t<T>;
    using V = value_t<T>;
    return DStream<typename JoinNode<K, V, W, false>::Out>(ctx().template add<JoinNode<K, V, W, false>>(node_, other.node()));
  }
  template <class W>
  auto left_outer_join(const DStream<std::pair<key_t<T>, W>>& other) const {
    using K = key_t<T>;
    using V = value_t<T>;
    return DStream<typename JoinNode<K, V, W, true>::Out>(ctx().template add<JoinNode<K, V, W, true>>(node_, other.node()));
  }

  // ---------------------------------------------------------------- windows
  // Span = Batches (a DStream<T> of the window's records, every `slide` batches) or Duration
  // (a DStream<Windowed<T>>, each window as the watermark passes its end).
  template <class Span>
  auto window(Span length, Span slide) const {
    constexpr bool kByTime = std::is_same_v<Span, Duration>;
    using N = RecordWindowNode<T, kByTime>;
    return DStream<typename N::Out>(ctx().template add<N>(node_, length, slide));
  }
  // The reduction f(T, T) -> T of each window's records (nothing for an empty window).
  template <class F, class Span>
  auto reduce_by_window(F f, Span length, Span slide) const {
    auto keyed = map([](const T& x) { return std::pair<char, T>(0, x); }).reduce_by_key_and_window(f, length, slide);
    if constexpr (std::is_same_v<Span, Duration>)
      return keyed.map([](const Windowed<std::pair<char, T>>& w) { return Windowed<T>{w.window, w.value.second}; });
    else
      return keyed.map([](const std::pair<char, T>& kv) { return kv.second; });
  }
  // The number of records in each window: by batch count one number per slide (0 for an
  // empty window); by event time one Windowed<int64> per window with records.
  template <class Span>
  auto count_by_window(Span length, Span slide) const {
    auto counts = map([](const T&) { return std::int64_t{1}; }).reduce_by_window(std::plus<std::int64_t>(), length, slide);
    if constexpr (std::is_same_v<Span, Duration>)
      return counts;
    else
      return counts.transform([](const std::vector<std::int64_t>& c) { return c.empty() ? std::vector<std::int64_t>{0} : c; });
  }
  // Per key, the reduction of the window's values (merged from per-pane partial reductions).
  template <class F, class Span>
  auto reduce_by_key_and_window(F reduce, Span length, Span slide) const {
    return keyed_window(std::move(reduce), nullptr, {}, length, slide);
  }
  // Incremental: inverse(acc, v) takes v back off acc; keys for which keep(k, v) is false
  // (e.g. v == 0) are dropped from the running window. Equal to the form without inverse
  // when inverse undoes reduce exactly and keep drops exactly the keys with no records.
  template <class F, class G, class Span>
  auto reduce_by_key_and_window(F reduce, G inverse, Span length, Span slide,
                                std::function<bool(const key_t<T>&, const value_t<T>&)> keep = {}) const {
    return keyed_window(std::move(reduce), std::move(inverse), std::move(keep), length, slide);
  }
  // (k, records of k in the window), incrementally; keys leave when their count drops to 0.
  template <class Span>
  auto count_by_key_and_window(Span length, Span slide) const {
    using K = key_t<T>;
    return map_values([](const auto&) { return std::int64_t{1}; })
        .reduce_by_key_and_window(std::plus<std::int64_t>(), std::minus<std::int64_t>(), length, slide,
                                  [](const K&, std::int64_t n) { return n != 0; });
  }

  // ---------------------------------------------------------------- keyed state
  // f(const std::vector<V>& new_values, const std::optional<S>& state) -> std::optional<S>,
  // called every batch for every key with state or new values; nullopt removes the key.
  // Output: every (key, state) after the batch.
  template <class S, class F>
  DStream<std::pair<key_t<T>, S>> update_state_by_key(F f) const {
    using K = key_t<T>;
    using V = value_t<T>;
    return ctx().template add<UpdateStateNode<K, V, S, F>>(node_, std::move(f));
  }
  // spec = state_spec<S>(fn).timeout(...): see keyed_state.h. Output: what fn returns.
  template <class S, class F>
  auto map_with_state(StateSpec<S, F> spec) const {
    using K = key_t<T>;
    using V = value_t<T>;
    using R = std::decay_t<std::invoke_result_t<F&, const K&, const std::optional<V>&, State<S>&>>;
    using U = typename R::value_type;
    return DStream<U>(ctx().template add<MapWithStateNode<K, V, S, U, F>>(node_, std::move(spec.function), spec.idle_timeout));
  }

 private:
  StreamingContext& ctx() const { return node_->context(); }

  template <class A, class R, class Create, class Merge, class Combine, class Finish>
  DStream<R> combine(const char* op, Create create, Merge merge, Combine combine, Finish finish) const {
    static_assert(is_pair<T>::value, "keyed operators need a DStream<std::pair<K, V>>");
    using K = key_t<T>;
    using V = value_t<T>;
    return ctx().template add<CombineNode<K, V, A, R, Create, Merge, Combine, Finish>>(
        op, node_, std::move(create), std::move(merge), std::move(combine), std::move(finish));
  }

  template <class F, class G, class Span>
  auto keyed_window(F reduce, G inverse, std::function<bool(const key_t<T>&, const value_t<T>&)> keep,
                    Span length, Span slide) const {
    static_assert(is_pair<T>::value, "reduce_by_key_and_window needs a DStream<std::pair<K, V>>");
    using K = key_t<T>;
    using V = value_t<T>;
    using N = KeyedWindowNode<K, V, F, G, std::is_same_v<Span, Duration>>;
    return DStream<typename N::Out>(ctx().template add<N>(node_, std::move(reduce), std::move(inverse), std::move(keep), length, slide));
  }

  Node<T>* node_;
};

template <class T, class F>
DStream<T> StreamingContext::from_batches(F row) {
  return add<BatchRootNode<T, F>>(std::move(row));
}

template <class T>
DStream<T> StreamingContext::input() {
  return add<InputNode<T>>();
}

template <class T>
void StreamingContext::push(const DStream<T>& input, std::vector<T> values, std::vector<EventTime> times) {
  auto* node = dynamic_cast<InputNode<T>*>(input.node());
  STREAMML_CHECK(node != nullptr, InvalidInput, "push() needs a stream made by input(), got " << input.node()->label());
  node->push(std::move(values), std::move(times));
}

}  // namespace streamml::dstream
