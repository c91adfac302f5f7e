// Windowed operators, by batch count or by event time (window_grid.h says which windows are
// emitted when):
//   RecordWindowNode  window(length, slide): every record of the window (by event time, each
//                     as Windowed<T>, once per window it falls in);
//   KeyedWindowNode   reduce_by_key_and_window: per key, the reduction of the window's values,
//                     merged from per-pane partial reductions; with an inverse function,
//                     incrementally: a running window adds the panes that enter and takes off
//                     (inverse) those that leave, and drops keys for which keep(k, v) is false.
// Keyed outputs list keys partition by partition (partition.h) in the order of the window's
// table; compare them as sets of (key, value).
// The panes, the running window and the grid are the operator's checkpointed state.
#pragma once

#include <limits>
#include <map>
#include <string>
#include <type_traits>
#include <vector>

#include "core/error.h"
#include "core/state_io.h"
#include "streaming/dstream/graph.h"
#include "streaming/dstream/partition.h"
#include "streaming/dstream/window_grid.h"

namespace streamml::dstream {

template <class K, class V>
std::string encode_tables(const PartitionedTable<K, V>& t) {
  std::string out;
  for (const auto& part : t) part.encode_to(out);
  return out;
}

template <class K, class V>
void decode_tables(const std::string& blob, PartitionedTable<K, V>& t, const std::string& what) {
  Decoder in(blob.data(), blob.size(), what.c_str());
  for (auto& part : t) part.decode_from(in);
  STREAMML_CHECK(in.done(), InvalidInput, what << ": bytes left over after the saved tables");
}

// Saves the panes (their numbers and one blob each) under `panes/`.
template <class Pane, class Encode>
void save_panes(StateWriter& out, const std::map<std::int64_t, Pane>& panes, Encode&& encode) {
  std::vector<std::int64_t> ids;
  std::vector<std::string> blobs;
  for (const auto& [id, pane] : panes) {
    ids.push_back(id);
    blobs.push_back(encode(pane));
  }
  out.write_ints("pane_ids", ids);
  out.write_strings("panes", blobs);
}

template <class Pane, class Decode>
std::map<std::int64_t, Pane> load_panes(const StateReader& in, Decode&& decode) {
  const auto ids = in.read_ints("pane_ids");
  const auto blobs = in.read_strings("panes", std::int64_t(ids.size()));
  std::map<std::int64_t, Pane> panes;
  for (std::size_t i = 0; i < ids.size(); ++i) decode(blobs[i], panes[ids[i]], in.where("panes"));
  return panes;
}

inline const Watermark* required_watermark(const NodeBase& node, bool by_time) {
  STREAMML_CHECK(!by_time || node.watermark() != nullptr, InvalidInput,
                 node.label() << ": a window by event time needs a watermark: call with_watermark(lateness) upstream");
  return node.watermark();
}

template <class T, bool ByTime>
class RecordWindowNode : public Node<std::conditional_t<ByTime, Windowed<T>, T>> {
 public:
  using Out = std::conditional_t<ByTime, Windowed<T>, T>;
  using Span = std::conditional_t<ByTime, Duration, Batches>;

  RecordWindowNode(StreamingContext& ctx, Node<T>* parent, Span length, Span slide)
      : Node<Out>(ctx, "window", {parent}, WindowGrid("window", length, slide).settings()),
        parent_(parent), grid_("window", length, slide) {
    required_watermark(*this, ByTime);
    if constexpr (!ByTime) this->cadence_ = slide.count; else this->cadence_ = 0;
  }

  bool has_state() const override { return true; }
  void save_state(StateWriter& out) const override {
    grid_.save(out);
    save_panes(out, panes_, [](const Records<T>& r) {
      std::string s;
      encode(s, r.values);
      encode(s, r.times);
      encode(s, r.timed);
      return s;
    });
  }
  void load_state(const StateReader& in) override {
    pending_grid_.emplace(grid_.loaded(in));
    pending_ = load_panes<Records<T>>(in, [](const std::string& blob, Records<T>& r, const std::string& what) {
      Decoder d(blob.data(), blob.size(), what.c_str());
      decode(d, r.values);
      decode(d, r.times);
      decode(d, r.timed);
    });
  }
  void commit_loaded() override {
    if (!pending_grid_) return;
    grid_ = std::move(*pending_grid_);
    panes_ = std::move(pending_);
    pending_grid_.reset();
  }
  void discard_loaded() override { pending_grid_.reset(); }

 protected:
  bool compute(Records<Out>& out) override {
    const Records<T>* in = parent_->get();
    const BatchInfo& info = this->ctx_.info();
    if (!in && !(ByTime && info.end_of_stream)) return false;
    if (in) add(*in, info);
    const auto due = grid_.due(info, this->watermark());
    if (!ByTime && due.empty()) {
      drop();
      return false;
    }
    for (std::int64_t s : due) {
      for (auto it = panes_.lower_bound(s); it != panes_.end() && it->first < s + grid_.panes(); ++it) {
        const Records<T>& pane = it->second;
        if constexpr (ByTime) {
          for (const T& v : pane.values) out.values.push_back(Windowed<T>{grid_.window(s), v});
        } else {
          out.timed = pane.timed;
          out.values.insert(out.values.end(), pane.values.begin(), pane.values.end());
          out.times.insert(out.times.end(), pane.times.begin(), pane.times.end());
        }
      }
    }
    if constexpr (!ByTime) out.timed = out.timed && out.times.size() == out.values.size();
    drop();
    return true;
  }

 private:
  void add(const Records<T>& in, const BatchInfo& info) {
    if constexpr (ByTime) {
      STREAMML_CHECK(in.timed || in.values.empty(), InvalidInput, "window by event time: the records have no event times");
      for (std::size_t i = 0; i < in.size(); ++i) {
        const std::int64_t p = grid_.pane_of(in.times[i]);
        grid_.note(p);
        Records<T>& pane = panes_[p];
        pane.timed = true;
        pane.values.push_back(in.values[i]);
        pane.times.push_back(in.times[i]);
      }
    } else {
      Records<T>& pane = panes_[info.index];
      pane.values = in.values;
      pane.times = in.times;
      pane.timed = in.timed;
    }
  }
  void drop() {
    const std::int64_t keep_from = grid_.next_start();
    panes_.erase(panes_.begin(), panes_.lower_bound(keep_from));
    grid_.forget_before(keep_from);
  }

  Node<T>* parent_;
  WindowGrid grid_;
  std::map<std::int64_t, Records<T>> panes_;
  std::optional<WindowGrid> pending_grid_;
  std::map<std::int64_t, Records<T>> pending_;
};

// Inverse = std::nullptr_t: merge the panes of each window (no inverse function).
template <class K, class V, class Reduce, class Inverse, bool ByTime>
class KeyedWindowNode : public Node<std::conditional_t<ByTime, Windowed<std::pair<K, V>>, std::pair<K, V>>> {
 public:
  using Out = std::conditional_t<ByTime, Windowed<std::pair<K, V>>, std::pair<K, V>>;
  using Span = std::conditional_t<ByTime, Duration, Batches>;
  using Keep = std::function<bool(const K&, const V&)>;
  static constexpr bool kIncremental = !std::is_same_v<Inverse, std::nullptr_t>;
  static constexpr std::int64_t kNoRunning = std::numeric_limits<std::int64_t>::min() / 4;

  KeyedWindowNode(StreamingContext& ctx, Node<std::pair<K, V>>* parent, Reduce reduce, Inverse inverse, Keep keep,
                  Span length, Span slide)
      : Node<Out>(ctx, "reduce_by_key_and_window", {parent},
                  WindowGrid("reduce_by_key_and_window", length, slide).settings() +
                      ",\"incremental\":" + (kIncremental ? "true" : "false")),
        parent_(parent), reduce_(std::move(reduce)), inverse_(std::move(inverse)), keep_(std::move(keep)),
        grid_("reduce_by_key_and_window", length, slide) {
    required_watermark(*this, ByTime);
    if constexpr (!ByTime) this->cadence_ = slide.count; else this->cadence_ = 0;
  }

  bool has_state() const override { return true; }
  void save_state(StateWriter& out) const override {
    grid_.save(out);
    save_panes(out, panes_, [](const PartitionedTable<K, V>& t) { return encode_tables(t); });
    out.write_int("running_start", running_start_);
    out.write_strings("running", {encode_tables(running_)});
  }
  void load_state(const StateReader& in) override {
    pending_grid_.emplace(grid_.loaded(in));
    pending_panes_ = load_panes<PartitionedTable<K, V>>(in, [](const std::string& blob, PartitionedTable<K, V>& t,
                                                                const std::string& what) { decode_tables(blob, t, what); });
    pending_running_start_ = in.read_int("running_start");
    decode_tables(in.read_strings("running", 1)[0], pending_running_, in.where("running"));
  }
  void commit_loaded() override {
    if (!pending_grid_) return;
    grid_ = std::move(*pending_grid_);
    panes_ = std::move(pending_panes_);
    running_ = std::move(pending_running_);
    running_start_ = pending_running_start_;
    pending_grid_.reset();
  }
  void discard_loaded() override { pending_grid_.reset(); }

 protected:
  // One parallel region per batch: each partition adds the batch's partial tables to its
  // panes, then moves through the windows due (running or merged) and writes their entries;
  // the entries are then concatenated window by window, partition by partition.
  bool compute(Records<Out>& out) override {
    const BatchInfo& info = this->ctx_.info();
    const bool has = combine_blocks(
        parent_, in_, [this](EventTime t) { return ByTime ? grid_.pane_of(t) : std::int64_t{0}; },
        [](const V& v) { return v; }, [this](V& acc, const V& v) { acc = reduce_(acc, v); });
    if (!has && !(ByTime && info.end_of_stream)) return false;
    PartitionedTable<K, V>* batch_pane = nullptr;
    if (has) {
      bool any = false;
      for (std::size_t b = 0; b < in_.count; ++b) any = any || in_.blocks[b].used > 0;
      STREAMML_CHECK(!ByTime || !any || parent_->timed(), InvalidInput,
                     this->label() << ": a window by event time needs records with event times");
      if constexpr (ByTime) {  // the panes the batch touches (few), made before the region
        for (std::size_t b = 0; b < in_.count; ++b)
          for (std::size_t g = 0; g < in_.blocks[b].used; ++g) {
            grid_.note(in_.blocks[b].groups[g].id);
            panes_[in_.blocks[b].groups[g].id];
          }
      } else {
        batch_pane = &panes_[info.index];
      }
    }
    const auto due = grid_.due(info, this->watermark());
    if (emitted_.size() < due.size()) emitted_.resize(due.size());
    for_each_partition([&](std::size_t p) {
      if (has) add(p, batch_pane);
      std::int64_t start = running_start_;
      for (std::size_t w = 0; w < due.size(); ++w) {
        auto& part = emitted_[w][p];
        part.clear();
        OrderedTable<K, V> merged;
        const OrderedTable<K, V>* table = &merged;
        if constexpr (kIncremental) {
          advance_running(p, start, due[w]);
          start = due[w];
          table = &running_[p];
        } else {
          merge_window(p, due[w], merged);
        }
        const Window window = ByTime ? grid_.window(due[w]) : Window{};
        part.reserve(table->size());
        table->for_each([&](const K& k, const V& v) {
          if constexpr (ByTime) part.push_back(Out{window, {k, v}});
          else part.push_back(Out{k, v});
        });
      }
    });
    if (kIncremental && !due.empty()) running_start_ = due.back();
    drop();
    if (!ByTime && due.empty()) return false;
    std::size_t total = 0;
    for (std::size_t w = 0; w < due.size(); ++w)
      for (const auto& part : emitted_[w]) total += part.size();
    out.values.reserve(total);
    for (std::size_t w = 0; w < due.size(); ++w)
      for (const auto& part : emitted_[w]) out.values.insert(out.values.end(), part.begin(), part.end());
    return true;
  }

 private:
  void fold(OrderedTable<K, V>& into, const K& k, std::uint64_t h, const V& v) {
    bool inserted = false;
    V& acc = into.find_or_insert(k, h, [&] { return v; }, inserted);
    if (!inserted) acc = reduce_(acc, v);
  }

  // Partition p of the blocks' partial tables into the panes: by batch count all into the
  // batch's pane; by event time each into its own.
  void add(std::size_t p, PartitionedTable<K, V>* batch_pane) {
    std::int64_t last = 0;
    PartitionedTable<K, V>* pane = batch_pane;
    in_.each(p, [&](std::int64_t id, const OrderedTable<K, V>& part) {
      if (ByTime && (!pane || id != last)) {
        pane = &panes_.find(id)->second;
        last = id;
      }
      part.for_each_hashed([&](const K& k, const V& v, std::uint64_t h) { fold((*pane)[p], k, h, v); });
    });
  }

  // Partition p of the window starting at pane s, from its panes.
  void merge_window(std::size_t p, std::int64_t s, OrderedTable<K, V>& merged) {
    for (auto it = panes_.lower_bound(s); it != panes_.end() && it->first < s + grid_.panes(); ++it)
      it->second[p].for_each_hashed([&](const K& k, const V& v, std::uint64_t h) {
        bool inserted = false;
        V& acc = merged.find_or_insert(k, h, [&] { return v; }, inserted);
        if (!inserted) acc = reduce_(acc, v);
      });
  }

  // Moves partition p of the running window from pane `from` to start at pane s: adds the
  // panes that enter, takes off those that leave; keys keep() rejects leave.
  void advance_running(std::size_t p, std::int64_t from, std::int64_t s) {
    const std::int64_t n = grid_.panes();
    const bool reset = from == kNoRunning || s >= from + n;
    const std::int64_t add_from = reset ? s : from + n;
    OrderedTable<K, V>& run = running_[p];
    if (reset) {
      run.clear();
    } else {
      for (auto it = panes_.lower_bound(from); it != panes_.end() && it->first < s; ++it)
        it->second[p].for_each_hashed([&](const K& k, const V& v, std::uint64_t h) {
          V* acc = run.find(k, h);
          if (!acc) return;
          *acc = inverse_(*acc, v);
          if (keep_ && !keep_(k, *acc)) run.erase(k, h);
        });
    }
    // Only keys a pane touched can change, so only they are checked against keep().
    for (auto it = panes_.lower_bound(add_from); it != panes_.end() && it->first < s + n; ++it)
      it->second[p].for_each_hashed([&](const K& k, const V& v, std::uint64_t h) {
        fold(run, k, h, v);
        if (keep_ && !keep_(k, *run.find(k, h))) run.erase(k, h);
      });
  }

  void drop() {
    std::int64_t keep_from = grid_.next_start();
    if (kIncremental && running_start_ != kNoRunning) keep_from = std::min(keep_from, running_start_);
    panes_.erase(panes_.begin(), panes_.lower_bound(keep_from));
    grid_.forget_before(keep_from);
  }

  Node<std::pair<K, V>>* parent_;
  Reduce reduce_;
  Inverse inverse_;
  Keep keep_;
  WindowGrid grid_;
  std::map<std::int64_t, PartitionedTable<K, V>> panes_;
  PartitionedTable<K, V> running_;
  std::int64_t running_start_ = kNoRunning;
  BlockTables<K, V> in_;  // each block's partial tables, kept across batches (their memory)
  std::vector<std::array<std::vector<Out>, kPartitions>> emitted_;  // per window due, per partition
  std::optional<WindowGrid> pending_grid_;
  std::map<std::int64_t, PartitionedTable<K, V>> pending_panes_;
  PartitionedTable<K, V> pending_running_;
  std::int64_t pending_running_start_ = kNoRunning;
};

}  // namespace streamml::dstream
