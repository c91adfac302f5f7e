// Throughput of StreamingKMeans: points per second of partial_fit (Spark's update per batch),
// k = 10, d = 10, batches of 1,000 points, on 1 and 2 threads; and of predict.
//
//   bench_kmeans [--benchmark_* flags]
// The side-by-side against scikit-learn's MiniBatchKMeans.partial_fit is
// bench/compare_kmeans_sklearn.py (through the Python module, in one process).
#include <benchmark/benchmark.h>

#include <tbb/global_control.h>

#include <cstdint>
#include <random>
#include <vector>

#include "algorithms/clustering/streaming_kmeans.h"

namespace {

using namespace streamml;

// 200,000 points around 10 centres in 10-D (centres ~ N(0, 5^2), noise N(0, 1)).
RowMatrix make_points(Eigen::Index n, Eigen::Index d, int k, std::uint64_t seed = 1) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> normal;
  RowMatrix centers(k, d);
  for (Eigen::Index i = 0; i < centers.size(); ++i) centers.data()[i] = 5.0 * normal(rng);
  RowMatrix x(n, d);
  for (Eigen::Index r = 0; r < n; ++r)
    for (Eigen::Index j = 0; j < d; ++j) x(r, j) = centers(r % k, j) + normal(rng);
  return x;
}

const RowMatrix& points() {
  static const RowMatrix x = make_points(200000, 10, 10);
  return x;
}

// Arg: threads. One iteration streams all 200,000 points in batches of 1,000 through a fresh
// learner (k-means++ on the first batch, then Spark's update on every batch).
void BM_PartialFit(benchmark::State& state) {
  tbb::global_control limit(tbb::global_control::max_allowed_parallelism, std::size_t(state.range(0)));
  const RowMatrix& x = points();
  const Eigen::Index batch = 1000;
  StreamingKMeansSettings s;
  s.k = 10;
  s.half_life = 20;
  for (auto _ : state) {
    StreamingKMeans m(s);
    for (Eigen::Index start = 0; start < x.rows(); start += batch) m.partial_fit(x.middleRows(start, batch));
    benchmark::DoNotOptimize(m.cluster_centers().data());
  }
  state.SetItemsProcessed(state.iterations() * x.rows());
}
BENCHMARK(BM_PartialFit)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();

// Arg: threads. predict over the 200,000 points in batches of 1,000.
void BM_Predict(benchmark::State& state) {
  tbb::global_control limit(tbb::global_control::max_allowed_parallelism, std::size_t(state.range(0)));
  const RowMatrix& x = points();
  StreamingKMeansSettings s;
  s.k = 10;
  StreamingKMeans m(s);
  m.partial_fit(x.topRows(1000));
  for (auto _ : state) {
    for (Eigen::Index start = 0; start < x.rows(); start += 1000)
      benchmark::DoNotOptimize(m.predict(x.middleRows(start, 1000)).data());
  }
  state.SetItemsProcessed(state.iterations() * x.rows());
}
BENCHMARK(BM_Predict)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
