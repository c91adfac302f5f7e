// DStream throughput on 10 million generated records, with 1 and 2 threads, side by side with
// the same aggregation done by a plain single-threaded std::unordered_map loop (the practical
// lower bound of overhead):
//   WordCount       1,000,000 lines of 10 words (Zipf over 10,000 words) in batches of 10,000
//                   lines: lines -> flat_map(split) -> map((word, 1)) -> reduce_by_key(+),
//                   every batch's counts.
//   WindowedCount   10,000,000 (user, event time) records, 10,000 a second of event time over
//                   10,000 users (Zipf), a batch per second: with_watermark -> map((user, 1))
//                   -> count_by_key_and_window(60 s, 1 s), every window's counts.
// Items are records (words; events). Run:
//   build/bench/bench_dstream --benchmark_repetitions=5 --benchmark_report_aggregates_only=true
#include <benchmark/benchmark.h>

#include <tbb/global_control.h>

#include <cmath>
#include <deque>
#include <random>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "streaming/dstream/dstream.h"

namespace {

using namespace streamml;
using namespace streamml::dstream;

constexpr std::size_t kLines = 1'000'000;
constexpr std::size_t kWordsPerLine = 10;
constexpr std::size_t kLinesPerBatch = 10'000;
constexpr std::size_t kEvents = 10'000'000;
constexpr std::size_t kEventsPerSecond = 10'000;

std::vector<std::size_t> zipf_draws(std::size_t n, std::size_t values, double exponent, std::uint64_t seed) {
  std::vector<double> cumulative(values);
  double sum = 0;
  for (std::size_t r = 0; r < values; ++r) cumulative[r] = sum += std::pow(double(r + 1), -exponent);
  std::mt19937_64 rng(seed);
  std::vector<std::size_t> out(n);
  for (auto& x : out) {
    const double u = double(rng() >> 11) * 0x1.0p-53 * sum;
    x = std::size_t(std::upper_bound(cumulative.begin(), cumulative.end(), u) - cumulative.begin());
    if (x >= values) x = values - 1;
  }
  return out;
}

const std::vector<std::string>& corpus() {
  static const std::vector<std::string> lines = [] {
    const auto words = zipf_draws(kLines * kWordsPerLine, 10'000, 1.0, 1);
    std::vector<std::string> out(kLines);
    for (std::size_t i = 0; i < kLines; ++i)
      for (std::size_t j = 0; j < kWordsPerLine; ++j) out[i] += (j ? " w" : "w") + std::to_string(words[i * kWordsPerLine + j]);
    return out;
  }();
  return lines;
}

const std::vector<std::int64_t>& users() {
  static const std::vector<std::int64_t> u = [] {
    const auto draws = zipf_draws(kEvents, 10'000, 0.8, 2);
    return std::vector<std::int64_t>(draws.begin(), draws.end());
  }();
  return u;
}

EventTime event_time(std::size_t i) { return EventTime(i) * (kMicrosPerSecond / EventTime(kEventsPerSecond)); }

std::vector<std::string_view> split(std::string_view line) {
  std::vector<std::string_view> words;
  words.reserve(kWordsPerLine);
  while (!line.empty()) {
    const auto space = line.find(' ');
    words.push_back(line.substr(0, space));
    if (space == std::string_view::npos) break;
    line.remove_prefix(space + 1);
  }
  return words;
}

void BM_WordCountDStream(benchmark::State& state) {
  const auto& lines = corpus();
  tbb::global_control threads(tbb::global_control::max_allowed_parallelism, std::size_t(state.range(0)));
  for (auto _ : state) {
    StreamingContext ctx;
    auto in = ctx.input<std::string_view>();
    std::int64_t total = 0;
    in.flat_map(split)
        .map([](std::string_view w) { return std::pair<std::string_view, std::int64_t>(w, 1); })
        .reduce_by_key(std::plus<std::int64_t>())
        .for_each_batch([&](const std::vector<std::pair<std::string_view, std::int64_t>>& counts) {
          for (const auto& kv : counts) total += kv.second;
        });
    for (std::size_t b = 0; b < kLines; b += kLinesPerBatch) {
      ctx.push(in, std::vector<std::string_view>(lines.begin() + std::ptrdiff_t(b), lines.begin() + std::ptrdiff_t(b + kLinesPerBatch)));
      ctx.run_batch();
    }
    if (total != std::int64_t(kLines * kWordsPerLine)) state.SkipWithError("wrong word count");
  }
  state.SetItemsProcessed(state.iterations() * std::int64_t(kLines * kWordsPerLine));
}

void BM_WordCountPlainLoop(benchmark::State& state) {
  const auto& lines = corpus();
  for (auto _ : state) {
    std::int64_t total = 0;
    for (std::size_t b = 0; b < kLines; b += kLinesPerBatch) {
      std::unordered_map<std::string_view, std::int64_t> counts;
      for (std::size_t i = b; i < b + kLinesPerBatch; ++i)
        for (std::string_view w : split(lines[i])) counts[w] += 1;
      for (const auto& kv : counts) total += kv.second;
    }
    if (total != std::int64_t(kLines * kWordsPerLine)) state.SkipWithError("wrong word count");
  }
  state.SetItemsProcessed(state.iterations() * std::int64_t(kLines * kWordsPerLine));
}

void BM_WindowedCountDStream(benchmark::State& state) {
  const auto& u = users();
  tbb::global_control threads(tbb::global_control::max_allowed_parallelism, std::size_t(state.range(0)));
  for (auto _ : state) {
    StreamingContext ctx;
    auto in = ctx.input<std::int64_t>();
    std::int64_t total = 0, windows = 0;
    in.with_watermark(Duration{0})
        .map([](std::int64_t user) { return std::pair<std::int64_t, std::int64_t>(user, 1); })
        .count_by_key_and_window(seconds(60), seconds(1))
        .for_each_batch([&](const std::vector<Windowed<std::pair<std::int64_t, std::int64_t>>>& counts) {
          for (const auto& w : counts) total += w.value.second;
          if (!counts.empty()) ++windows;
        });
    for (std::size_t b = 0; b < kEvents; b += kEventsPerSecond) {
      std::vector<EventTime> times(kEventsPerSecond);
      for (std::size_t i = 0; i < kEventsPerSecond; ++i) times[i] = event_time(b + i);
      ctx.push(in, std::vector<std::int64_t>(u.begin() + std::ptrdiff_t(b), u.begin() + std::ptrdiff_t(b + kEventsPerSecond)), times);
      ctx.run_batch();
    }
    ctx.finish();
    benchmark::DoNotOptimize(total);
    state.counters["windows"] = double(windows);
  }
  state.SetItemsProcessed(state.iterations() * std::int64_t(kEvents));
}

// The same windows by hand: per-second counts, a running 60 s count adding the newest second
// and taking off the one that left, keys at zero erased, every window read out.
void BM_WindowedCountPlainLoop(benchmark::State& state) {
  const auto& u = users();
  for (auto _ : state) {
    std::int64_t total = 0;
    std::deque<std::unordered_map<std::int64_t, std::int64_t>> seconds_;
    std::unordered_map<std::int64_t, std::int64_t> running;
    for (std::size_t b = 0; b < kEvents; b += kEventsPerSecond) {
      std::unordered_map<std::int64_t, std::int64_t> pane;
      for (std::size_t i = b; i < b + kEventsPerSecond; ++i) pane[u[i]] += 1;
      for (const auto& [k, n] : pane) running[k] += n;
      seconds_.push_back(std::move(pane));
      if (seconds_.size() > 60) {
        for (const auto& [k, n] : seconds_.front()) {
          auto it = running.find(k);
          if ((it->second -= n) == 0) running.erase(it);
        }
        seconds_.pop_front();
      }
      for (const auto& kv : running) total += kv.second;
    }
    benchmark::DoNotOptimize(total);
  }
  state.SetItemsProcessed(state.iterations() * std::int64_t(kEvents));
}

BENCHMARK(BM_WordCountPlainLoop)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_WordCountDStream)->Arg(1)->Arg(2)->ArgName("threads")->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_WindowedCountPlainLoop)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_WindowedCountDStream)->Arg(1)->Arg(2)->ArgName("threads")->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
