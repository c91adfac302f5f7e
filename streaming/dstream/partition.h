// Hash partitioning of keyed records, and the insertion-ordered table every keyed operator
// keeps its per-key values in.
//
// Keys go to one of kPartitions (16) partitions by a mixed hash, whatever the thread count;
// partitions are processed in parallel (oneTBB) and their results concatenated in partition
// order, and inside a partition keys keep the order in which they first came. So a keyed
// operator's output order depends only on its input, never on the thread count or timing.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>

#include "streaming/dstream/codec.h"

namespace streamml::dstream {

constexpr std::size_t kPartitions = 16;
// Records per scatter block (fixed, so the work split never depends on the thread count).
constexpr std::size_t kScatterBlock = 4096;

template <class K>
struct KeyHash {
  std::size_t operator()(const K& k) const { return std::hash<K>{}(k); }
};
template <class A, class B>
struct KeyHash<std::pair<A, B>> {
  std::size_t operator()(const std::pair<A, B>& k) const {
    return KeyHash<A>{}(k.first) * 0x9e3779b97f4a7c15ULL + KeyHash<B>{}(k.second);
  }
};

// Partition of a key: the top 4 bits of its hash after a 64-bit finaliser (std::hash of an
// integer is the integer itself, which would put neighbours together).
template <class K>
std::size_t partition_of(const K& key) {
  std::uint64_t h = KeyHash<K>{}(key);
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdULL;
  h ^= h >> 33;
  h *= 0xc4ceb9fe1a85ec53ULL;
  h ^= h >> 33;
  return std::size_t(h >> 60);
}

// Runs f(p) for every partition, in parallel.
template <class F>
void for_each_partition(F&& f) {
  tbb::parallel_for(tbb::blocked_range<std::size_t>(0, kPartitions, 1),
                    [&](const tbb::blocked_range<std::size_t>& r) {
                      for (std::size_t p = r.begin(); p != r.end(); ++p) f(p);
                    });
}

// Key -> value in the order keys were first inserted; erasing leaves a gap that a later
// compaction closes without reordering. Saved and loaded in that order, so a restored table
// iterates exactly as the saved one did.
template <class K, class V>
class OrderedTable {
 public:
  // The value of `key`, made by make() when the key is new (inserted then set).
  template <class Make>
  V& find_or_insert(const K& key, Make&& make, bool& inserted) {
    auto [it, fresh] = index_.try_emplace(key, std::uint32_t(keys_.size()));
    inserted = fresh;
    if (fresh) {
      keys_.push_back(key);
      values_.push_back(make());
      live_.push_back(1);
    }
    return values_[it->second];
  }
  V* find(const K& key) {
    auto it = index_.find(key);
    return it == index_.end() ? nullptr : &values_[it->second];
  }
  void erase(const K& key) {
    auto it = index_.find(key);
    if (it == index_.end()) return;
    live_[it->second] = 0;
    values_[it->second] = V{};
    index_.erase(it);
    if (++dead_ > 64 && dead_ > keys_.size() / 2) compact();
  }
  std::size_t size() const { return index_.size(); }
  bool empty() const { return index_.empty(); }
  void clear() {
    index_.clear();
    keys_.clear();
    values_.clear();
    live_.clear();
    dead_ = 0;
  }
  // f(key, value) over live entries in order.
  template <class F>
  void for_each(F&& f) const {
    for (std::size_t i = 0; i < keys_.size(); ++i)
      if (live_[i]) f(keys_[i], values_[i]);
  }
  template <class F>
  void for_each_mutable(F&& f) {
    for (std::size_t i = 0; i < keys_.size(); ++i)
      if (live_[i]) f(keys_[i], values_[i]);
  }

  void encode_to(std::string& out) const {
    dstream::encode(out, std::int64_t(size()));
    for_each([&](const K& k, const V& v) {
      dstream::encode(out, k);
      dstream::encode(out, v);
    });
  }
  void decode_from(Decoder& in) {
    clear();
    const std::int64_t n = in.count();
    for (std::int64_t i = 0; i < n; ++i) {
      K k{};
      V v{};
      dstream::decode(in, k);
      dstream::decode(in, v);
      bool inserted = false;
      find_or_insert(k, [&] { return std::move(v); }, inserted);
      STREAMML_CHECK(inserted, InvalidInput, in.what() << ": a key is saved twice");
    }
  }

 private:
  void compact() {
    std::size_t w = 0;
    for (std::size_t i = 0; i < keys_.size(); ++i) {
      if (!live_[i]) continue;
      if (w != i) {
        keys_[w] = std::move(keys_[i]);
        values_[w] = std::move(values_[i]);
      }
      index_[keys_[w]] = std::uint32_t(w);
      live_[w] = 1;
      ++w;
    }
    keys_.resize(w);
    values_.resize(w);
    live_.resize(w);
    dead_ = 0;
  }

  std::unordered_map<K, std::uint32_t, KeyHash<K>> index_;
  std::vector<K> keys_;
  std::vector<V> values_;
  std::vector<char> live_;
  std::size_t dead_ = 0;
};

template <class K, class V>
using PartitionedTable = std::array<OrderedTable<K, V>, kPartitions>;

// The records of each partition, as indices into `in`, in stream order: blocks of
// kScatterBlock records are scattered in parallel, then read block by block.
template <class K, class V>
struct Scatter {
  std::vector<std::array<std::vector<std::uint32_t>, kPartitions>> blocks;

  explicit Scatter(const std::vector<std::pair<K, V>>& in) {
    blocks.resize((in.size() + kScatterBlock - 1) / kScatterBlock);
    tbb::parallel_for(tbb::blocked_range<std::size_t>(0, blocks.size(), 1),
                      [&](const tbb::blocked_range<std::size_t>& r) {
                        for (std::size_t b = r.begin(); b != r.end(); ++b) {
                          const std::size_t end = std::min(in.size(), (b + 1) * kScatterBlock);
                          for (std::size_t i = b * kScatterBlock; i < end; ++i)
                            blocks[b][partition_of(in[i].first)].push_back(std::uint32_t(i));
                        }
                      });
  }
  // f(index) for the records of partition p, in stream order.
  template <class F>
  void each(std::size_t p, F&& f) const {
    for (const auto& block : blocks)
      for (std::uint32_t i : block[p]) f(i);
  }
};

// Folds each key's values in stream order into a per-partition table: create(v) for a key's
// first value, merge(acc, v) for the next ones.
template <class K, class V, class A, class Create, class Merge>
void combine_by_key(const std::vector<std::pair<K, V>>& in, PartitionedTable<K, A>& out, Create&& create,
                    Merge&& merge) {
  const Scatter<K, V> scatter(in);
  for_each_partition([&](std::size_t p) {
    auto& table = out[p];
    scatter.each(p, [&](std::uint32_t i) {
      bool inserted = false;
      A& acc = table.find_or_insert(in[i].first, [&] { return A(create(in[i].second)); }, inserted);
      if (!inserted) merge(acc, in[i].second);
    });
  });
}

// The tables' entries as pairs, partition by partition.
template <class K, class A, class U, class F>
void flatten(const PartitionedTable<K, A>& tables, std::vector<U>& out, F&& make) {
  std::size_t n = 0;
  for (const auto& t : tables) n += t.size();
  out.clear();
  out.reserve(n);
  for (const auto& t : tables) t.for_each([&](const K& k, const A& a) { out.push_back(make(k, a)); });
}

}  // namespace streamml::dstream
