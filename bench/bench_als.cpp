// Implicit ALS at the size of MovieLens-20M filtered to ratings >= 4 (implicit's benchmark):
// 138,493 users x 26,744 items, about 10 M interactions with power-law popularity, rank 64.
//
//   BM_Iteration/cg, /cholesky   one full ALS iteration (items, then users); implicit's
//                                published CPU figure on this data: 0.84 s (8 cores, 16
//                                threads, float32); Spark 12.3 s; the goal here: <= 3.4 s on 2
//                                cores (implicit's speed per core)
//   BM_FoldIn                    partial_fit of a micro-batch of 1,000 new interactions on the
//                                fitted model (their users, then their items, re-solved
//                                against their whole histories), to compare with an iteration;
//                                also with max_fold_in_history 2,000 (popular items wait for
//                                the sweep)
// Counters: state_MiB (factors, Y^T Y and the interaction store), nnz.
//
//   bench_als [--benchmark_* flags]
// The side-by-side against a vectorised NumPy/SciPy transcription is bench/compare_als_numpy.py.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

#include "algorithms/recommend/als.h"

namespace {

using namespace streamml;

constexpr std::int64_t kUsers = 138'493, kItems = 26'744, kTarget = 10'000'000;

// Users' activity log-normal (a long tail of heavy users), items drawn with probability
// proportional to 1 / (rank + 10) (Zipf-like popularity); duplicates within a user dropped.
CsrMatrix movielens_like(std::uint64_t seed = 7) {
  std::mt19937_64 rng(seed);
  std::lognormal_distribution<double> activity(0.0, 1.0);
  std::vector<double> weight(kUsers);
  double total = 0;
  for (auto& w : weight) total += (w = activity(rng));
  std::vector<double> cumulative(kItems);
  double c = 0;
  for (std::int64_t i = 0; i < kItems; ++i) cumulative[std::size_t(i)] = (c += 1.0 / double(i + 10));
  std::uniform_real_distribution<double> uniform(0.0, c);
  CsrMatrix m;
  m.cols = kItems;
  std::vector<std::int32_t> row;
  for (std::int64_t u = 0; u < kUsers; ++u) {
    const auto n = std::max<std::int64_t>(1, std::llround(1.11 * double(kTarget) * weight[std::size_t(u)] / total));
    row.clear();
    for (std::int64_t e = 0; e < n; ++e)
      row.push_back(std::int32_t(std::lower_bound(cumulative.begin(), cumulative.end(), uniform(rng)) - cumulative.begin()));
    std::sort(row.begin(), row.end());
    row.erase(std::unique(row.begin(), row.end()), row.end());
    for (auto i : row) {
      m.indices.push_back(i);
      m.values.push_back(double(1 + rng() % 3));  // counts 1 to 3
    }
    m.indptr.push_back(std::int32_t(m.indices.size()));
  }
  return m;
}

const CsrMatrix& data() {
  static const CsrMatrix m = movielens_like();
  return m;
}

AlsSettings settings(AlsSolver solver) {
  AlsSettings s;
  s.rank = 64;
  s.implicit_prefs = true;
  s.reg_param = 0.01;
  s.alpha = 1.0;
  s.solver = solver;
  s.max_iter = 0;
  s.sweep_interval = 0;
  return s;
}

double state_mib(const AlternatingLeastSquares& m) {
  const double factors = double(m.user_factors().size() + m.item_factors().size()) * 8;
  // A stored interaction: a 24-byte cell and a 4-byte slot in each of its user's and item's lists.
  const double store = double(m.store().size()) * (24 + 4 + 4);
  return (factors + store + 2.0 * 64 * 64 * 8) / (1024.0 * 1024.0);
}

AlsSolver solver_of(const benchmark::State& state) {
  return state.range(0) == 0 ? AlsSolver::ConjugateGradient : AlsSolver::Cholesky;
}

void BM_Iteration(benchmark::State& state) {
  AlternatingLeastSquares m(settings(solver_of(state)));
  m.fit(data());  // max_iter 0: the store loaded, random factors
  m.sweep();      // warm the CG's start and the memory once
  for (auto _ : state) m.sweep();
  state.counters["nnz"] = double(data().nnz());
  state.counters["state_MiB"] = state_mib(m);
}
BENCHMARK(BM_Iteration)->ArgName("cholesky")->Arg(0)->Arg(1)->Unit(benchmark::kSecond)->UseRealTime()->MeasureProcessCPUTime()->Iterations(1);

// 1,000 interactions drawn like the matrix's (90 % from known users, 10 % from new ones).
Batch micro_batch(std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  Batch b;
  b.rows = 1000;
  std::vector<std::int64_t> users, items;
  const auto& m = data();
  for (std::size_t r = 0; r < b.rows; ++r) {
    const bool fresh = rng() % 10 == 0;
    // A known user's interaction copies the item of a random stored one (popularity kept).
    const auto p = std::size_t(rng() % m.nnz());
    users.push_back(fresh ? kUsers + std::int64_t(rng() % 100000) : std::int64_t(rng() % std::uint64_t(kUsers)));
    items.push_back(m.indices[p]);
    b.labels.push_back(1.0);
  }
  b.keys = users;
  b.ids.push_back({"item", items});
  return b;
}

// Args: solver (0 cg, 1 cholesky), max_fold_in_history (0: every touched row).
void BM_FoldIn(benchmark::State& state) {
  AlsSettings s = settings(solver_of(state));
  s.max_fold_in_history = state.range(1);
  AlternatingLeastSquares m(s);
  m.fit(data());
  m.sweep();
  std::uint64_t seed = 1;
  std::int64_t users = 0, items = 0;
  for (auto _ : state) {
    state.PauseTiming();
    const Batch b = micro_batch(seed++);
    state.ResumeTiming();
    m.partial_fit(b);
    users += m.last_users_solved();
    items += m.last_items_solved();
  }
  state.counters["users_per_batch"] = double(users) / double(state.iterations());
  state.counters["items_per_batch"] = double(items) / double(state.iterations());
  state.SetItemsProcessed(state.iterations() * 1000);
}
BENCHMARK(BM_FoldIn)
    ->ArgNames({"cholesky", "max_history"})
    ->Args({0, 0})
    ->Args({0, 2000})
    ->Args({1, 0})
    ->Args({1, 2000})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->Iterations(20);

}  // namespace

BENCHMARK_MAIN();
