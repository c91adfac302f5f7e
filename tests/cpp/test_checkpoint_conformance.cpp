// The checkpoint contract every learner keeps (DESIGN.md, "Contracts every learner keeps";
// core/stateful.h), checked by one typed suite over every learner and the settings whose
// state differs most (optimizer memory, averaging, forgetting, sampler state, hashed
// features, k-means++ seeding, decay, the three windows of DBSCAN).
//
// A learner joins by adding one traits struct to AllLearners below:
//   using Model = ...;                                  // the Learner
//   static constexpr const char* kName = "...";         // for test names
//   static std::unique_ptr<Model> make();               // the settings under test
//   static Batch batch(std::int64_t i);                 // training batch i, the same every run
//   static Batch probe();                               // records to score, never trained on
//   static std::unique_ptr<Model> make_other();         // the target of loads: same type,
//                                                       // OTHER settings and learned state
//                                                       // (other_of<Model>() makes one)
//
// The oracle throughout is the learner itself: a state is compared with checkpoint_test::
// Snapshot, every dataset of its checkpoint read back raw through the HDF5 C API (so "equal"
// means bit for bit), and scores are compared byte for byte.
#include <gtest/gtest.h>

#include <tbb/global_control.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "algorithms/clustering/streaming_kmeans.h"
#include "algorithms/recommend/als.h"
#include "algorithms/churn/churn_model.h"
#include "algorithms/clustering/windowed_dbscan.h"
#include "algorithms/linear/logistic_regression_sgd.h"
#include "algorithms/optimize/allocation.h"
#include "algorithms/optimize/autoscale.h"
#include "checkpoint_test_util.h"
#include "core/checkpoint_file.h"
#include "core/error.h"
#include "dbscan_test_util.h"
#include "test_helpers.h"

namespace streamml {
namespace {

using checkpoint_test::first_difference;
using checkpoint_test::Snapshot;
using checkpoint_test::snapshot;
using checkpoint_test::snapshot_of_file;
using dbscan_test::Rng;
namespace fs = std::filesystem;

constexpr std::int64_t kTrained = 4;  // batches before the save
constexpr std::int64_t kMore = 4;     // batches after it

// ---------------------------------------------------------------------------------------------
// Data: deterministic functions of (batch index, row); nothing depends on the clock or threads.

double sigmoid(double m) { return 1.0 / (1.0 + std::exp(-m)); }

// n records of 4 dense features in [-1, 1], labels drawn from a hidden logistic model.
Batch logistic_batch(std::size_t n, std::uint64_t seed) {
  Rng rng(seed * 7919 + 1);
  const double w[4] = {1.5, -2.0, 0.5, 1.0};
  Batch b;
  b.rows = n;
  b.cols = 4;
  for (std::size_t r = 0; r < n; ++r) {
    double m = 0.3;
    for (int j = 0; j < 4; ++j) {
      const double v = 2 * rng.uniform() - 1;
      b.features.push_back(v);
      m += w[j] * v;
    }
    b.labels.push_back(rng.uniform() < sigmoid(m) ? 1.0 : 0.0);
  }
  return b;
}

// n records of 2 dense features and 3 to 8 hashed ones among 1024 buckets (Batch::sparse, CSR,
// as tests/cpp/test_logistic_regression_sgd.cpp builds them), labels from a hidden weight.
Batch hashed_batch(std::size_t n, std::uint64_t seed) {
  Rng rng(seed * 104729 + 3);
  Batch b;
  b.rows = n;
  b.cols = 2;
  b.sparse.cols = 1024;
  for (std::size_t r = 0; r < n; ++r) {
    double m = 0;
    for (int j = 0; j < 2; ++j) {
      const double v = 2 * rng.uniform() - 1;
      b.features.push_back(v);
      m += (j ? -1.0 : 1.0) * v;
    }
    std::vector<std::int32_t> idx;
    const int nnz = 3 + int(rng.next() % 6);
    for (int k = 0; k < nnz; ++k) {
      const auto bucket = std::int32_t(rng.next() % 1024);
      if (std::find(idx.begin(), idx.end(), bucket) == idx.end()) idx.push_back(bucket);
    }
    std::sort(idx.begin(), idx.end());
    for (auto i : idx) {
      const double v = rng.uniform() < 0.5 ? -1.0 : 1.0;
      b.sparse.indices.push_back(i);
      b.sparse.values.push_back(v);
      m += (i % 3 == 0 ? 0.8 : -0.3) * v;
    }
    b.sparse.indptr.push_back(std::int32_t(b.sparse.indices.size()));
    b.labels.push_back(rng.uniform() < sigmoid(m) ? 1.0 : 0.0);
  }
  return b;
}

// n points in d dimensions around 4 fixed centres in [-3, 3]^d (sd `spread`), 10 % uniform noise.
Batch blob_batch(std::size_t n, std::size_t d, double spread, std::uint64_t seed) {
  Rng centres(7);
  std::vector<double> c(4 * d);
  for (auto& v : c) v = 6 * centres.uniform() - 3;
  Rng rng(seed * 15485863 + 11);
  Batch b;
  b.rows = n;
  b.cols = d;
  for (std::size_t r = 0; r < n; ++r) {
    const bool noise = rng.uniform() < 0.1;
    const std::size_t k = std::size_t(rng.next() % 4);
    for (std::size_t j = 0; j < d; ++j)
      b.features.push_back(noise ? 6 * rng.uniform() - 3 : c[k * d + j] + spread * rng.normal());
  }
  return b;
}

// Event times for a time-window: batch i ends at 7 (i + 1) s (20 s later from batch 6 on, a
// gap that empties most of a 25 s window), its records spread over the second before.
void add_event_times(Batch& b, std::int64_t i) {
  const EventTime end = (7 * (i + 1) + (i >= 6 ? 20 : 0)) * kMicrosPerSecond;
  for (std::size_t r = 0; r < b.rows; ++r)
    b.event_times.push_back(end - kMicrosPerSecond + EventTime(r + 1) * kMicrosPerSecond / EventTime(b.rows));
}

Batch indexed(Batch b, std::int64_t i) {
  b.index = i;
  return b;
}

// A learner of the same type made with its default settings and trained on unrelated data
// (another dimension, another k, ...): what a load must replace entirely.
template <class Model>
std::unique_ptr<Model> other_of() {
  auto m = std::make_unique<Model>();
  m->partial_fit(testing::make_records(20));
  return m;
}

// ---------------------------------------------------------------------------------------------
// The learners.

struct LogregTraits {
  using Model = LogisticRegressionSGD;
  static std::unique_ptr<Model> make_other() { return other_of<Model>(); }
  static Batch batch(std::int64_t i) { return indexed(logistic_batch(600, std::uint64_t(i)), i); }
  static Batch probe() { return logistic_batch(50, 999'999); }
};

// Spark's mini-batch SGD sampling half the rows: the sampler's state (batches_seen) matters.
struct LogregSpark : LogregTraits {
  static constexpr const char* kName = "LogregSparkMiniBatch";
  static std::unique_ptr<Model> make() {
    LogisticRegressionSGDSettings s;
    s.mode = LogisticMode::Spark;
    s.fit_intercept = true;
    s.penalty = Penalty::L2;
    s.reg_param = 0.01;
    s.step_size = 1.0;
    s.num_iterations = 20;
    s.mini_batch_fraction = 0.4;
    s.convergence_tol = 0.0;
    s.seed = 7;
    return std::make_unique<Model>(s);
  }
};

// sklearn's SGD with elasticnet (cumulative L1 state), ASGD averaging and invscaling steps.
struct LogregAsgd : LogregTraits {
  static constexpr const char* kName = "LogregSgdElasticnetAsgdInvscaling";
  static std::unique_ptr<Model> make() {
    LogisticRegressionSGDSettings s;
    s.mode = LogisticMode::Online;
    s.optimizer = OnlineOptimizer::Sgd;
    s.fit_intercept = true;
    s.penalty = Penalty::ElasticNet;
    s.reg_param = 0.001;
    s.l1_ratio = 0.3;
    s.average = 50;
    s.learning_rate = LearningRate::InvScaling;
    s.step_size = 0.05;
    s.power_t = 0.5;
    return std::make_unique<Model>(s);
  }
};

struct LogregAdagrad : LogregTraits {
  static constexpr const char* kName = "LogregAdagrad";
  static std::unique_ptr<Model> make() {
    LogisticRegressionSGDSettings s;
    s.mode = LogisticMode::Online;
    s.optimizer = OnlineOptimizer::AdaGrad;
    s.fit_intercept = true;
    s.penalty = Penalty::L2;
    s.reg_param = 0.001;
    s.step_size = 0.1;
    return std::make_unique<Model>(s);
  }
};

struct LogregFtrl : LogregTraits {
  static constexpr const char* kName = "LogregFtrl";
  static std::unique_ptr<Model> make() {
    LogisticRegressionSGDSettings s;
    s.mode = LogisticMode::Online;
    s.optimizer = OnlineOptimizer::Ftrl;
    s.fit_intercept = true;
    s.reg_param = 0.0;
    s.ftrl_alpha = 0.3;
    s.ftrl_l1 = 0.1;
    s.ftrl_l2 = 0.01;
    return std::make_unique<Model>(s);
  }
};

// Online SGD that forgets (half-life 3 batches) on dense + hashed features.
struct LogregForgettingHashed : LogregTraits {
  static constexpr const char* kName = "LogregSgdHalfLifeHashed";
  static std::unique_ptr<Model> make() {
    LogisticRegressionSGDSettings s;
    s.mode = LogisticMode::Online;
    s.optimizer = OnlineOptimizer::Sgd;
    s.learning_rate = LearningRate::Optimal;
    s.penalty = Penalty::L2;
    s.reg_param = 0.001;
    s.half_life = 3;
    return std::make_unique<Model>(s);
  }
  static Batch batch(std::int64_t i) { return indexed(hashed_batch(600, std::uint64_t(i)), i); }
  static Batch probe() { return hashed_batch(50, 999'999); }
};

struct KMeansTraits {
  using Model = StreamingKMeans;
  static std::unique_ptr<Model> make_other() { return other_of<Model>(); }
  static Batch batch(std::int64_t i) { return indexed(blob_batch(600, 3, 0.4, std::uint64_t(i)), i); }
  static Batch probe() { return blob_batch(50, 3, 0.4, 999'999); }
};

struct KMeansPlusPlus : KMeansTraits {
  static constexpr const char* kName = "KMeansPlusPlus";
  static std::unique_ptr<Model> make() {
    StreamingKMeansSettings s;
    s.k = 4;
    s.init = KMeansInit::KMeansPlusPlus;
    s.seed = 5;
    return std::make_unique<Model>(s);
  }
};

// Random N(0, 1) centres from the start (so even the unfitted state has centres), and decay.
struct KMeansDecay : KMeansTraits {
  static constexpr const char* kName = "KMeansRandomDecay";
  static std::unique_ptr<Model> make() {
    StreamingKMeansSettings s;
    s.k = 4;
    s.init = KMeansInit::Random;
    s.dimension = 3;
    s.decay_factor = 0.7;
    s.seed = 9;
    return std::make_unique<Model>(s);
  }
};

struct DBSCANTraits {
  using Model = WindowedDBSCAN;
  static std::unique_ptr<Model> make_other() { return other_of<Model>(); }
  static Batch batch(std::int64_t i) { return indexed(blob_batch(300, 2, 0.5, std::uint64_t(i)), i); }
  static Batch probe() { return blob_batch(50, 2, 0.5, 999'999); }
};

struct DBSCANGrid2D : DBSCANTraits {
  static constexpr const char* kName = "DBSCANGrid2DWindowBatches";
  static std::unique_ptr<Model> make() {
    WindowedDBSCANSettings s;
    s.eps = 0.25;
    s.min_samples = 5;
    s.algorithm = NeighborAlgorithm::Grid;
    s.window_batches = 4;
    return std::make_unique<Model>(s);
  }
};

struct DBSCANKdTree3D : DBSCANTraits {
  static constexpr const char* kName = "DBSCANKdTree3D";
  static std::unique_ptr<Model> make() {
    WindowedDBSCANSettings s;
    s.eps = 0.4;
    s.min_samples = 5;
    s.algorithm = NeighborAlgorithm::KdTree;
    s.window_batches = 3;
    return std::make_unique<Model>(s);
  }
  static Batch batch(std::int64_t i) { return indexed(blob_batch(300, 3, 0.5, std::uint64_t(i)), i); }
  static Batch probe() { return blob_batch(50, 3, 0.5, 999'999); }
};

struct DBSCANSeconds : DBSCANTraits {
  static constexpr const char* kName = "DBSCANWindowSeconds";
  static std::unique_ptr<Model> make() {
    WindowedDBSCANSettings s;
    s.eps = 0.25;
    s.min_samples = 5;
    s.window_seconds = 25;
    return std::make_unique<Model>(s);
  }
  static Batch batch(std::int64_t i) {
    Batch b = DBSCANTraits::batch(i);
    add_event_times(b, i);
    return b;
  }
};

// n (user, item, rating) events among 80 users and 60 items, skewed toward the first ones, with
// event times 10 s apart per batch (string ids when `text`).
Batch interaction_batch(std::size_t n, std::uint64_t seed, bool text, std::int64_t i) {
  Rng rng(seed * 2654435761ULL + 5);
  Batch b;
  b.rows = n;
  std::vector<std::int64_t> users, items;
  for (std::size_t r = 0; r < n; ++r) {
    const double a = rng.uniform(), c = rng.uniform();
    users.push_back(std::int64_t(a * a * 80));
    items.push_back(std::int64_t(c * c * 60));
    b.labels.push_back(double(1 + rng.next() % 5));
    b.event_times.push_back((10 * i) * kMicrosPerSecond + EventTime(r) * 1000);
  }
  if (text) {
    std::vector<std::string> u, it;
    for (auto x : users) u.push_back("u" + std::to_string(x));
    for (auto x : items) it.push_back("i" + std::to_string(x));
    b.keys = u;
    b.ids.push_back({"item", it});
  } else {
    b.keys = users;
    b.ids.push_back({"item", items});
  }
  return b;
}

struct AlsTraits {
  using Model = AlternatingLeastSquares;
  static std::unique_ptr<Model> make_other() {
    AlsSettings s;
    s.rank = 2;
    s.implicit_prefs = true;
    auto m = std::make_unique<Model>(s);
    m->partial_fit(interaction_batch(50, 4242, false, 0));
    return m;
  }
};

// Ratings, Cholesky, a per-user cap and a sweep every 3 batches; string ids.
struct AlsExplicitCapped : AlsTraits {
  static constexpr const char* kName = "AlsExplicitCholeskyCapped";
  static std::unique_ptr<Model> make() {
    AlsSettings s;
    s.rank = 3;
    s.max_per_user = 6;
    s.sweep_interval = 3;
    s.seed = 3;
    return std::make_unique<Model>(s);
  }
  static Batch batch(std::int64_t i) { return indexed(interaction_batch(300, std::uint64_t(i), true, i), i); }
  static Batch probe() { return interaction_batch(50, 999'999, true, 0); }
};

// Implicit counts, conjugate gradient, a horizon and decay in event time, a sweep every 2 batches.
struct AlsImplicitCgDecay : AlsTraits {
  static constexpr const char* kName = "AlsImplicitCgHorizonDecay";
  static std::unique_ptr<Model> make() {
    AlsSettings s;
    s.rank = 4;
    s.implicit_prefs = true;
    s.solver = AlsSolver::ConjugateGradient;
    s.horizon = 35;
    s.half_life = 20;
    s.sweep_interval = 2;
    s.alpha = 2.0;
    return std::make_unique<Model>(s);
  }
  static Batch batch(std::int64_t i) { return indexed(interaction_batch(300, std::uint64_t(i), false, i), i); }
  static Batch probe() { return interaction_batch(50, 999'999, false, 0); }
};

// A monitoring window per batch: one record per service (integer keys), its request or arrival
// rate and its true processing rate per instance, on a daily-like cycle with noise.
Batch monitoring_batch(std::int64_t services, std::uint64_t seed, std::int64_t i) {
  Rng rng(seed * 6364136223846793005ULL + 17);
  Batch b;
  b.rows = std::size_t(services);
  b.cols = 2;
  std::vector<std::int64_t> keys;
  for (std::int64_t j = 0; j < services; ++j) {
    keys.push_back(j);
    b.features.push_back(40.0 + 10.0 * double(j) + 15.0 * std::sin(0.7 * double(i) + double(j)) + 5.0 * rng.uniform());
    b.features.push_back(8.0 + double(j % 3) + rng.uniform());
  }
  b.keys = keys;
  return b;
}

// A decision learner of other settings that has decided once (what a load must replace).
template <class Model>
std::unique_ptr<Model> decided_other(typename Model::Settings s, std::int64_t services) {
  auto m = std::make_unique<Model>(std::move(s));
  m->partial_fit(monitoring_batch(services, 4242, 0));
  return m;
}

// Allocation of 6 services on 3 servers, Holt forecasts, re-solved warm by dual simplex.
struct AllocationHolt {
  using Model = Allocator;
  static constexpr const char* kName = "AllocationHoltWarmLp";
  static AllocationSettings settings() {
    AllocationSettings s;
    s.capacity = {150, 120, 130};
    s.services = 6;
    for (int i = 0; i < 3; ++i)
      for (int j = 0; j < 6; ++j) s.cost.push_back(1.0 + double((i * 7 + j * 3) % 5));
    s.move_cost = 0.2;
    s.headroom = 0.1;
    return s;
  }
  static std::unique_ptr<Model> make() { return std::make_unique<Model>(settings()); }
  static std::unique_ptr<Model> make_other() {
    AllocationSettings s;
    s.capacity = {5};
    s.cost = {1, 1};
    s.services = 2;
    return decided_other<Model>(s, 2);
  }
  static Batch batch(std::int64_t i) { return indexed(monitoring_batch(6, std::uint64_t(i), i), i); }
  static Batch probe() { return monitoring_batch(6, 999'999, 0); }
};

// Auto-scaling of 5 services under a budget (the CBC path) with a 3-batch stabilisation window.
struct AutoscaleBudgetMip {
  using Model = Autoscaler;
  static constexpr const char* kName = "AutoscaleBudgetMip";
  static std::unique_ptr<Model> make() {
    AutoscaleSettings s;
    s.services = 5;
    s.budget = 40;
    s.instance_cost = {1, 2, 1, 1.5, 1};
    s.stabilization_window = 3;
    s.mip_rel_gap = 0;
    return std::make_unique<Model>(s);
  }
  static std::unique_ptr<Model> make_other() {
    AutoscaleSettings s;
    s.services = 2;
    return decided_other<Model>(s, 2);
  }
  static Batch batch(std::int64_t i) { return indexed(monitoring_batch(5, std::uint64_t(i), i), i); }
  static Batch probe() { return monitoring_batch(5, 999'999, 0); }
};

// Purchases of day i: 60 records of 40 customers over 5 categories, in time order.
Batch purchases_batch(std::int64_t i, std::uint64_t seed) {
  Rng rng(seed * 6364136223846793005ULL + 29);
  Batch b;
  b.rows = 60;
  b.cols = 1;
  std::vector<std::string> customers, categories;
  for (std::int64_t k = 0; k < 60; ++k) {
    customers.push_back("c" + std::to_string(std::int64_t(rng.uniform() * 40)));
    categories.push_back("k" + std::to_string(std::int64_t(rng.uniform() * 5)));
    b.features.push_back(10.0 + 90.0 * rng.uniform());
    b.event_times.push_back((20454 + i) * 86400 * kMicrosPerSecond + k * 1000 * kMicrosPerSecond);
  }
  b.keys = customers;
  b.ids.push_back({"item", categories});
  return b;
}

// Churn with labels maturing after 3 days (so a few batches train the model), taste factors
// of rank 2 swept every 2 batches.
struct ChurnDelayedLabels {
  using Model = ChurnModel;
  static constexpr const char* kName = "ChurnDelayedLabels";
  static std::unique_ptr<Model> make() {
    ChurnModelSettings s;
    s.horizon = 3;
    s.silence = 2;
    s.idle_timeout = 4;
    s.short_half_life = 1;
    s.long_half_life = 3;
    s.taste_rank = 2;
    s.taste_sweep_interval = 2;
    return std::make_unique<Model>(s);
  }
  static std::unique_ptr<Model> make_other() {
    ChurnModelSettings s;
    s.taste_rank = 0;
    auto m = std::make_unique<Model>(s);
    m->partial_fit(purchases_batch(0, 4242));
    return m;
  }
  static Batch batch(std::int64_t i) { return indexed(purchases_batch(i, std::uint64_t(i)), i); }
  static Batch probe() { return purchases_batch(0, 999'999); }
};

// ---------------------------------------------------------------------------------------------
// Tools.

// Scores compared as bytes (bit for bit): -0.0 vs 0.0, or NaNs of other payloads, differ.
void expect_same_scores(const Eigen::VectorXd& a, const Eigen::VectorXd& b, const std::string& what) {
  ASSERT_EQ(a.size(), b.size()) << what;
  for (Eigen::Index i = 0; i < a.size(); ++i)
    ASSERT_EQ(std::memcmp(&a[i], &b[i], sizeof(double)), 0)
        << what << ": score " << i << " is " << a[i] << " vs " << b[i];
}

// The scores, or the error a learner gives instead (an unfitted k-means has no centres).
std::string score_text(const Learner& m, const Batch& b) {
  try {
    const Eigen::VectorXd s = m.score(b);
    return std::string(reinterpret_cast<const char*>(s.data()), std::size_t(s.size()) * sizeof(double));
  } catch (const Error& e) {
    return std::string("error: ") + e.what();
  }
}

// A cheap stand-in for the whole state, checked after every failed load in the loops below
// (the whole state is compared once at their end): the settings and the probe's scores.
std::string fingerprint(const Learner& m, const Batch& probe) { return m.params_json() + "\n" + score_text(m, probe); }

void expect_same_state(const Stateful& a, const Stateful& b, const std::string& what) {
  const Snapshot sa = snapshot(a), sb = snapshot(b);
  EXPECT_TRUE(sa == sb) << what << ": " << first_difference(sa, sb);
}

template <class Model>
void train(Model& m, std::int64_t from, std::int64_t to, Batch (*batch)(std::int64_t)) {
  for (std::int64_t i = from; i < to; ++i) m.partial_fit(batch(i));
}

// One directory per test ("CheckpointConformance_LogregFtrl.SaveLoad...").
fs::path test_dir() {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  std::string name = std::string(info->test_suite_name()) + "." + info->name();
  for (char& c : name)
    if (c == '/') c = '_';
  return testing::temp_dir(name);
}

template <class T>
class CheckpointConformance : public ::testing::Test {};

using AllLearners = ::testing::Types<LogregSpark, LogregAsgd, LogregAdagrad, LogregFtrl, LogregForgettingHashed,
                                     KMeansPlusPlus, KMeansDecay, DBSCANGrid2D, DBSCANKdTree3D, DBSCANSeconds,
                                     AlsExplicitCapped, AlsImplicitCgDecay, AllocationHolt, AutoscaleBudgetMip, ChurnDelayedLabels>;

struct TraitsName {
  template <class T>
  static std::string GetName(int) {
    return T::kName;
  }
};

TYPED_TEST_SUITE(CheckpointConformance, AllLearners, TraitsName);

// ---------------------------------------------------------------------------------------------
// The properties.

// Oracle: the saved learner itself. A learner made with other settings and trained on other
// data, loaded from the file, has the saved settings (params_json equal), the saved state
// (every dataset equal) and scores a probe it never saw identically, bit for bit.
TYPED_TEST(CheckpointConformance, SaveThenLoadPredictsIdentically) {
  using T = TypeParam;
  auto saved = T::make();
  train(*saved, 0, kTrained, &T::batch);
  const fs::path file = test_dir() / "model.h5";
  write_checkpoint_file(file.string(), *saved, {});

  auto loaded = T::make_other();
  ASSERT_NE(loaded->params_json(), saved->params_json()) << "the target must start with other settings";
  const CheckpointInfo info = load_checkpoint_file(file.string(), *loaded);
  EXPECT_EQ(info.learner_type, saved->type());
  EXPECT_EQ(info.params, saved->params_json());
  EXPECT_EQ(loaded->params_json(), saved->params_json());
  expect_same_state(*loaded, *saved, "after load");
  expect_same_scores(loaded->score(T::probe()), saved->score(T::probe()), "probe");
}

// Oracle: an uninterrupted run. Save after kTrained batches, load into another learner, train
// both kMore batches: the two final checkpoints hold the same datasets bit for bit (optimizer
// memory, counters and random state included) and score the probe identically.
TYPED_TEST(CheckpointConformance, SaveLoadThenTrainEqualsTrainingWithoutTheSave) {
  using T = TypeParam;
  const fs::path dir = test_dir();
  auto uninterrupted = T::make();
  train(*uninterrupted, 0, kTrained, &T::batch);
  write_checkpoint_file((dir / "saved.h5").string(), *uninterrupted, {});
  auto resumed = T::make_other();
  load_checkpoint_file((dir / "saved.h5").string(), *resumed);

  train(*uninterrupted, kTrained, kTrained + kMore, &T::batch);
  train(*resumed, kTrained, kTrained + kMore, &T::batch);
  write_checkpoint_file((dir / "uninterrupted.h5").string(), *uninterrupted, {});
  write_checkpoint_file((dir / "resumed.h5").string(), *resumed, {});
  const Snapshot a = snapshot_of_file((dir / "uninterrupted.h5").string());
  const Snapshot b = snapshot_of_file((dir / "resumed.h5").string());
  EXPECT_FALSE(a.datasets.empty());
  EXPECT_TRUE(a == b) << first_difference(a, b);
  expect_same_scores(resumed->score(T::probe()), uninterrupted->score(T::probe()), "probe");
  // The state did move on after the save (or the comparison above would prove nothing).
  EXPECT_TRUE(snapshot_of_file((dir / "saved.h5").string()) != a);
}

// Oracle: a fresh learner. The state before any training saves and loads too, and training
// the loaded learner equals training a fresh one.
TYPED_TEST(CheckpointConformance, UnfittedStateRoundTrips) {
  using T = TypeParam;
  const fs::path file = test_dir() / "unfitted.h5";
  auto fresh = T::make();
  write_checkpoint_file(file.string(), *fresh, {});
  auto loaded = T::make_other();
  load_checkpoint_file(file.string(), *loaded);
  EXPECT_EQ(loaded->params_json(), fresh->params_json());
  expect_same_state(*loaded, *fresh, "unfitted, after load");
  EXPECT_EQ(score_text(*loaded, T::probe()), score_text(*fresh, T::probe()));

  train(*fresh, 0, kMore, &T::batch);
  train(*loaded, 0, kMore, &T::batch);
  expect_same_state(*loaded, *fresh, "unfitted, loaded, then trained");
  expect_same_scores(loaded->score(T::probe()), fresh->score(T::probe()), "probe");
}

// Loading T's checkpoint into a learner of another type U fails with the wrong-type message
// naming the file, and leaves the U learner as it was (state and probe scores).
template <class T, class U>
void expect_wrong_type_rejected(const fs::path& file, const std::vector<char>& bytes) {
  auto saved = T::make();
  auto target = U::make();
  if (saved->type() == target->type()) return;
  train(*target, 0, 2, &U::batch);
  const Snapshot before = snapshot(*target);
  const Eigen::VectorXd scores = target->score(U::probe());
  const std::string expected = "holds a '" + saved->type() + "' model, not a '" + target->type() + "'";

  const std::string from_file = testing::error_of([&] { load_checkpoint_file(file.string(), *target); });
  EXPECT_NE(from_file.find(expected), std::string::npos) << from_file;
  EXPECT_NE(from_file.find(file.string()), std::string::npos) << from_file;
  const std::string from_bytes =
      testing::error_of([&] { load_checkpoint_bytes(bytes.data(), bytes.size(), *target, "pickled-model"); });
  EXPECT_NE(from_bytes.find(expected), std::string::npos) << from_bytes;
  EXPECT_NE(from_bytes.find("pickled-model"), std::string::npos) << from_bytes;

  const Snapshot after = snapshot(*target);
  EXPECT_TRUE(before == after) << first_difference(before, after);
  expect_same_scores(target->score(U::probe()), scores, "target after the failed load");
}

TYPED_TEST(CheckpointConformance, LoadingIntoAnotherLearnerTypeFailsAndChangesNothing) {
  using T = TypeParam;
  auto saved = T::make();
  train(*saved, 0, 2, &T::batch);
  const fs::path file = test_dir() / "model.h5";
  write_checkpoint_file(file.string(), *saved, {});
  const std::vector<char> bytes = checkpoint_bytes(*saved);
  expect_wrong_type_rejected<T, LogregFtrl>(file, bytes);
  expect_wrong_type_rejected<T, KMeansPlusPlus>(file, bytes);
  expect_wrong_type_rejected<T, DBSCANGrid2D>(file, bytes);
}

// A load that fails halfway, after some datasets were read: every dataset in turn is replaced
// (through the HDF5 C API) by one of the same element type and another shape — a vector or
// matrix one row longer, a scalar made a 2-vector. Oracle: the file as it should be. Each
// doctored file is rejected with an Error naming the file, and the target, a learner of the
// same type and settings holding its own state, keeps that state and its scores exactly.
TYPED_TEST(CheckpointConformance, LoadFailingHalfwayLeavesTheTargetUnchanged) {
  using T = TypeParam;
  const fs::path dir = test_dir();
  auto saved = T::make();
  train(*saved, 0, kTrained, &T::batch);
  const fs::path good = dir / "good.h5";
  write_checkpoint_file(good.string(), *saved, {});
  const CheckpointInfo info = describe_checkpoint_file(good.string());

  auto target = T::make();
  train(*target, 100, 102, &T::batch);
  const Snapshot before = snapshot(*target);
  const Eigen::VectorXd scores = target->score(T::probe());
  const std::string fingerprint_before = fingerprint(*target, T::probe());

  std::size_t rejected = 0;
  for (const auto& d : info.datasets) {
    const fs::path bad = dir / "doctored.h5";
    fs::copy_file(good, bad, fs::copy_options::overwrite_existing);
    std::vector<hsize_t> shape(d.shape.begin(), d.shape.end());
    if (shape.empty()) shape = {2};
    else shape[0] += 1;
    checkpoint_test::doctor(bad, [&](hid_t root) { checkpoint_test::replace_dataset(root, d.path, shape); });
    const std::string message = checkpoint_test::any_error_of([&] { load_checkpoint_file(bad.string(), *target); });
    EXPECT_NE(message.find(bad.string()), std::string::npos) << d.path << " made longer: " << message;
    rejected += message != "(no error)";
    ASSERT_EQ(fingerprint(*target, T::probe()), fingerprint_before) << d.path << " made longer: the target changed";
  }
  EXPECT_EQ(rejected, info.datasets.size());
  const Snapshot after = snapshot(*target);
  EXPECT_TRUE(before == after) << first_difference(before, after);
  expect_same_scores(target->score(T::probe()), scores, "target after the failed loads");
  // And the good file still loads (the failures above were the doctoring's).
  load_checkpoint_file(good.string(), *target);
  expect_same_state(*target, *saved, "good file");
}

// A hostile file: right types and shapes, wrong values (what a checksum cannot catch). Every
// number of every dataset in turn is set to each of a few extreme values (int64: -1, 0 and
// 2^40; float64: NaN). Oracle: memory safety and the load contract. Each load either
// throws an Error naming the file and leaves the target exactly as it was, or succeeds, and
// then the learner scores and trains on without crashing (an Error is allowed; whether the
// values were sensible is not judged). This found WindowedDBSCAN accepting `window/first_links`
// of 2^40 and `window/neighbors` or `window/neighbors_gone` of 0 (neighbours outside the window
// taken for live ones), then crashing on the next batch.
TYPED_TEST(CheckpointConformance, DoctoredValuesAreRejectedOrSafe) {
  using T = TypeParam;
  const fs::path dir = test_dir();
  auto saved = T::make();
  train(*saved, 0, kTrained, &T::batch);
  const fs::path good = dir / "good.h5";
  write_checkpoint_file(good.string(), *saved, {});
  const CheckpointInfo info = describe_checkpoint_file(good.string());

  // The target: a learner of the same settings holding its own state; made again after a
  // doctored file loaded into it.
  auto make_target = [] {
    auto m = T::make();
    train(*m, 100, 101, &T::batch);
    return m;
  };
  auto target = make_target();
  const std::string fingerprint_before = fingerprint(*target, T::probe());
  auto as_bytes = [](auto v) {
    std::vector<char> b(sizeof v);
    std::memcpy(b.data(), &v, sizeof v);
    return b;
  };
  const std::vector<std::vector<char>> int_fills = {as_bytes(std::int64_t(-1)), as_bytes(std::int64_t(0)),
                                                    as_bytes(std::int64_t(1) << 40)};
  const std::vector<std::vector<char>> float_fills = {as_bytes(std::nan(""))};
  const fs::path bad = dir / "doctored.h5";
  std::size_t rejected = 0, accepted = 0;
  for (const auto& d : info.datasets) {
    const bool empty = !d.shape.empty() && d.shape[0] == 0;  // no value to change
    const auto& fills = empty ? std::vector<std::vector<char>>{}
                              : d.type == "int64" ? int_fills : d.type == "float64" ? float_fills : std::vector<std::vector<char>>{};
    for (const auto& fill : fills) {
      fs::copy_file(good, bad, fs::copy_options::overwrite_existing);
      const std::vector<hsize_t> shape(d.shape.begin(), d.shape.end());
      checkpoint_test::doctor(bad, [&](hid_t root) { checkpoint_test::replace_dataset(root, d.path, shape, fill); });
      const std::string message = checkpoint_test::any_error_of([&] { load_checkpoint_file(bad.string(), *target); });
      if (message != "(no error)") {
        ++rejected;
        EXPECT_NE(message.find(bad.string()), std::string::npos) << d.path << ": " << message;
        ASSERT_EQ(fingerprint(*target, T::probe()), fingerprint_before) << d.path << ": the target changed";
        continue;
      }
      ++accepted;
      checkpoint_test::any_error_of([&] {
        target->score(T::probe());
        train(*target, kTrained, kTrained + 1, &T::batch);
        target->score(T::probe());
      });
      target = make_target();
    }
  }
  EXPECT_GT(rejected, 0u);
  const Snapshot before = snapshot(*make_target()), after = snapshot(*target);
  EXPECT_TRUE(before == after) << first_difference(before, after);
  std::cout << "[ doctored ] " << T::kName << ": " << rejected << " rejected, " << accepted
            << " accepted and safe to train on\n";
}

// The pickle path: checkpoint_bytes / load_checkpoint_bytes (an in-memory HDF5 image) keep the
// same contract as files. Oracles as above; a truncated image is rejected naming it.
TYPED_TEST(CheckpointConformance, BytesRoundTripPredictsAndResumesIdentically) {
  using T = TypeParam;
  auto uninterrupted = T::make();
  train(*uninterrupted, 0, kTrained, &T::batch);
  const std::vector<char> bytes = checkpoint_bytes(*uninterrupted);

  auto resumed = T::make_other();
  const CheckpointInfo info = load_checkpoint_bytes(bytes.data(), bytes.size(), *resumed);
  EXPECT_EQ(info.learner_type, uninterrupted->type());
  EXPECT_EQ(resumed->params_json(), uninterrupted->params_json());
  expect_same_scores(resumed->score(T::probe()), uninterrupted->score(T::probe()), "probe after load");

  train(*uninterrupted, kTrained, kTrained + kMore, &T::batch);
  train(*resumed, kTrained, kTrained + kMore, &T::batch);
  expect_same_state(*resumed, *uninterrupted, "bytes, resumed vs uninterrupted");
  expect_same_scores(resumed->score(T::probe()), uninterrupted->score(T::probe()), "probe after training");

  // A truncated image: an error naming it; the learner unchanged.
  const Snapshot before = snapshot(*resumed);
  for (std::size_t size : {std::size_t(0), std::size_t(7), bytes.size() / 2, bytes.size() - 1}) {
    const std::string message = checkpoint_test::any_error_of(
        [&] { load_checkpoint_bytes(bytes.data(), size, *resumed, "pickled-model"); });
    EXPECT_NE(message.find("pickled-model"), std::string::npos) << size << " bytes: " << message;
  }
  expect_same_state(*resumed, *uninterrupted, "after truncated images");
  EXPECT_TRUE(before == snapshot(*resumed));
}

// Oracle: the single-threaded run. The same stream learned with 1 and with 2 threads gives
// bit-identical checkpoints (batches of 600 rows are 3 blocks of the parallel helpers).
TYPED_TEST(CheckpointConformance, OneAndTwoThreadsGiveIdenticalCheckpoints) {
  using T = TypeParam;
  std::vector<Snapshot> states;
  std::vector<Eigen::VectorXd> scores;
  for (std::size_t threads : {1, 2}) {
    tbb::global_control limit(tbb::global_control::max_allowed_parallelism, threads);
    auto m = T::make();
    train(*m, 0, kTrained + kMore, &T::batch);
    states.push_back(snapshot(*m));
    scores.push_back(m->score(T::probe()));
  }
  EXPECT_TRUE(states[0] == states[1]) << first_difference(states[0], states[1]);
  expect_same_scores(scores[0], scores[1], "1 vs 2 threads");
}

}  // namespace
}  // namespace streamml

