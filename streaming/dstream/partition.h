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

#include "core/parallel.h"
#include "streaming/dstream/codec.h"
#include "streaming/dstream/graph.h"

namespace streamml::dstream {

constexpr std::size_t kPartitions = 16;

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

// A key's hash, mixed by a 64-bit finaliser (std::hash of an integer is the integer itself).
// Computed once per record: its top 4 bits choose the partition, its low bits the slot in
// the partition's table.
template <class K>
std::uint64_t key_hash(const K& key) {
  std::uint64_t h = KeyHash<K>{}(key);
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdULL;
  h ^= h >> 33;
  h *= 0xc4ceb9fe1a85ec53ULL;
  h ^= h >> 33;
  return h;
}
inline std::size_t partition_of_hash(std::uint64_t h) { return std::size_t(h >> 60); }
template <class K>
std::size_t partition_of(const K& key) {
  return partition_of_hash(key_hash(key));
}

// Runs f(p) for every partition, in parallel.
template <class F>
void for_each_partition(F&& f) {
  parallel_ranges(kPartitions, 1, [&](std::size_t from, std::size_t to) {
    for (std::size_t p = from; p != to; ++p) f(p);
  });
}

// Key -> value in the order keys were first inserted (open addressing over the entries, with
// each key's hash kept, so a record's hash is computed once). Erasing leaves a gap that a
// later compaction closes without reordering. Saved and loaded in that order, so a restored
// table iterates exactly as the saved one did.
template <class K, class V>
class OrderedTable {
 public:
  // The value of `key` (hash = key_hash(key)), made by make() when the key is new.
  template <class Make>
  V& find_or_insert(const K& key, std::uint64_t hash, Make&& make, bool& inserted) {
    if ((keys_.size() + 1) * 4 > slots_.size() * 3) grow();
    std::size_t s = std::size_t(hash) & (slots_.size() - 1);
    for (; slots_[s]; s = (s + 1) & (slots_.size() - 1)) {
      const std::uint32_t i = slots_[s] - 1;
      if (hashes_[i] == hash && live_[i] && keys_[i] == key) {
        inserted = false;
        return values_[i];
      }
    }
    inserted = true;
    slots_[s] = std::uint32_t(keys_.size() + 1);
    keys_.push_back(key);
    hashes_.push_back(hash);
    values_.push_back(make());
    live_.push_back(1);
    ++size_;
    return values_.back();
  }
  template <class Make>
  V& find_or_insert(const K& key, Make&& make, bool& inserted) {
    return find_or_insert(key, key_hash(key), std::forward<Make>(make), inserted);
  }
  V* find(const K& key, std::uint64_t hash) {
    const std::int64_t i = index_of(key, hash);
    return i < 0 ? nullptr : &values_[std::size_t(i)];
  }
  V* find(const K& key) { return find(key, key_hash(key)); }
  void erase(const K& key, std::uint64_t hash) {
    const std::int64_t i = index_of(key, hash);
    if (i < 0) return;
    live_[std::size_t(i)] = 0;
    values_[std::size_t(i)] = V{};
    --size_;
    if (keys_.size() - size_ > 64 && keys_.size() - size_ > size_) compact();
  }
  void erase(const K& key) { erase(key, key_hash(key)); }
  std::size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  void clear() {  // keeps the memory (tables are reused batch after batch)
    std::fill(slots_.begin(), slots_.end(), 0);
    keys_.clear();
    hashes_.clear();
    values_.clear();
    live_.clear();
    size_ = 0;
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
  // f(key, value, hash).
  template <class F>
  void for_each_hashed(F&& f) const {
    for (std::size_t i = 0; i < keys_.size(); ++i)
      if (live_[i]) f(keys_[i], values_[i], hashes_[i]);
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
  std::int64_t index_of(const K& key, std::uint64_t hash) const {
    if (slots_.empty()) return -1;
    for (std::size_t s = std::size_t(hash) & (slots_.size() - 1); slots_[s]; s = (s + 1) & (slots_.size() - 1)) {
      const std::uint32_t i = slots_[s] - 1;
      if (hashes_[i] == hash && live_[i] && keys_[i] == key) return std::int64_t(i);
    }
    return -1;
  }
  void reindex(std::size_t capacity) {
    slots_.assign(capacity, 0);
    for (std::size_t i = 0; i < keys_.size(); ++i) {
      if (!live_[i]) continue;
      std::size_t s = std::size_t(hashes_[i]) & (capacity - 1);
      while (slots_[s]) s = (s + 1) & (capacity - 1);
      slots_[s] = std::uint32_t(i + 1);
    }
  }
  void grow() { reindex(slots_.empty() ? 16 : slots_.size() * 2); }
  void compact() {
    std::size_t w = 0;
    for (std::size_t i = 0; i < keys_.size(); ++i) {
      if (!live_[i]) continue;
      if (w != i) {
        keys_[w] = std::move(keys_[i]);
        values_[w] = std::move(values_[i]);
        hashes_[w] = hashes_[i];
      }
      live_[w] = 1;
      ++w;
    }
    keys_.resize(w);
    values_.resize(w);
    hashes_.resize(w);
    live_.resize(w);
    std::size_t capacity = 16;
    while (capacity * 3 < (w + 1) * 4) capacity *= 2;
    reindex(capacity);
  }

  std::vector<std::uint32_t> slots_;  // entry index + 1; 0: empty
  std::vector<K> keys_;
  std::vector<std::uint64_t> hashes_;
  std::vector<V> values_;
  std::vector<char> live_;
  std::size_t size_ = 0;
};

template <class K, class V>
using PartitionedTable = std::array<OrderedTable<K, V>, kPartitions>;

// A batch's keyed records scattered to their partitions, block by block: each with its hash
// and event time.
template <class K, class V>
struct Entry {
  std::uint64_t hash;
  EventTime time;
  std::pair<K, V> kv;
};

template <class K, class V>
struct Buckets {
  std::vector<std::array<std::vector<Entry<K, V>>, kPartitions>> blocks;
  bool timed = false;

  // f(entry) for the records of partition p, in stream order.
  template <class F>
  void each(std::size_t p, F&& f) const {
    for (const auto& block : blocks)
      for (const auto& e : block[p]) f(e);
  }
  template <class F>
  void each_mutable(std::size_t p, F&& f) {
    for (auto& block : blocks)
      for (auto& e : block[p]) f(e);
  }
};

// Streams the parent's batch (operator fusion, graph.h) into buckets, blocks in parallel.
// False when the stream has no batch now.
template <class K, class V>
bool scatter(Node<std::pair<K, V>>* parent, Buckets<K, V>& out) {
  const std::int64_t n = parent->blocks();
  if (n < 0) return false;
  out.timed = parent->timed();
  // Buffers are kept from batch to batch (callers keep their Buckets): fresh memory every
  // batch would cost page faults, which threads take one at a time.
  out.blocks.resize(std::size_t(n));
  for (auto& block : out.blocks)
    for (auto& part : block) part.clear();
  parallel_ranges(std::size_t(n), 1, [&](std::size_t from, std::size_t to) {
    for (std::size_t b = from; b != to; ++b) {
      auto& block = out.blocks[b];
      parent->stream(b, [&block](std::pair<K, V>&& kv, EventTime t) {
        const std::uint64_t h = key_hash(kv.first);
        block[partition_of_hash(h)].push_back(Entry<K, V>{h, t, std::move(kv)});
      });
    }
  });
  return true;
}

// Map-side combining (Spark's combineByKey): each block of a streamed batch folds its records,
// in stream order, into small tables per group and partition, group = group_of(event time)
// (the pane of an event-time window; always 0 otherwise). Consumers then merge the blocks'
// tables partition by partition in block order, so only each block's distinct keys, not its
// records, cross from the thread that read them to the one that merges them, and the result
// never depends on the thread count (block boundaries are fixed).
template <class K, class A>
struct BlockTables {
  struct Group {
    std::int64_t id = 0;
    PartitionedTable<K, A> tables;
  };
  struct Block {
    std::vector<Group> groups;  // groups[0, used) hold this batch's; the rest keep memory
    std::size_t used = 0;
  };
  std::vector<Block> blocks;
  std::size_t count = 0;  // blocks in this batch

  // f(group id, partition table) for partition p, blocks in order, groups in first-seen order.
  template <class F>
  void each(std::size_t p, F&& f) const {
    for (std::size_t b = 0; b < count; ++b)
      for (std::size_t g = 0; g < blocks[b].used; ++g) f(blocks[b].groups[g].id, blocks[b].groups[g].tables[p]);
  }
};

template <class K, class V, class A, class GroupOf, class Create, class Merge>
bool combine_blocks(Node<std::pair<K, V>>* parent, BlockTables<K, A>& out, GroupOf&& group_of, Create&& create,
                    Merge&& merge) {
  const std::int64_t n = parent->blocks();
  if (n < 0) return false;
  out.count = std::size_t(n);
  if (out.blocks.size() < out.count) out.blocks.resize(out.count);
  parallel_ranges(out.count, 1, [&](std::size_t from, std::size_t to) {
    for (std::size_t b = from; b != to; ++b) {
      auto& block = out.blocks[b];
      block.used = 0;
      typename BlockTables<K, A>::Group* group = nullptr;
      parent->stream(b, [&](std::pair<K, V>&& kv, EventTime t) {
        const std::int64_t id = group_of(t);
        if (!group || group->id != id) {
          group = nullptr;
          for (std::size_t g = 0; g < block.used && !group; ++g)
            if (block.groups[g].id == id) group = &block.groups[g];
          if (!group) {
            if (block.used == block.groups.size()) block.groups.emplace_back();
            group = &block.groups[block.used++];
            group->id = id;
            for (auto& table : group->tables) table.clear();
          }
        }
        const std::uint64_t h = key_hash(kv.first);
        bool inserted = false;
        A& acc = group->tables[partition_of_hash(h)].find_or_insert(kv.first, h, [&] { return A(create(kv.second)); }, inserted);
        if (!inserted) merge(acc, kv.second);
      });
    }
  });
  return true;
}

// Appends the tables' entries as records, partition by partition, the partitions copied in
// parallel (records must be default-constructible).
template <class K, class A, class U, class F>
void flatten(const PartitionedTable<K, A>& tables, std::vector<U>& out, F&& make) {
  std::array<std::size_t, kPartitions + 1> offset{};
  offset[0] = out.size();
  for (std::size_t p = 0; p < kPartitions; ++p) offset[p + 1] = offset[p] + tables[p].size();
  out.resize(offset[kPartitions]);
  for_each_partition([&](std::size_t p) {
    std::size_t i = offset[p];
    tables[p].for_each([&](const K& k, const A& a) { out[i++] = make(k, a); });
  });
}

}  // namespace streamml::dstream
