// Throughput of LogisticRegressionSGD: examples per second for the online optimizers and
// examples x iterations per second for the Spark mode, on dense and on hashed sparse data.
//
//   bench_logreg                         Google Benchmark suite (any --benchmark_* flag)
//   bench_logreg --fit-npy X.npy y.npy BATCH OPTIMIZER [INDPTR.npy INDICES.npy DATA.npy COLS]
//                                        times online partial_fit over the given arrays (used by
//                                        bench/compare_logreg_sklearn.py) and prints one JSON line
#include <benchmark/benchmark.h>

#include <tbb/global_control.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "algorithms/linear/logistic_regression_sgd.h"

namespace {

using namespace streamml;

// Dense features ~ N(0, 1) with labels from a hidden weight vector; hashed features with
// ~30 non-zeros among 2^20 buckets when `hashed` is true.
std::vector<Batch> make_stream(std::size_t total, std::size_t batch, std::size_t dense, bool hashed,
                               std::uint64_t seed = 1) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> normal;
  std::uniform_int_distribution<std::int32_t> bucket(0, (1 << 20) - 1);
  std::uniform_real_distribution<double> unit;
  std::vector<Batch> out;
  for (std::size_t start = 0; start < total; start += batch) {
    Batch b;
    b.rows = std::min(batch, total - start);
    b.cols = dense;
    if (hashed) b.sparse.cols = 1 << 20;
    for (std::size_t r = 0; r < b.rows; ++r) {
      double m = 0;
      for (std::size_t j = 0; j < dense; ++j) {
        const double v = normal(rng);
        b.features.push_back(v);
        m += (j % 3 == 0 ? 0.5 : -0.2) * v;
      }
      if (hashed) {
        std::vector<std::int32_t> idx(30);
        for (auto& i : idx) i = bucket(rng);
        std::sort(idx.begin(), idx.end());
        idx.erase(std::unique(idx.begin(), idx.end()), idx.end());
        for (auto i : idx) {
          b.sparse.indices.push_back(i);
          b.sparse.values.push_back(1.0);
          m += (i % 7 == 0 ? 0.3 : -0.05);
        }
        b.sparse.indptr.push_back(std::int32_t(b.sparse.indices.size()));
      }
      b.labels.push_back(unit(rng) < 1.0 / (1.0 + std::exp(-m)) ? 1.0 : 0.0);
    }
    out.push_back(std::move(b));
  }
  return out;
}

const char* kOptimizers[] = {"sgd", "adagrad", "ftrl"};

// Args: optimizer index, dense features, hashed (0/1).
void BM_Online(benchmark::State& state) {
  const bool hashed = state.range(2) != 0;
  const auto stream = make_stream(hashed ? 20000 : 50000, 1000, std::size_t(state.range(1)), hashed);
  LogisticRegressionSGDSettings s;
  s.mode = LogisticMode::Online;
  s.set("optimizer", kOptimizers[state.range(0)]);
  s.step_size = 0.01;
  s.reg_param = s.optimizer == OnlineOptimizer::Ftrl ? 0.0 : 1e-4;  // FTRL regularises through ftrl_l1/ftrl_l2
  s.ftrl_l1 = 1e-4;
  s.fit_intercept = true;
  std::int64_t examples = 0;
  for (auto _ : state) {
    LogisticRegressionSGD m(s);
    for (const auto& b : stream) m.partial_fit(b);
    examples += m.state().examples_seen;
    benchmark::DoNotOptimize(m.intercept());
  }
  state.SetItemsProcessed(examples);
  state.SetLabel(std::string(kOptimizers[state.range(0)]) + (hashed ? " hashed 2^20" : " dense"));
}
BENCHMARK(BM_Online)
    ->ArgsProduct({{0, 1, 2}, {20, 100}, {0}})
    ->Args({0, 0, 1})
    ->Args({1, 0, 1})
    ->Args({2, 0, 1})
    ->Unit(benchmark::kMillisecond);

// Args: threads, dense features, hashed, rows per batch. Items are examples x iterations.
// Parallelism inside a batch pays once a batch holds enough work (Spark's own batches are
// often 10^4-10^5 records); 1,000-row batches are mostly below that.
void BM_Spark(benchmark::State& state) {
  tbb::global_control limit(tbb::global_control::max_allowed_parallelism, std::size_t(state.range(0)));
  const bool hashed = state.range(2) != 0;
  const auto stream = make_stream(40000, std::size_t(state.range(3)), std::size_t(state.range(1)), hashed);
  LogisticRegressionSGDSettings s;
  s.mode = LogisticMode::Spark;
  s.step_size = 0.5;
  s.num_iterations = 10;
  s.convergence_tol = 0.0;  // run every iteration, so items are exact
  std::int64_t work = 0;
  for (auto _ : state) {
    LogisticRegressionSGD m(s);
    for (const auto& b : stream) {
      m.partial_fit(b);
      work += std::int64_t(b.rows) * m.state().last_iterations;
    }
    benchmark::DoNotOptimize(m.intercept());
  }
  state.SetItemsProcessed(work);
  state.SetLabel(std::string(hashed ? "hashed 2^20" : "dense") + ", " + std::to_string(state.range(0)) + " thread(s)");
}
BENCHMARK(BM_Spark)
    ->ArgsProduct({{1, 2}, {20, 100}, {0}, {1000, 20000}})
    ->Args({1, 0, 1, 1000})
    ->Args({2, 0, 1, 1000})
    ->Unit(benchmark::kMillisecond);

// ---------------------------------------------------------------------------------------------
// --fit-npy: a minimal reader for NumPy's .npy format (version 1/2, little-endian, C order).

template <class T>
std::vector<T> read_npy(const std::string& path, const char* descr, std::vector<std::size_t>& shape) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot open " + path);
  char magic[8];
  in.read(magic, 8);
  if (std::memcmp(magic, "\x93NUMPY", 6) != 0) throw std::runtime_error(path + " is not a .npy file");
  std::uint32_t header_len = 0;
  if (magic[6] == 1) {
    std::uint16_t h = 0;
    in.read(reinterpret_cast<char*>(&h), 2);
    header_len = h;
  } else {
    in.read(reinterpret_cast<char*>(&header_len), 4);
  }
  std::string header(header_len, ' ');
  in.read(header.data(), header_len);
  if (header.find(descr) == std::string::npos || header.find("'fortran_order': False") == std::string::npos)
    throw std::runtime_error(path + ": expected C-ordered " + descr + ", header " + header);
  shape.clear();
  const auto open = header.find('(', header.find("'shape'"));
  const auto close = header.find(')', open);
  std::size_t count = 1;
  for (std::size_t p = open + 1; p < close;) {
    const std::size_t v = std::stoull(header.substr(p));
    shape.push_back(v);
    count *= v;
    p = header.find(',', p);
    if (p == std::string::npos || p > close) break;
    ++p;
    while (p < close && header[p] == ' ') ++p;
  }
  std::vector<T> data(count);
  in.read(reinterpret_cast<char*>(data.data()), std::streamsize(count * sizeof(T)));
  if (!in) throw std::runtime_error(path + " is truncated");
  return data;
}

int fit_npy(int argc, char** argv) {
  if (argc != 6 && argc != 10) {
    std::cerr << "usage: bench_logreg --fit-npy X.npy y.npy BATCH OPTIMIZER [INDPTR.npy INDICES.npy DATA.npy COLS]\n";
    return 2;
  }
  std::vector<std::size_t> xs, ys;
  const auto x = read_npy<double>(argv[2], "<f8", xs);
  const auto y = read_npy<double>(argv[3], "<f8", ys);
  const std::size_t batch = std::stoul(argv[4]);
  const std::size_t n = ys[0];
  const std::size_t d = xs.size() == 2 ? xs[1] : 0;
  std::vector<std::int32_t> indptr, indices;
  std::vector<double> values;
  std::int64_t cols = 0;
  if (argc == 10) {
    std::vector<std::size_t> shape;
    indptr = read_npy<std::int32_t>(argv[6], "<i4", shape);
    indices = read_npy<std::int32_t>(argv[7], "<i4", shape);
    values = read_npy<double>(argv[8], "<f8", shape);
    cols = std::stoll(argv[9]);
  }
  // Batches are cut before the clock starts, as the Python side slices before timing.
  std::vector<Batch> batches;
  for (std::size_t s = 0; s < n; s += batch) {
    Batch b;
    b.rows = std::min(batch, n - s);
    b.cols = d;
    b.features.assign(x.begin() + std::ptrdiff_t(s * d), x.begin() + std::ptrdiff_t((s + b.rows) * d));
    b.labels.assign(y.begin() + std::ptrdiff_t(s), y.begin() + std::ptrdiff_t(s + b.rows));
    if (cols) {
      b.sparse.cols = cols;
      const std::int32_t lo = indptr[s], hi = indptr[s + b.rows];
      b.sparse.indices.assign(indices.begin() + lo, indices.begin() + hi);
      b.sparse.values.assign(values.begin() + lo, values.begin() + hi);
      for (std::size_t r = 1; r <= b.rows; ++r) b.sparse.indptr.push_back(indptr[s + r] - lo);
    }
    batches.push_back(std::move(b));
  }
  LogisticRegressionSGDSettings s;
  s.mode = LogisticMode::Online;
  s.set("optimizer", argv[5]);
  s.learning_rate = LearningRate::Constant;
  s.step_size = 0.01;
  s.reg_param = 1e-4;
  s.penalty = Penalty::L2;
  s.fit_intercept = cols == 0;  // sklearn damps the intercept 100x on sparse input; leave it out
  LogisticRegressionSGD m(s);
  const auto t0 = std::chrono::steady_clock::now();
  for (const auto& b : batches) m.partial_fit(b);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  const Eigen::VectorXd w = m.coef();
  std::printf("{\"seconds\": %.9g, \"examples_per_second\": %.9g, \"coef_head\": [", seconds, double(n) / seconds);
  for (Eigen::Index j = 0; j < std::min<Eigen::Index>(w.size(), 5); ++j) std::printf("%s%.17g", j ? ", " : "", w[j]);
  std::printf("], \"coef_l2\": %.17g, \"intercept\": %.17g}\n", w.norm(), m.intercept());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc > 1 && std::string(argv[1]) == "--fit-npy") {
    try {
      return fit_npy(argc, argv);
    } catch (const std::exception& e) {
      std::cerr << "bench_logreg: " << e.what() << "\n";
      return 1;
    }
  }
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
