// DStream operators (streaming/dstream/). Oracle everywhere: a brute-force recomputation from
// all records the test pushed (std::map counts over the batches a window covers, plain loops
// for the stateless operators), on random streams with empty batches, keys that disappear and
// windows longer than the stream.
#include <gtest/gtest.h>

#include <tbb/task_arena.h>

#include <algorithm>
#include <map>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "streaming/dstream/dstream.h"
#include "test_helpers.h"

namespace streamml {
namespace {

using namespace dstream;
using testing::error_of;
using KV = std::pair<std::int64_t, std::int64_t>;

template <class T>
std::vector<T> sorted(std::vector<T> v) {
  std::sort(v.begin(), v.end());
  return v;
}

// A random keyed stream: `batches` batches of 0..max_size records (a fifth of them empty),
// keys from a pool that shifts over time (so keys disappear), values in [-3, 9].
std::vector<std::vector<KV>> random_batches(std::mt19937_64& rng, int batches, int max_size, int keys) {
  std::vector<std::vector<KV>> out{std::size_t(batches)};
  for (int b = 0; b < batches; ++b) {
    if (rng() % 5 == 0) continue;
    const int n = int(rng() % std::uint64_t(max_size + 1));
    for (int i = 0; i < n; ++i)
      out[std::size_t(b)].push_back({std::int64_t(rng() % std::uint64_t(keys)) + b / 7, std::int64_t(rng() % 13) - 3});
  }
  return out;
}

// Brute force: per key, the sum of the values in batches [first, last].
std::vector<KV> window_sums(const std::vector<std::vector<KV>>& batches, std::int64_t first, std::int64_t last) {
  std::map<std::int64_t, std::int64_t> sums;
  for (std::int64_t b = std::max<std::int64_t>(0, first); b <= last; ++b)
    for (const auto& [k, v] : batches[std::size_t(b)]) sums[k] += v;
  return {sums.begin(), sums.end()};
}

std::vector<KV> window_counts(const std::vector<std::vector<KV>>& batches, std::int64_t first, std::int64_t last) {
  std::map<std::int64_t, std::int64_t> counts;
  for (std::int64_t b = std::max<std::int64_t>(0, first); b <= last; ++b)
    for (const auto& kv : batches[std::size_t(b)]) counts[kv.first] += 1;
  return {counts.begin(), counts.end()};
}

// ------------------------------------------------------------------------- stateless

TEST(DStreamStateless, MapFlatMapFilterUnionTransformCountEqualPlainLoops) {
  StreamingContext ctx;
  auto in = ctx.input<std::int64_t>();
  auto doubled = in.map([](std::int64_t x) { return 2 * x; });
  auto spread = in.flat_map([](std::int64_t x) { return std::vector<std::int64_t>(std::size_t(x % 4), x); });
  auto odd = in.filter([](std::int64_t x) { return x % 2 != 0; });
  auto both = doubled.union_with(odd);
  auto reversed = in.transform([](const std::vector<std::int64_t>& v) { return std::vector<std::int64_t>(v.rbegin(), v.rend()); });
  std::vector<std::vector<std::int64_t>> got[6];
  doubled.for_each_batch([&](const std::vector<std::int64_t>& v) { got[0].push_back(v); });
  spread.for_each_batch([&](const std::vector<std::int64_t>& v) { got[1].push_back(v); });
  odd.for_each_batch([&](const std::vector<std::int64_t>& v) { got[2].push_back(v); });
  both.for_each_batch([&](const std::vector<std::int64_t>& v) { got[3].push_back(v); });
  reversed.for_each_batch([&](const std::vector<std::int64_t>& v) { got[4].push_back(v); });
  in.count().for_each_batch([&](const std::vector<std::int64_t>& v) { got[5].push_back(v); });

  std::mt19937_64 rng(1);
  std::vector<std::vector<std::int64_t>> batches;
  for (int b = 0; b < 30; ++b) {
    std::vector<std::int64_t> v(rng() % 2000);  // several parallel blocks of 256
    if (b % 6 == 0) v.clear();
    for (auto& x : v) x = std::int64_t(rng() % 1000);
    batches.push_back(v);
    ctx.push(in, v);
    ctx.run_batch();
  }
  ASSERT_EQ(got[0].size(), batches.size());
  for (std::size_t b = 0; b < batches.size(); ++b) {
    std::vector<std::int64_t> d, s, o, u, r(batches[b].rbegin(), batches[b].rend());
    for (auto x : batches[b]) {
      d.push_back(2 * x);
      for (int i = 0; i < x % 4; ++i) s.push_back(x);
      if (x % 2) o.push_back(x);
    }
    u = d;
    u.insert(u.end(), o.begin(), o.end());
    EXPECT_EQ(got[0][b], d);
    EXPECT_EQ(got[1][b], s);
    EXPECT_EQ(got[2][b], o);
    EXPECT_EQ(got[3][b], u);
    EXPECT_EQ(got[4][b], r);
    EXPECT_EQ(got[5][b], std::vector<std::int64_t>{std::int64_t(batches[b].size())});
  }
}

// ------------------------------------------------------------------------- keyed, per batch

TEST(DStreamKeyed, PerBatchOperatorsEqualBruteForce) {
  StreamingContext ctx;
  auto in = ctx.input<KV>();
  auto other = ctx.input<KV>();
  std::vector<std::vector<KV>> reduced, counted, aggregated;
  std::vector<std::vector<std::pair<std::int64_t, std::vector<std::int64_t>>>> grouped;
  std::vector<std::vector<std::pair<std::int64_t, std::pair<std::int64_t, std::int64_t>>>> joined;
  std::vector<std::vector<std::pair<std::int64_t, std::pair<std::int64_t, std::optional<std::int64_t>>>>> outer;
  in.reduce_by_key(std::plus<>()).for_each_batch([&](const std::vector<KV>& v) { reduced.push_back(v); });
  in.count_by_key().for_each_batch([&](const std::vector<KV>& v) { counted.push_back(v); });
  in.aggregate_by_key(std::int64_t{100}, [](std::int64_t a, std::int64_t v) { return std::max(a, v + 100); },
                      [](std::int64_t a, std::int64_t b) { return std::max(a, b); })
      .for_each_batch([&](const std::vector<KV>& v) { aggregated.push_back(v); });
  in.group_by_key().for_each_batch([&](const auto& v) { grouped.push_back(v); });
  in.join(other).for_each_batch([&](const auto& v) { joined.push_back(v); });
  in.left_outer_join(other).for_each_batch([&](const auto& v) { outer.push_back(v); });

  std::mt19937_64 rng(2);
  const auto batches = random_batches(rng, 40, 9000, 300);
  const auto others = random_batches(rng, 40, 300, 400);
  for (std::size_t b = 0; b < batches.size(); ++b) {
    ctx.push(in, batches[b]);
    ctx.push(other, others[b]);
    ctx.run_batch();
  }
  for (std::size_t b = 0; b < batches.size(); ++b) {
    std::map<std::int64_t, std::int64_t> sum, count, agg;
    std::map<std::int64_t, std::vector<std::int64_t>> group, right;
    for (const auto& [k, v] : others[b]) right[k].push_back(v);
    std::vector<std::pair<std::int64_t, std::pair<std::int64_t, std::int64_t>>> join;
    std::vector<std::pair<std::int64_t, std::pair<std::int64_t, std::optional<std::int64_t>>>> left;
    for (const auto& [k, v] : batches[b]) {
      sum[k] += v;
      count[k] += 1;
      agg[k] = std::max(agg.count(k) ? agg[k] : 100, v + 100);
      group[k].push_back(v);
      if (right.count(k)) {
        for (auto w : right[k]) {
          join.push_back({k, {v, w}});
          left.push_back({k, {v, w}});
        }
      } else {
        left.push_back({k, {v, std::nullopt}});
      }
    }
    EXPECT_EQ(sorted(reduced[b]), std::vector<KV>(sum.begin(), sum.end())) << "batch " << b;
    EXPECT_EQ(sorted(counted[b]), std::vector<KV>(count.begin(), count.end())) << "batch " << b;
    EXPECT_EQ(sorted(aggregated[b]), std::vector<KV>(agg.begin(), agg.end())) << "batch " << b;
    // group_by_key keeps each key's values in stream order.
    EXPECT_EQ(sorted(grouped[b]), (std::vector<std::pair<std::int64_t, std::vector<std::int64_t>>>(group.begin(), group.end())));
    EXPECT_EQ(sorted(joined[b]), sorted(join)) << "batch " << b;
    EXPECT_EQ(sorted(outer[b]), sorted(left)) << "batch " << b;
  }
}

TEST(DStreamKeyed, StringKeysAndMapValues) {
  StreamingContext ctx;
  auto in = ctx.input<std::string>();
  std::vector<std::pair<std::string, std::int64_t>> got;
  in.flat_map([](const std::string& line) {
      std::vector<std::string> words;
      std::istringstream s(line);
      for (std::string w; s >> w;) words.push_back(w);
      return words;
    })
      .map([](const std::string& w) { return std::pair<std::string, std::int64_t>(w, 1); })
      .map_values([](std::int64_t n) { return 10 * n; })
      .reduce_by_key(std::plus<>())
      .for_each_batch([&](const auto& v) { got = v; });
  ctx.push(in, {"a b a", "c a", "", "b"});
  ctx.run_batch();
  EXPECT_EQ(sorted(got), (std::vector<std::pair<std::string, std::int64_t>>{{"a", 30}, {"b", 20}, {"c", 10}}));
}

// ------------------------------------------------------------------------- windows by batch count

struct CountWindowCase {
  std::int64_t length, slide;
};

TEST(DStreamWindows, ByBatchCountEqualBruteForce) {
  // Lengths up to longer than the 60-batch stream.
  for (const CountWindowCase c : {CountWindowCase{1, 1}, {3, 1}, {4, 2}, {6, 3}, {10, 10}, {80, 4}}) {
    SCOPED_TRACE("length " + std::to_string(c.length) + " slide " + std::to_string(c.slide));
    StreamingContext ctx;
    auto in = ctx.input<KV>();
    std::map<std::int64_t, std::vector<KV>> merged, incremental, counts, records;
    std::map<std::int64_t, std::vector<std::int64_t>> window_count, window_sum;
    const Batches L{c.length}, S{c.slide};
    in.reduce_by_key_and_window(std::plus<std::int64_t>(), L, S)
        .for_each_batch([&](const std::vector<KV>& v, const BatchInfo& b) { merged[b.index] = v; });
    in.reduce_by_key_and_window(std::plus<std::int64_t>(), std::minus<std::int64_t>(), L, S)
        .for_each_batch([&](const std::vector<KV>& v, const BatchInfo& b) { incremental[b.index] = v; });
    in.count_by_key_and_window(L, S).for_each_batch([&](const std::vector<KV>& v, const BatchInfo& b) { counts[b.index] = v; });
    in.window(L, S).for_each_batch([&](const std::vector<KV>& v, const BatchInfo& b) { records[b.index] = v; });
    in.count_by_window(L, S).for_each_batch([&](const auto& v, const BatchInfo& b) { window_count[b.index] = v; });
    in.map([](const KV& kv) { return kv.second; })
        .reduce_by_window(std::plus<std::int64_t>(), L, S)
        .for_each_batch([&](const auto& v, const BatchInfo& b) { window_sum[b.index] = v; });

    std::mt19937_64 rng(std::uint64_t(c.length * 100 + c.slide));
    const auto batches = random_batches(rng, 60, 50, 20);
    for (const auto& b : batches) {
      ctx.push(in, b);
      ctx.run_batch();
    }
    ctx.finish();
    for (std::int64_t b = 0; b < 60; ++b) {
      const bool due = (b + 1) % c.slide == 0;
      ASSERT_EQ(merged.count(b), std::size_t(due)) << "batch " << b;
      if (!due) continue;
      const std::int64_t first = b - c.length + 1;
      const auto sums = window_sums(batches, first, b);
      EXPECT_EQ(sorted(merged[b]), sums) << "batch " << b;
      // Without a keep predicate the running window keeps keys whose sum fell back to 0
      // (Spark's behaviour); with them dropped it equals the brute force.
      auto inc = sorted(incremental[b]);
      std::map<std::int64_t, std::int64_t> nonzero_inc, nonzero_sums;
      for (auto [k, v] : inc) if (v) nonzero_inc[k] = v;
      for (auto [k, v] : sums) if (v) nonzero_sums[k] = v;
      EXPECT_EQ(nonzero_inc, nonzero_sums) << "batch " << b;
      EXPECT_EQ(sorted(counts[b]), window_counts(batches, first, b)) << "batch " << b;
      std::vector<KV> all;
      std::int64_t total = 0;
      for (std::int64_t i = std::max<std::int64_t>(0, first); i <= b; ++i) {
        all.insert(all.end(), batches[std::size_t(i)].begin(), batches[std::size_t(i)].end());
        for (const auto& kv : batches[std::size_t(i)]) total += kv.second;
      }
      EXPECT_EQ(records[b], all) << "batch " << b;  // oldest batch first, stream order
      EXPECT_EQ(window_count[b], std::vector<std::int64_t>{std::int64_t(all.size())}) << "batch " << b;
      EXPECT_EQ(window_sum[b], all.empty() ? std::vector<std::int64_t>{} : std::vector<std::int64_t>{total}) << "batch " << b;
    }
  }
}

TEST(DStreamWindows, IncrementalEqualsMergedOnAThousandRandomBatches) {
  for (const CountWindowCase c : {CountWindowCase{12, 3}, {7, 1}}) {
    StreamingContext ctx;
    auto in = ctx.input<KV>();
    std::map<std::int64_t, std::vector<KV>> merged, incremental;
    const Batches L{c.length}, S{c.slide};
    in.reduce_by_key_and_window(std::plus<std::int64_t>(), L, S)
        .for_each_batch([&](const std::vector<KV>& v, const BatchInfo& b) { merged[b.index] = sorted(v); });
    // Keys whose count of records falls to zero leave; values never cancel to 0 by chance
    // since the pairs carry (value, 1).
    in.map_values([](std::int64_t v) { return std::pair<std::int64_t, std::int64_t>(v, 1); })
        .reduce_by_key_and_window([](auto a, auto b) { return std::pair(a.first + b.first, a.second + b.second); },
                                  [](auto a, auto b) { return std::pair(a.first - b.first, a.second - b.second); }, L, S,
                                  [](std::int64_t, const std::pair<std::int64_t, std::int64_t>& v) { return v.second != 0; })
        .for_each_batch([&](const auto& v, const BatchInfo& b) {
          std::vector<KV> sums;
          for (const auto& [k, p] : v) sums.push_back({k, p.first});
          incremental[b.index] = sorted(sums);
        });
    std::mt19937_64 rng(99);
    for (const auto& b : random_batches(rng, 1000, 40, 30)) {
      ctx.push(in, b);
      ctx.run_batch();
    }
    ASSERT_EQ(merged.size(), std::size_t(1000 / c.slide));
    EXPECT_EQ(incremental, merged);
  }
}

// ------------------------------------------------------------------------- event time

// Records with event times that wander back and forth; a watermark with lateness; windows of
// 6 s sliding 2 s, and of 600 s sliding 200 s (longer than the 70 s stream: every window closes
// at the end-of-stream flush). Oracle: the watermark recomputed batch by batch (late iff t <
// the watermark after the previous batch), and every window's counts from all the records that
// were not late.
TEST(DStreamEventTime, WindowsWatermarkAndLateRecordsEqualBruteForce) {
  for (const auto& [length, slide] : {std::pair<std::int64_t, std::int64_t>{6, 2}, {600, 200}})
  for (const bool incremental : {false, true}) {
    SCOPED_TRACE(std::to_string(length) + " s sliding " + std::to_string(slide) + (incremental ? " s, incremental" : " s"));
    const std::int64_t slide_us = slide * kMicrosPerSecond, panes = length / slide;
    StreamingContext ctx;
    auto in = ctx.input<KV>();
    auto timed = in.with_watermark(seconds(3));
    std::map<std::pair<Window, std::int64_t>, std::int64_t> got;
    std::map<Window, std::int64_t> emitted_at;
    std::vector<KV> late_seen;
    auto windows = incremental ? timed.count_by_key_and_window(seconds(length), seconds(slide))
                               : timed.map_values([](std::int64_t) { return std::int64_t{1}; })
                                     .reduce_by_key_and_window(std::plus<std::int64_t>(), seconds(length), seconds(slide));
    windows.for_each_batch([&](const std::vector<Windowed<KV>>& v, const BatchInfo& b) {
      for (const auto& w : v) {
        EXPECT_TRUE(got.emplace(std::pair(w.window, w.value.first), w.value.second).second) << "emitted twice";
        emitted_at[w.window] = b.end_of_stream ? -1 : b.index;
      }
    });
    timed.late().for_each_batch([&](const std::vector<KV>& v) { late_seen.insert(late_seen.end(), v.begin(), v.end()); });

    std::mt19937_64 rng(7);
    std::map<std::pair<Window, std::int64_t>, std::int64_t> expected;
    std::vector<KV> expected_late;
    std::map<Window, std::int64_t> closes_at;
    EventTime watermark = Watermark::kNone, max_seen = Watermark::kNone;
    std::int64_t record = 0;
    for (int b = 0; b < 120; ++b) {
      std::vector<KV> values;
      std::vector<EventTime> times;
      const int n = b % 9 == 0 ? 0 : int(rng() % 30);
      for (int i = 0; i < n; ++i, ++record) {
        // Time advances 0.5 s a batch, with jitter of up to -5 s .. +1 s.
        const EventTime t = EventTime(b) * 500'000 + EventTime(rng() % 6'000'000) - 5'000'000 + 10 * kMicrosPerSecond;
        values.push_back({std::int64_t(rng() % 5) + b / 30, record});
        times.push_back(t);
      }
      for (std::size_t i = 0; i < values.size(); ++i) {
        if (times[i] < watermark) {
          expected_late.push_back(values[i]);
          continue;
        }
        const std::int64_t pane = times[i] / slide_us;
        for (std::int64_t s = pane - panes + 1; s <= pane; ++s) {
          const Window w{s * slide_us, s * slide_us + length * kMicrosPerSecond};
          expected[{w, values[i].first}] += 1;
        }
      }
      for (auto t : times) max_seen = std::max(max_seen, t);
      if (max_seen != Watermark::kNone) watermark = std::max(watermark, max_seen - 3'000'000);
      for (const auto& [key, count] : expected)
        if (key.first.end <= watermark && !closes_at.count(key.first)) closes_at[key.first] = b;
      ctx.push(in, values, times);
      ctx.run_batch();
    }
    ctx.finish();
    EXPECT_EQ(got, expected);
    EXPECT_EQ(late_seen, expected_late);
    EXPECT_EQ(timed.late_count(), std::int64_t(expected_late.size()));
    EXPECT_GT(expected_late.size(), 10u);
    for (const auto& [w, b] : emitted_at) {
      const auto it = closes_at.find(w);
      EXPECT_EQ(b, it == closes_at.end() ? -1 : it->second) << "window at " << w.start;  // -1: the end-of-stream flush
    }
  }
}

TEST(DStreamEventTime, RecordWindowsAndCountByWindowByEventTime) {
  StreamingContext ctx;
  auto in = ctx.input<std::int64_t>();
  auto timed = in.with_watermark(seconds(0));
  std::vector<Windowed<std::int64_t>> records, counts;
  timed.window(seconds(2), seconds(1)).for_each_batch([&](const auto& v) { records.insert(records.end(), v.begin(), v.end()); });
  timed.count_by_window(seconds(2), seconds(1)).for_each_batch([&](const auto& v) { counts.insert(counts.end(), v.begin(), v.end()); });
  ctx.push(in, {1, 2}, {500'000, 1'500'000});
  ctx.run_batch();
  ctx.push(in, {3}, {5'200'000});
  ctx.run_batch();
  ctx.finish();
  // Windows [-1, 1) {1}, [0, 2) {1, 2}, [1, 3) {2}, [4, 6) {3}, [5, 7) {3}.
  const std::vector<Windowed<std::int64_t>> want_counts = {
      {{-1'000'000, 1'000'000}, 1}, {{0, 2'000'000}, 2}, {{1'000'000, 3'000'000}, 1},
      {{4'000'000, 6'000'000}, 1}, {{5'000'000, 7'000'000}, 1}};
  EXPECT_EQ(counts, want_counts);
  ASSERT_EQ(records.size(), 6u);
  EXPECT_EQ(records[1].value, 1);
  EXPECT_EQ(records[2].value, 2);
  EXPECT_EQ(records[1].window, (Window{0, 2'000'000}));
}

// ------------------------------------------------------------------------- keyed state

TEST(DStreamState, UpdateStateByKeyKeepsRunningTotalsAndRemovesKeys) {
  StreamingContext ctx;
  auto in = ctx.input<KV>();
  std::vector<std::vector<KV>> got;
  // Running sum; a key whose sum goes above 40 is removed.
  in.update_state_by_key<std::int64_t>([](const std::vector<std::int64_t>& values, const std::optional<std::int64_t>& s) {
      std::int64_t sum = s.value_or(0);
      for (auto v : values) sum += v;
      return sum > 40 ? std::nullopt : std::optional<std::int64_t>(sum);
    })
      .for_each_batch([&](const std::vector<KV>& v) { got.push_back(sorted(v)); });
  std::mt19937_64 rng(5);
  const auto batches = random_batches(rng, 50, 20, 15);
  std::map<std::int64_t, std::int64_t> state;
  std::set<std::int64_t> removed;
  for (std::size_t b = 0; b < batches.size(); ++b) {
    ctx.push(in, batches[b]);
    ctx.run_batch();
    std::map<std::int64_t, std::int64_t> add;
    std::set<std::int64_t> seen;
    for (auto [k, v] : batches[b]) {
      add[k] += v;
      seen.insert(k);
    }
    for (auto k : seen) {
      const std::int64_t sum = (state.count(k) ? state[k] : 0) + add[k];
      if (sum > 40) state.erase(k);
      else state[k] = sum;
    }
    EXPECT_EQ(got[b], std::vector<KV>(state.begin(), state.end())) << "batch " << b;
  }
}

// map_with_state with a timeout of 3 batches: a key last seen in batch j times out in batch
// j + 4 exactly (its final call), once, and is gone after.
TEST(DStreamState, TimeoutFiresOnceAtTheDocumentedBatch) {
  StreamingContext ctx;
  auto in = ctx.input<KV>();
  struct Call {
    std::int64_t batch, key;
    bool timing_out;
    std::int64_t state;
  };
  std::vector<Call> calls;
  std::int64_t batch = 0;
  in.map_with_state(state_spec<std::int64_t>([&](const std::int64_t& k, const std::optional<std::int64_t>& v,
                                                  State<std::int64_t>& s) -> std::optional<Call> {
                      if (s.is_timing_out()) return Call{batch, k, true, s.get()};
                      s.update(s.exists() ? s.get() + *v : *v);
                      return std::nullopt;
                    }).timeout(Batches{3}))
      .for_each_batch([&](const std::vector<Call>& v) { calls.insert(calls.end(), v.begin(), v.end()); });
  // key 1 in batches 0 and 2; key 2 in batch 1; key 3 in batches 0, 4, 8, 12 (never idle > 3).
  const std::map<std::int64_t, std::vector<std::int64_t>> keys_in = {{0, {1, 3}}, {1, {2}}, {2, {1}}, {4, {3}}, {8, {3}}, {12, {3}}};
  for (batch = 0; batch < 16; ++batch) {
    std::vector<KV> b;
    if (keys_in.count(batch))
      for (auto k : keys_in.at(batch)) b.push_back({k, 10 * k});
    ctx.push(in, b);
    ctx.run_batch();
  }
  ASSERT_EQ(calls.size(), 2u);
  EXPECT_EQ(calls[0].key, 2);
  EXPECT_EQ(calls[0].batch, 1 + 3 + 1);
  EXPECT_EQ(calls[0].state, 20);
  EXPECT_EQ(calls[1].key, 1);
  EXPECT_EQ(calls[1].batch, 2 + 3 + 1);
  EXPECT_EQ(calls[1].state, 20);
}

TEST(DStreamState, TimeoutInEventTime) {
  StreamingContext ctx;
  auto in = ctx.input<KV>();
  std::vector<std::pair<std::int64_t, std::int64_t>> fired;  // (batch, key)
  std::int64_t batch = 0;
  in.map_with_state(state_spec<std::int64_t>([&](const std::int64_t& k, const std::optional<std::int64_t>&,
                                                  State<std::int64_t>& s) -> std::optional<KV> {
                      if (s.is_timing_out()) return KV{batch, k};
                      s.update(1);
                      return std::nullopt;
                    }).timeout(days(30)))
      .for_each_batch([&](const std::vector<KV>& v) { fired.insert(fired.end(), v.begin(), v.end()); });
  // One batch per day (clock = the day's end); key 7 seen on day 0 only.
  for (batch = 0; batch < 40; ++batch) {
    ctx.push(in, batch == 0 ? std::vector<KV>{{7, 1}} : std::vector<KV>{});
    ctx.run_batch(days(batch + 1).micros);
  }
  // Clock of batch j is (j + 1) days; idle more than 30 days first at batch 31.
  EXPECT_EQ(fired, (std::vector<KV>{{31, 7}}));
}

// ------------------------------------------------------------------------- threads, errors

std::vector<std::string> run_everything(int threads) {
  std::vector<std::string> out;
  tbb::task_arena arena(threads);
  arena.execute([&] {
    StreamingContext ctx;
    auto in = ctx.input<KV>();
    auto dump = [&out](const char* what) {
      return [&out, what](const auto& v) {
        std::ostringstream s;
        s << what;
        for (const auto& x : v) s << " " << x.first << ":" << x.second;
        out.push_back(s.str());
      };
    };
    in.reduce_by_key(std::plus<>()).for_each_batch(dump("reduce"));
    in.count_by_key_and_window(Batches{5}, Batches{1}).for_each_batch(dump("window"));
    in.update_state_by_key<std::int64_t>([](const std::vector<std::int64_t>& v, const std::optional<std::int64_t>& s) {
        return std::optional<std::int64_t>(s.value_or(0) + std::int64_t(v.size()));
      })
        .for_each_batch(dump("state"));
    // A fused chain into a join, event-time windows and keyed state with a timeout.
    auto evens = in.filter([](const KV& kv) { return kv.second % 2 == 0; }).map_values([](std::int64_t v) { return v * 3; });
    in.join(evens).map([](const auto& j) { return KV(j.first, j.second.first * 100 + j.second.second); }).for_each_batch(dump("join"));
    in.with_watermark(seconds(1))
        .count_by_key_and_window(seconds(4), seconds(2))
        .map([](const Windowed<KV>& w) { return KV(w.window.start, w.value.first * 1000 + w.value.second); })
        .for_each_batch(dump("time-window"));
    in.map_with_state(state_spec<std::int64_t>([](const std::int64_t& k, const std::optional<std::int64_t>& v,
                                                   State<std::int64_t>& s) -> std::optional<KV> {
                        if (s.is_timing_out()) return KV(k, -s.get());
                        s.update(s.exists() ? s.get() + *v : *v);
                        return KV(k, s.get());
                      }).timeout(Batches{2}))
        .for_each_batch(dump("mapped"));
    std::mt19937_64 rng(11);
    std::int64_t b = 0;
    for (const auto& batch : random_batches(rng, 30, 20000, 5000)) {
      std::vector<EventTime> times(batch.size());
      for (std::size_t i = 0; i < times.size(); ++i) times[i] = b * kMicrosPerSecond + EventTime(rng() % 3'000'000);
      ctx.push(in, batch, times);
      ctx.run_batch();
      ++b;
    }
    ctx.finish();
  });
  return out;
}

TEST(DStreamParallel, OneAndTwoThreadsGiveIdenticalOutputs) {
  const auto one = run_everything(1);
  const auto two = run_everything(2);
  ASSERT_GT(one.size(), 180u);
  EXPECT_TRUE(one == two);
}

// The message of the Error the next batch raises ("(no error)" if none).
std::string batch_error(StreamingContext& ctx) {
  try {
    ctx.run_batch();
  } catch (const Error& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(DStreamErrors, AThrowingUserFunctionStopsWithItsMessage) {
  StreamingContext ctx;
  auto in = ctx.input<std::int64_t>();
  in.map([](std::int64_t x) {
      if (x == 4321) throw std::runtime_error("bad record 4321");
      return x;
    })
      .for_each_batch([](const auto&) {});
  std::vector<std::int64_t> v(5000);
  for (std::size_t i = 0; i < v.size(); ++i) v[i] = std::int64_t(i);
  ctx.push(in, v);
  const std::string what = batch_error(ctx);
  EXPECT_NE(what.find("bad record 4321"), std::string::npos) << what;
  EXPECT_NE(what.find("#1 map failed on batch 0"), std::string::npos) << what;
}

// Inside a fused chain (map streamed into reduce_by_key) the error still names the map.
TEST(DStreamErrors, AThrowingFunctionInAFusedChainNamesItsOperator) {
  StreamingContext ctx;
  auto in = ctx.input<std::int64_t>();
  in.map([](std::int64_t x) {
      if (x == 7777) throw std::invalid_argument("no 7777 please");
      return KV(x % 10, x);
    })
      .reduce_by_key(std::plus<>())
      .for_each_batch([](const auto&) {});
  std::vector<std::int64_t> v(20000);
  for (std::size_t i = 0; i < v.size(); ++i) v[i] = std::int64_t(i);
  ctx.push(in, v);
  const std::string what = batch_error(ctx);
  EXPECT_NE(what.find("dstream operator #1 map failed on batch 0: no 7777 please"), std::string::npos) << what;
}

TEST(DStreamState, RemovingStateForgetsTheKey) {
  StreamingContext ctx;
  auto in = ctx.input<KV>();
  std::vector<KV> got;
  // Sums per key; a value of 0 removes the key's state.
  in.map_with_state(state_spec<std::int64_t>([](const std::int64_t& k, const std::optional<std::int64_t>& v,
                                                 State<std::int64_t>& s) -> std::optional<KV> {
                      if (v.value_or(0) == 0) {
                        s.remove();
                        return std::nullopt;
                      }
                      s.update(s.exists() ? s.get() + *v : *v);
                      return KV(k, s.get());
                    }))
      .for_each_batch([&](const std::vector<KV>& v) { got.insert(got.end(), v.begin(), v.end()); });
  ctx.push(in, {{1, 5}, {1, 6}, {2, 1}});
  ctx.run_batch();
  ctx.push(in, {{1, 0}, {1, 2}, {2, 1}});
  ctx.run_batch();
  EXPECT_EQ(sorted(got), (std::vector<KV>{{1, 2}, {1, 5}, {1, 11}, {2, 1}, {2, 2}}));
}

TEST(DStreamKeyed, JoinOfTwoWindowedStreamsAndCadenceMismatch) {
  StreamingContext ctx;
  auto in = ctx.input<KV>();
  auto a = in.reduce_by_key_and_window(std::plus<std::int64_t>(), Batches{2}, Batches{2});
  auto b = in.count_by_key_and_window(Batches{4}, Batches{2});
  std::map<std::int64_t, std::vector<std::pair<std::int64_t, std::pair<std::int64_t, std::int64_t>>>> joined;
  a.join(b).for_each_batch([&](const auto& v, const BatchInfo& info) { joined[info.index] = sorted(v); });
  std::mt19937_64 rng(3);
  const auto batches = random_batches(rng, 12, 30, 6);
  for (const auto& batch : batches) {
    ctx.push(in, batch);
    ctx.run_batch();
  }
  ASSERT_EQ(joined.size(), 6u);  // after batches 1, 3, 5, ...
  for (const auto& [index, rows] : joined) {
    const auto sums = window_sums(batches, index - 1, index);
    const auto counts = window_counts(batches, index - 3, index);
    std::vector<std::pair<std::int64_t, std::pair<std::int64_t, std::int64_t>>> want;
    for (const auto& [k, v] : sums)
      for (const auto& [k2, n] : counts)
        if (k == k2) want.push_back({k, {v, n}});
    EXPECT_EQ(rows, want) << "batch " << index;
  }
  auto c = in.count_by_key_and_window(Batches{3}, Batches{3});
  EXPECT_NE(error_of([&] { a.join(c); }).find("the streams are batched differently"), std::string::npos);
}

TEST(DStreamErrors, BadWindowsAndMissingWatermarkAreNamed) {
  StreamingContext ctx;
  auto in = ctx.input<KV>();
  EXPECT_NE(error_of([&] { in.reduce_by_key_and_window(std::plus<>(), Batches{10}, Batches{3}); })
                .find("the slide (3 batches) must divide the window length (10 batches)"),
            std::string::npos);
  EXPECT_NE(error_of([&] { in.window(Batches{0}, Batches{1}); }).find("window length must be > 0"), std::string::npos);
  EXPECT_NE(error_of([&] { in.window(seconds(6), Duration{0}); }).find("slide must be > 0"), std::string::npos);
  EXPECT_NE(error_of([&] { in.count_by_key_and_window(seconds(6), seconds(2)); }).find("needs a watermark"), std::string::npos);
  EXPECT_NE(error_of([&] { in.union_with(in.window(Batches{4}, Batches{2})); }).find("batched differently"), std::string::npos);
  EXPECT_NE(error_of([&] { in.late(); }).find("side output of with_watermark"), std::string::npos);
  EXPECT_NE(error_of([&] {
              in.map_with_state(state_spec<int>([](const std::int64_t&, const std::optional<std::int64_t>&, State<int>&) {
                  return std::optional<int>();
                }).timeout(Batches{0}));
            }).find("timeout must be > 0"),
            std::string::npos);
}

}  // namespace
}  // namespace streamml
