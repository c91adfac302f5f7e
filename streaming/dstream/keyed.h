// Keyed operators on DStream<std::pair<K, V>>, per batch: reduce_by_key, group_by_key,
// count_by_key, aggregate_by_key (one node, CombineNode), join and left_outer_join.
// Keys are hash-partitioned (partition.h); output: partition by partition, keys in the order
// they first came within their partition. The outputs are untimed (a key's records are merged).
#pragma once

#include <optional>
#include <utility>
#include <vector>

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>

#include "core/error.h"
#include "streaming/dstream/graph.h"
#include "streaming/dstream/partition.h"

namespace streamml::dstream {

// create(v) starts a key's accumulator A, merge(a, v) adds a value, combine(a, b) merges two
// accumulators of a key, finish(k, a) makes the output record. Combined map-side
// (partition.h, combine_blocks), then each partition merges the blocks' tables in order.
template <class K, class V, class A, class R, class Create, class Merge, class Combine, class Finish>
class CombineNode : public Node<R> {
 public:
  CombineNode(StreamingContext& ctx, const char* op, Node<std::pair<K, V>>* parent, Create create, Merge merge,
              Combine combine, Finish finish)
      : Node<R>(ctx, op, {parent}), parent_(parent), create_(std::move(create)), merge_(std::move(merge)),
        combine_(std::move(combine)), finish_(std::move(finish)) {}

 protected:
  bool compute(Records<R>& out) override {
    if (!combine_blocks(parent_, blocks_, [](EventTime) { return std::int64_t{0}; }, create_, merge_)) return false;
    for_each_partition([&](std::size_t p) {
      auto& table = tables_[p];
      table.clear();
      blocks_.each(p, [&](std::int64_t, const OrderedTable<K, A>& part) {
        part.for_each_hashed([&](const K& k, const A& a, std::uint64_t h) {
          bool inserted = false;
          A& acc = table.find_or_insert(k, h, [&] { return a; }, inserted);
          if (!inserted) combine_(acc, a);
        });
      });
    });
    flatten(tables_, out.values, finish_);
    return true;
  }

 private:
  Node<std::pair<K, V>>* parent_;
  Create create_;
  Merge merge_;
  Combine combine_;
  Finish finish_;
  BlockTables<K, A> blocks_;  // kept across batches (their memory), like the tables
  PartitionedTable<K, A> tables_;
};

// Inner join (Outer = false): (k, (v, w)) for every pair of records with equal keys, in the
// left stream's order, each left record's matches in the right stream's order. Left outer
// join (Outer = true): (k, (v, optional w)), a left record without a match once with nullopt.
template <class K, class V, class W, bool Outer>
class JoinNode : public Node<std::pair<K, std::pair<V, std::conditional_t<Outer, std::optional<W>, W>>>> {
 public:
  using Out = std::pair<K, std::pair<V, std::conditional_t<Outer, std::optional<W>, W>>>;
  JoinNode(StreamingContext& ctx, Node<std::pair<K, V>>* left, Node<std::pair<K, W>>* right)
      : Node<Out>(ctx, Outer ? "left_outer_join" : "join", {left, right}), left_(left), right_(right) {
    STREAMML_CHECK(left->cadence() == right->cadence(), InvalidInput,
                   this->label() << ": the streams are batched differently (a batch every " << left->cadence()
                                 << " and every " << right->cadence() << " batches; 0: on the watermark)");
  }

 protected:
  bool compute(Records<Out>& out) override {
    Buckets<K, V>& ls = left_in_;  // kept across batches (their capacity)
    Buckets<K, W>& rs = right_in_;
    const bool l = scatter(left_, ls);
    const bool r = scatter(right_, rs);
    if (!l && !r) return false;
    STREAMML_CHECK(l && r, InvalidInput,
                   this->label() << ": only the " << (l ? "left" : "right") << " stream has a batch now; join streams batched alike");
    std::array<std::vector<Out>, kPartitions> parts;
    for_each_partition([&](std::size_t p) {
      OrderedTable<K, std::vector<const W*>> right;
      rs.each(p, [&](const Entry<K, W>& e) {
        bool inserted = false;
        right.find_or_insert(e.kv.first, e.hash, [] { return std::vector<const W*>{}; }, inserted).push_back(&e.kv.second);
      });
      ls.each(p, [&](const Entry<K, V>& e) {
        const auto& [k, v] = e.kv;
        const auto* matches = right.find(k, e.hash);
        if (matches) {
          for (const W* w : *matches) parts[p].push_back(Out{k, {v, *w}});
        } else if constexpr (Outer) {
          parts[p].push_back(Out{k, {v, std::nullopt}});
        }
      });
    });
    for (auto& part : parts) std::move(part.begin(), part.end(), std::back_inserter(out.values));
    return true;
  }

 private:
  Node<std::pair<K, V>>* left_;
  Node<std::pair<K, W>>* right_;
  Buckets<K, V> left_in_;
  Buckets<K, W> right_in_;
};

}  // namespace streamml::dstream
