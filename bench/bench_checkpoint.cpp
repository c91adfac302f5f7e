// Checkpoint save and load time against a raw binary file of the same bytes (issue 5,
// "Benchmark"; goal: HDF5 within 1.5x of raw at 10^7 parameters).
//
//   bench_checkpoint [--benchmark_* flags]
//     e.g. --benchmark_repetitions=5 --benchmark_report_aggregates_only=true
//   Files go to a fresh directory under $STREAMML_BENCH_DIR, else $TMPDIR, else /tmp (use a
//   directory on a real disk: on tmpfs fsync costs nothing), removed at the end.
//
// The model: LogisticRegressionSGD, mode "online", optimizer "sgd", learning_rate
// "constant", penalty "none", no intercept, no averaging, trained on one row of N dense
// features. save_state then writes `weights` (N float64) and nothing else that grows with
// N: l1_q (sgd + L1 only), avg_weights (average > 0 only), grad_sq_sum (adagrad only),
// ftrl_z/ftrl_n (ftrl only) stay empty, the rest are scalars. model() checks the vectors;
// the counter `stored_values` (float64 values over all datasets of a saved file) shows N plus
// the dozen scalars.
//
// Each iteration does both sides, in alternating order so drift in the machine's speed hits
// both alike:
//   save  HDF5: CheckpointStore::save, the real path (temporary file, HDF5 write, H5Fclose,
//               fsync, link to v000001.h5, unlink the temporary, fsync the directory);
//         raw:  write the weights' bytes to a temporary file, fsync, rename, fsync the
//               directory: the same durability.
//         The new files are deleted after each iteration, outside the timed part, so every
//         save creates a fresh file on both sides.
//   load  HDF5: CheckpointStore::load into a LogisticRegressionSGD (attributes and shapes
//               checked, Fletcher-32 verified, state replaced);
//         raw:  open, fstat, read the file into a newly allocated vector of doubles (which
//               replaces the previous one, as the learner's state is replaced).
//         Both files were written (and fsynced) just before, so both loads read from the
//         page cache: what is measured is the CPU and copy cost of each format, not the disk.
//         That is fair because both sides are treated alike.
// Reported per benchmark: the time (manual time = the HDF5 operation) and bytes_per_second
// of the HDF5 side (payload bytes = 8 N); counters hdf5_s and raw_s (seconds per operation),
// hdf5/raw (their ratio, the figure the goal is about), raw_bytes_per_second, and file_bytes
// (the HDF5 file's size, to compare with the 8 N of the raw file).
#include <benchmark/benchmark.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <map>
#include <memory>
#include <random>
#include <stdexcept>
#include <string>

#include "algorithms/linear/logistic_regression_sgd.h"
#include "core/checkpoint_store.h"

namespace {

using namespace streamml;
namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

std::runtime_error sys_error(const std::string& what, const std::string& path) {
  return std::runtime_error(what + " '" + path + "': " + std::strerror(errno));
}

// The directory every file of this run lives in; removed at exit.
class WorkDir {
 public:
  WorkDir() {
    const char* base = std::getenv("STREAMML_BENCH_DIR");
    if (!base || !*base) base = std::getenv("TMPDIR");
    if (!base || !*base) base = "/tmp";
    std::string pattern = std::string(base) + "/streamml-bench-checkpoint-XXXXXX";
    if (!::mkdtemp(pattern.data())) throw sys_error("cannot create a directory like", pattern);
    path_ = pattern;
  }
  ~WorkDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

WorkDir& work_dir() {
  static WorkDir dir;
  return dir;
}

// A learner whose state is N float64 weights plus a few scalars, every weight non-zero.
const LogisticRegressionSGD& model(std::int64_t n) {
  static std::map<std::int64_t, std::unique_ptr<LogisticRegressionSGD>> models;
  auto& m = models[n];
  if (!m) {
    LogisticRegressionSGDSettings s;
    s.mode = LogisticMode::Online;
    s.optimizer = OnlineOptimizer::Sgd;
    s.learning_rate = LearningRate::Constant;
    s.penalty = Penalty::None;
    s.step_size = 0.01;
    s.fit_intercept = false;
    m = std::make_unique<LogisticRegressionSGD>(s);
    std::mt19937_64 rng(7);
    std::normal_distribution<double> normal;
    RowMatrix x(1, n);
    for (std::int64_t j = 0; j < n; ++j) x(0, j) = normal(rng);
    Eigen::VectorXd y(1);
    y[0] = 1.0;
    m->partial_fit(x, y);
    const auto& st = m->state();
    if (st.weights.size() != n || st.l1_q.size() || st.avg_weights.size() || st.grad_sq_sum.size() ||
        st.ftrl_z.size() || st.ftrl_n.size())
      throw std::logic_error("the benchmark model's state is not N weights plus scalars");
  }
  return *m;
}

// Float64 values a checkpoint holds, over all its datasets.
std::int64_t stored_values(const CheckpointInfo& info) {
  std::int64_t total = 0;
  for (const auto& d : info.datasets) {
    if (d.type != "float64") continue;
    std::int64_t count = 1;
    for (auto s : d.shape) count *= s;
    total += count;
  }
  return total;
}

void fsync_dir(const std::string& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY);
  if (fd < 0) throw sys_error("cannot open", dir);
  const int rc = ::fsync(fd);
  ::close(fd);
  if (rc != 0) throw sys_error("cannot fsync", dir);
}

// The raw counterpart of CheckpointStore::save: the bytes, fsync, rename, directory fsync.
void raw_save(const std::string& dir, const std::string& file, const void* data, std::size_t size) {
  const std::string tmp = dir + "/." + file + ".tmp";
  const std::string final_path = dir + "/" + file;
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) throw sys_error("cannot create", tmp);
  const char* p = static_cast<const char*>(data);
  std::size_t left = size;
  while (left > 0) {
    const ssize_t w = ::write(fd, p, left);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) {
      ::close(fd);
      throw sys_error("cannot write", tmp);
    }
    p += w;
    left -= std::size_t(w);
  }
  if (::fsync(fd) != 0) {
    ::close(fd);
    throw sys_error("cannot fsync", tmp);
  }
  if (::close(fd) != 0) throw sys_error("cannot close", tmp);
  if (::rename(tmp.c_str(), final_path.c_str()) != 0) throw sys_error("cannot rename", tmp);
  fsync_dir(dir);
}

Eigen::VectorXd raw_load(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw sys_error("cannot open", path);
  struct stat st {};
  if (::fstat(fd, &st) != 0 || st.st_size % 8 != 0) {
    ::close(fd);
    throw sys_error("cannot stat (or odd size)", path);
  }
  Eigen::VectorXd v(Eigen::Index(st.st_size / 8));
  char* p = reinterpret_cast<char*>(v.data());
  std::size_t left = std::size_t(st.st_size);
  while (left > 0) {
    const ssize_t r = ::read(fd, p, left);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) {
      ::close(fd);
      throw sys_error("cannot read", path);
    }
    p += r;
    left -= std::size_t(r);
  }
  ::close(fd);
  return v;
}

template <class F>
double seconds(F&& f) {
  const auto t0 = Clock::now();
  f();
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

void report(benchmark::State& state, std::int64_t n, double hdf5_total, double raw_total, double file_bytes,
            double values) {
  const double iters = double(state.iterations());
  const double payload = 8.0 * double(n);
  state.SetBytesProcessed(std::int64_t(payload * iters));
  state.counters["hdf5_s"] = hdf5_total / iters;
  state.counters["raw_s"] = raw_total / iters;
  state.counters["hdf5/raw"] = hdf5_total / raw_total;
  state.counters["raw_bytes_per_second"] = benchmark::Counter(payload * iters / raw_total, benchmark::Counter::kDefaults,
                                                              benchmark::Counter::kIs1024);
  state.counters["file_bytes"] = file_bytes;
  state.counters["stored_values"] = values;
}

void BM_Save(benchmark::State& state) {
  const std::int64_t n = state.range(0);
  const LogisticRegressionSGD& m = model(n);
  const std::string name = "logreg-" + std::to_string(n);
  CheckpointStore store(work_dir().path() + "/save");
  const std::string raw_dir = work_dir().path() + "/save-raw";
  fs::create_directories(raw_dir);
  const std::string raw_file = name + ".bin";
  const Eigen::VectorXd& w = m.state().weights;

  double hdf5_total = 0, raw_total = 0, file_bytes = 0, values = 0;
  std::int64_t i = 0;
  for (auto _ : state) {
    std::int64_t version = 0;
    const auto hdf5 = [&] { version = store.save(name, m); };
    const auto raw = [&] { raw_save(raw_dir, raw_file, w.data(), std::size_t(w.size()) * 8); };
    double h = 0, r = 0;
    if (i++ % 2 == 0) {
      h = seconds(hdf5);
      r = seconds(raw);
    } else {
      r = seconds(raw);
      h = seconds(hdf5);
    }
    state.SetIterationTime(h);
    hdf5_total += h;
    raw_total += r;
    // Untimed: check the file once, then delete both so the next save makes fresh files.
    const std::string path = store.path(name, version);
    if (values == 0) {
      values = double(stored_values(store.describe(name, version)));
      file_bytes = double(fs::file_size(path));
    }
    fs::remove(path);
    fs::remove(raw_dir + "/" + raw_file);
  }
  report(state, n, hdf5_total, raw_total, file_bytes, values);
}

void BM_Load(benchmark::State& state) {
  const std::int64_t n = state.range(0);
  const LogisticRegressionSGD& m = model(n);
  const std::string name = "logreg-" + std::to_string(n);
  CheckpointStore store(work_dir().path() + "/load");
  const std::string raw_dir = work_dir().path() + "/load-raw";
  fs::create_directories(raw_dir);
  const std::string raw_file = name + ".bin";
  const Eigen::VectorXd& w = m.state().weights;
  // One file per side, written (and fsynced) once; every load reads it from the page cache.
  const std::int64_t version = store.save(name, m);
  raw_save(raw_dir, raw_file, w.data(), std::size_t(w.size()) * 8);
  const std::string raw_path = raw_dir + "/" + raw_file;
  const double file_bytes = double(fs::file_size(store.path(name, version)));
  const double values = double(stored_values(store.describe(name, version)));

  // Both loads replace what the previous iteration loaded (so both pay for freeing it).
  LogisticRegressionSGD into(m.settings());
  Eigen::VectorXd raw_weights;
  double hdf5_total = 0, raw_total = 0;
  std::int64_t i = 0;
  for (auto _ : state) {
    const auto hdf5 = [&] { store.load(name, into, version); };
    const auto raw = [&] { raw_weights = raw_load(raw_path); };
    double h = 0, r = 0;
    if (i++ % 2 == 0) {
      h = seconds(hdf5);
      r = seconds(raw);
    } else {
      r = seconds(raw);
      h = seconds(hdf5);
    }
    state.SetIterationTime(h);
    hdf5_total += h;
    raw_total += r;
    benchmark::DoNotOptimize(raw_weights.data());
    if (i == 1 && (into.state().weights != w || raw_weights != w)) {
      state.SkipWithError("a load did not give back the saved weights");
      break;
    }
  }
  report(state, n, hdf5_total, raw_total, file_bytes, values);
  fs::remove(store.path(name, version));
  fs::remove(raw_path);
}

void params(benchmark::internal::Benchmark* b) {
  b->ArgName("params")->Arg(1000)->Arg(1000000)->Arg(10000000)->UseManualTime()->Unit(benchmark::kMillisecond);
}

BENCHMARK(BM_Save)->Apply(params);
BENCHMARK(BM_Load)->Apply(params);

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  try {
    work_dir();
    benchmark::RunSpecifiedBenchmarks();
  } catch (const std::exception& e) {
    std::cerr << "bench_checkpoint: " << e.what() << "\n";
    return 1;
  }
  benchmark::Shutdown();
  return 0;
}
