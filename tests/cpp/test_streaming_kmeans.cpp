// StreamingKMeans against its references: Spark MLlib's StreamingKMeansSuite and PySpark's
// StreamingKMeansTest (the same set-ups and assertions, on data drawn here), hand-worked updates,
// scikit-learn 1.2.1 (kmeans_plusplus's choices, KMeans's inertia), NumPy 1.24's legacy
// RandomState, a brute-force recomputation, and the properties every learner keeps (thread-count
// invariance, same stream => same model, bad input is named).
//
// The scikit-learn / NumPy figures were computed with /usr/bin/python3 (scikit-learn 1.2.1,
// NumPy 1.24.2) on the `blobs` data below, which Python rebuilds bit for bit with integer
// arithmetic:
//   M = 2**64 - 1
//   def splitmix(x):
//       x = (x + 0x9e3779b97f4a7c15) & M; z = x
//       z = ((z ^ (z >> 30)) * 0xbf58476d1ce4e5b9) & M
//       z = ((z ^ (z >> 27)) * 0x94d049bb133111eb) & M
//       return z ^ (z >> 31)
//   def u(i): return (splitmix(i) >> 11) * 2.0**-53
//   def blobs(n, d, k, spacing):
//       X = np.empty((n, d))
//       for i in range(n):
//           c = i % k
//           for j in range(d):
//               a = 3 * (i * d + j)
//               X[i, j] = (spacing * ((c >> j) & 1) + spacing * 0.5 * (c % 3) * (j == 0)
//                          + (u(a) + u(a + 1) + u(a + 2) - 1.5))
//       return X
//   X = blobs(2000, 3, 6, 3.0)        # X.sum() == 9986.148777970153
#include <gtest/gtest.h>

#include <tbb/global_control.h>

#include <cmath>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "algorithms/clustering/streaming_kmeans.h"
#include "core/error.h"
#include "core/json.h"
#include "test_helpers.h"

namespace streamml {
namespace {

using Settings = StreamingKMeansSettings;

std::uint64_t splitmix(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  std::uint64_t z = x;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}
double uniform(std::uint64_t i) { return double(splitmix(i) >> 11) * 0x1.0p-53; }

RowMatrix blobs(std::size_t n, std::size_t d, std::size_t k, double spacing) {
  RowMatrix x{Eigen::Index(n), Eigen::Index(d)};
  for (std::size_t i = 0; i < n; ++i) {
    const std::size_t c = i % k;
    for (std::size_t j = 0; j < d; ++j) {
      const std::uint64_t a = 3 * (i * d + j);
      x(Eigen::Index(i), Eigen::Index(j)) = spacing * double((c >> j) & 1) + spacing * 0.5 * double(c % 3) * double(j == 0) +
                                            (uniform(a) + uniform(a + 1) + uniform(a + 2) - 1.5);
    }
  }
  return x;
}

// N(0, 1) draws for the Spark-style data generator (Box-Muller on the counter-based uniforms).
class Gaussian {
 public:
  explicit Gaussian(std::uint64_t seed) : next_(seed << 32) {}
  double operator()() {
    const double u1 = 1.0 - uniform(next_++), u2 = uniform(next_++);
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * M_PI * u2);
  }

 private:
  std::uint64_t next_;
};

// Spark's StreamingKMeansSuite.StreamingKMeansDataGenerator(numPoints, numBatches, k, d, r,
// seed, initCenters): k true centres ~ N(0, 1) (unless given), point idx of every batch is
// centre (idx % k) + r N(0, 1). Spark draws with XORShiftRandom(seed); these draws are ours.
struct SparkData {
  std::vector<std::vector<double>> centers;
  std::vector<RowMatrix> batches;
};
SparkData spark_data(int points, int batches, int k, int d, double r, std::uint64_t seed,
                     std::vector<std::vector<double>> centers = {}) {
  Gaussian g(seed);
  SparkData out;
  if (centers.empty()) {
    centers.assign(std::size_t(k), std::vector<double>(std::size_t(d)));
    for (auto& c : centers)
      for (auto& v : c) v = g();
  }
  out.centers = centers;
  for (int b = 0; b < batches; ++b) {
    RowMatrix x(points, d);
    for (int i = 0; i < points; ++i)
      for (int j = 0; j < d; ++j) x(i, j) = centers[std::size_t(i % k)][std::size_t(j)] + g() * r;
    out.batches.push_back(std::move(x));
  }
  return out;
}

Settings given(std::vector<double> centers, std::vector<double> weights) {
  Settings s;
  s.k = std::int64_t(weights.size());
  s.init = KMeansInit::Given;
  s.initial_centers = std::move(centers);
  s.initial_weights = std::move(weights);
  return s;
}

Batch make_batch(const RowMatrix& x) {
  Batch b;
  b.rows = std::size_t(x.rows());
  b.cols = std::size_t(x.cols());
  b.features.assign(x.data(), x.data() + x.size());
  return b;
}

RowMatrix column(std::vector<double> v) {
  return Eigen::Map<RowMatrix>(v.data(), Eigen::Index(v.size()), 1);
}

using testing::error_of;

// ---------------------------------------------------------------------------------------------
// Spark's StreamingKMeansSuite

// Oracle: Spark "accuracy for single center and equivalence to grand average": k = 1, decay
// 1.0, initial centre 0 in 5-D with weight 0, 10 batches of 50 points (r = 0.1, seed 42); the
// centre equals the grand mean of all 500 points to 1e-5 (and lies within 0.1 of the true one).
TEST(StreamingKMeans, SparkSingleCenterEqualsGrandMean) {
  StreamingKMeans m(given({0, 0, 0, 0, 0}, {0.0}));
  const auto data = spark_data(50, 10, 1, 5, 0.1, 42);
  Eigen::RowVectorXd total = Eigen::RowVectorXd::Zero(5);
  for (const auto& b : data.batches) {
    m.partial_fit(b);
    total += b.colwise().sum();
  }
  const Eigen::RowVectorXd grand_mean = total / 500.0;
  for (int j = 0; j < 5; ++j) {
    EXPECT_NEAR(m.cluster_centers()(0, j), grand_mean[j], 1e-5);
    EXPECT_NEAR(m.cluster_centers()(0, j), data.centers[0][std::size_t(j)], 1e-1);
  }
  EXPECT_EQ(m.cluster_weights()[0], 500.0);  // decay 1: the weight counts the points
}

// Oracle: Spark "accuracy for two centers": k = 2, setHalfLife(2, "batches"), initial centres
// (-0.1, 0.1, -0.2, -0.3, -0.1) and (0.1, -0.2, 0.0, 0.2, 0.1) with weights 5, 5, 10 batches of
// 5 points around two true centres (r = 0.1, seed 42); each estimated centre is within 0.1 (per
// coordinate) of its closest true centre.
TEST(StreamingKMeans, SparkHalfLifeTwoCenters) {
  Settings s = given({-0.1, 0.1, -0.2, -0.3, -0.1, 0.1, -0.2, 0.0, 0.2, 0.1}, {5.0, 5.0});
  s.half_life = 2;
  s.time_unit = TimeUnit::Batches;
  StreamingKMeans m(s);
  EXPECT_DOUBLE_EQ(s.effective_decay(), std::exp(std::log(0.5) / 2.0));  // Spark's setHalfLife
  const auto data = spark_data(5, 10, 2, 5, 0.1, 42);
  for (const auto& b : data.batches) m.partial_fit(b);
  auto sqdist = [&](int c, int t) {
    double s2 = 0;
    for (int j = 0; j < 5; ++j) s2 += std::pow(m.cluster_centers()(c, j) - data.centers[std::size_t(t)][std::size_t(j)], 2);
    return s2;
  };
  const int t0 = sqdist(0, 0) < sqdist(0, 1) ? 0 : 1;
  for (int j = 0; j < 5; ++j) {
    EXPECT_NEAR(m.cluster_centers()(0, j), data.centers[std::size_t(t0)][std::size_t(j)], 0.1);
    EXPECT_NEAR(m.cluster_centers()(1, j), data.centers[std::size_t(1 - t0)][std::size_t(j)], 0.1);
  }
}

// Oracle: Spark "detecting dying clusters": k = 2, setHalfLife(0.5, "points"), initial centres
// 0 and 1000 with weights 1, 1, 10 batches of 5 points ~ N(0, 1) around 0. The far cluster
// dies, the largest is split, and the two final centres have opposite signs, each |c| within
// 0.6 of 0.8 (the mean of a half-normal).
TEST(StreamingKMeans, SparkDyingClusterIsSplit) {
  Settings s = given({0.0, 1000.0}, {1.0, 1.0});
  s.half_life = 0.5;
  s.time_unit = TimeUnit::Points;
  StreamingKMeans m(s);
  const auto data = spark_data(5, 10, 1, 1, 1.0, 42, {{0.0}});
  for (const auto& b : data.batches) m.partial_fit(b);
  const double c0 = m.cluster_centers()(0, 0), c1 = m.cluster_centers()(1, 0);
  EXPECT_LT(c0 * c1, 0.0) << c0 << " " << c1;
  EXPECT_NEAR(std::abs(c0), 0.8, 0.6);
  EXPECT_NEAR(std::abs(c1), 0.8, 0.6);
  EXPECT_GE(m.state().splits, 1);
}

// Oracle: the split rule as Spark's code writes it (not its doc): k = 3, decay 1, centres 0, 10,
// 20 with weights 0; batch {9, 11, 19, 21}: cluster 1 gets mean 10, weight 2; cluster 2 mean 20,
// weight 2; cluster 0 keeps weight 0 < 1e-8 * 2, so it is dying. The largest is the FIRST
// maximum (index 1, maxBy), the smallest the first minimum (index 0): both get (2 + 0) / 2 = 1,
// c1 = 10 + p, c0 = 10 - p with p = 1e-14 * max(|10|, 1) = 1e-13.
TEST(StreamingKMeans, DyingClusterSplitFollowsSparksCode) {
  StreamingKMeans m(given({0.0, 10.0, 20.0}, {0.0, 0.0, 0.0}));
  m.partial_fit(column({9, 11, 19, 21}));
  EXPECT_EQ(m.cluster_centers()(1, 0), 10.0 + 1e-14 * 10.0);
  EXPECT_EQ(m.cluster_centers()(0, 0), 10.0 - 1e-14 * 10.0);
  EXPECT_EQ(m.cluster_centers()(2, 0), 20.0);
  EXPECT_EQ(m.cluster_weights()[0], 1.0);
  EXPECT_EQ(m.cluster_weights()[1], 1.0);
  EXPECT_EQ(m.cluster_weights()[2], 2.0);
  EXPECT_EQ(m.state().splits, 1);
  // p = 1e-14 for |x| < 1: centres 0 and 5, batch {0.25, 0.75} all to cluster 0 (mean 0.5).
  StreamingKMeans small(given({0.0, 5.0}, {0.0, 0.0}));
  small.partial_fit(column({0.25, 0.75}));
  EXPECT_EQ(small.cluster_centers()(0, 0), 0.5 + 1e-14);
  EXPECT_EQ(small.cluster_centers()(1, 0), 0.5 - 1e-14);
}

// ---------------------------------------------------------------------------------------------
// PySpark's StreamingKMeansTest

// Oracle: PySpark test_trainOn_predictOn: decayFactor 0, k = 2, initial centres [0], [1] with
// weights 1, 1, batch [-0.5], [0.6], [0.8] -> centres [-0.5, 0.7]; then [0.2], [-0.1], [0.3]
// are predicted [1, 0, 1].
TEST(StreamingKMeans, PySparkDecayZero) {
  Settings s = given({0.0, 1.0}, {1.0, 1.0});
  s.decay_factor = 0.0;
  StreamingKMeans m(s);
  m.partial_fit(column({-0.5, 0.6, 0.8}));
  EXPECT_NEAR(m.cluster_centers()(0, 0), -0.5, 1e-15);
  EXPECT_NEAR(m.cluster_centers()(1, 0), 0.7, 1e-15);
  EXPECT_EQ(m.cluster_weights()[0], 1.0);  // 0 * 1 + 1
  EXPECT_EQ(m.cluster_weights()[1], 2.0);  // 0 * 1 + 2
  const Eigen::VectorXi p = m.predict(column({0.2, -0.1, 0.3}));
  EXPECT_EQ(p[0], 1);
  EXPECT_EQ(p[1], 0);
  EXPECT_EQ(p[2], 1);
}

// Oracle: PySpark test_trainOn_model: centres (1,1), (-1,1), (-1,-1), (1,-1) with weight 1,
// four batches, each one point per centre offset by (0, 0.1), (0, -0.1), (0.1, 0), (-0.1, 0):
// the centres come back to (+-1, +-1) and the weights are [5, 5, 5, 5].
TEST(StreamingKMeans, PySparkFourCentersComeBack) {
  const std::vector<double> init = {1, 1, -1, 1, -1, -1, 1, -1};
  StreamingKMeans m(given(init, {1, 1, 1, 1}));
  const double offsets[4][2] = {{0, 0.1}, {0, -0.1}, {0.1, 0}, {-0.1, 0}};
  for (const auto& o : offsets) {
    RowMatrix b(4, 2);
    for (int c = 0; c < 4; ++c) {
      b(c, 0) = init[std::size_t(2 * c)] + o[0];
      b(c, 1) = init[std::size_t(2 * c + 1)] + o[1];
    }
    m.partial_fit(b);
  }
  for (int c = 0; c < 4; ++c) {
    EXPECT_NEAR(m.cluster_centers()(c, 0), init[std::size_t(2 * c)], 1e-12);
    EXPECT_NEAR(m.cluster_centers()(c, 1), init[std::size_t(2 * c + 1)], 1e-12);
    EXPECT_EQ(m.cluster_weights()[c], 5.0);
  }
  // PySpark test_predictOn_model: (+-1.5, +-1.5) go to their own quadrant's centre.
  RowMatrix q(4, 2);
  q << 1.5, 1.5, -1.5, 1.5, -1.5, -1.5, 1.5, -1.5;
  const Eigen::VectorXi p = m.predict(q);
  for (int c = 0; c < 4; ++c) EXPECT_EQ(p[c], c);
}

// ---------------------------------------------------------------------------------------------
// Hand-computed

// Oracle (by hand): k = 1, centre 0, weight 1, decay 0.5, batch {2, 4} (m = 2, sum = 6).
//   "batches": discount 0.5;       w = 0.5 * 1 + 2 = 2.5,  lambda = 2 / 2.5 = 0.8,
//              c = (1 - 0.8) * 0 + (0.8 / 2) * 6 = 2.4.
//   "points":  discount 0.5^2 = 0.25; w = 0.25 * 1 + 2 = 2.25, lambda = 2 / 2.25 = 8/9,
//              c = (8/9 / 2) * 6 = 8/3 = 2.666667.
TEST(StreamingKMeans, HandComputedDecayHalf) {
  Settings s = given({0.0}, {1.0});
  s.decay_factor = 0.5;
  StreamingKMeans batches(s);
  batches.partial_fit(column({2, 4}));
  EXPECT_NEAR(batches.cluster_centers()(0, 0), 2.4, 1e-15);
  EXPECT_NEAR(batches.cluster_weights()[0], 2.5, 1e-15);
  s.time_unit = TimeUnit::Points;
  StreamingKMeans points(s);
  points.partial_fit(column({2, 4}));
  EXPECT_NEAR(points.cluster_centers()(0, 0), 8.0 / 3.0, 1e-15);
  EXPECT_NEAR(points.cluster_centers()(0, 0), 2.666667, 1e-6);
  EXPECT_NEAR(points.cluster_weights()[0], 2.25, 1e-15);
}

// Oracle (Spark's update applies to every RDD, empty ones included): an empty batch discounts
// the weights under "batches" (0.5 * [2, 4] = [1, 2]) and leaves them under "points" (0.5^0).
TEST(StreamingKMeans, EmptyBatchIsStillABatch) {
  Settings s = given({0.0, 1.0}, {2.0, 4.0});
  s.decay_factor = 0.5;
  StreamingKMeans m(s);
  m.partial_fit(RowMatrix(0, 1));
  EXPECT_EQ(m.cluster_weights()[0], 1.0);
  EXPECT_EQ(m.cluster_weights()[1], 2.0);
  s.time_unit = TimeUnit::Points;
  StreamingKMeans p(s);
  p.partial_fit(RowMatrix(0, 1));
  EXPECT_EQ(p.cluster_weights()[0], 2.0);
  EXPECT_EQ(p.cluster_weights()[1], 4.0);
}

// ---------------------------------------------------------------------------------------------
// scikit-learn and NumPy

// Oracle: scikit-learn 1.2.1
//   kmeans_plusplus(X, n_clusters=6, random_state=7)[1]        -> [175, 461, 627, 844, 1740, 1347]
//   kmeans_plusplus(X[:200], n_clusters=6, random_state=7)[1]  -> [175, 196, 87, 17, 174, 74]
TEST(StreamingKMeans, KMeansPlusPlusPicksScikitLearnsPoints) {
  const RowMatrix x = blobs(2000, 3, 6, 3.0);
  EXPECT_DOUBLE_EQ(x.sum(), 9986.148777970153);  // the same data as Python's
  EXPECT_EQ(kmeans_plusplus(x, 6, 7), (std::vector<std::size_t>{175, 461, 627, 844, 1740, 1347}));
  EXPECT_EQ(kmeans_plusplus(x.topRows(200), 6, 7), (std::vector<std::size_t>{175, 196, 87, 17, 174, 74}));
}

// Oracle: NumPy 1.24.2 np.random.RandomState(7).standard_normal((3, 4)) (Spark's
// setRandomCenters draws N(0, 1) centres; these are NumPy's legacy draws), weights 0.
TEST(StreamingKMeans, RandomCentersAreNumpysStandardNormal) {
  Settings s;
  s.k = 3;
  s.init = KMeansInit::Random;
  s.dimension = 4;
  s.seed = 7;
  StreamingKMeans m(s);
  const double expected[3][4] = {{1.690525703800356, -0.4659373705408328, 0.0328201636785844, 0.40751628299650783},
                                 {-0.7889230286257386, 0.00206557290594813, -0.0008903858579313628, -1.7547243063454208},
                                 {1.0176580056634932, 0.6004985159195494, -0.6254289739667597, -0.17154826119572117}};
  ASSERT_TRUE(m.initialized());
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 4; ++j) EXPECT_NEAR(m.cluster_centers()(i, j), expected[i][j], 1e-15);
  EXPECT_EQ(m.cluster_weights(), Eigen::VectorXd::Zero(3));
  // Without a dimension, the first batch gives it, and the same draws follow.
  s.dimension = 0;
  StreamingKMeans later(s);
  EXPECT_FALSE(later.initialized());
  RowMatrix one = RowMatrix::Zero(1, 4);
  later.partial_fit(one);
  EXPECT_EQ(later.dimension(), 4);
  EXPECT_NEAR(later.cluster_centers()(1, 3), -1.7547243063454208, 1e-15);  // untouched by the point
}

// Oracle: scikit-learn 1.2.1 KMeans(n_clusters=6, n_init=10, random_state=0).fit(X).inertia_ =
// 1361.1539207544538 (n_init=1 gives 1410.3684183901378). Streaming k-means with k-means++ on
// the first of 10 batches of 200, decay 1, ends within 2 % of that cost on all of X.
TEST(StreamingKMeans, KMeansPlusPlusCostWithinTwoPercentOfScikitLearn) {
  const RowMatrix x = blobs(2000, 3, 6, 3.0);
  Settings s;
  s.k = 6;
  s.seed = 7;
  StreamingKMeans m(s);
  for (int b = 0; b < 10; ++b) m.partial_fit(x.middleRows(200 * b, 200));
  const double cost = m.cost(x);
  EXPECT_LE(cost, 1.02 * 1361.1539207544538) << cost;
  EXPECT_GT(cost, 0.98 * 1361.1539207544538) << cost;  // no better than the optimum's neighbourhood
}

// Oracle: with scikit-learn's fitted centres (KMeans(n_clusters=6, n_init=10, random_state=0)
// .fit(X).cluster_centers_, pasted as hex floats) given as initial centres, cost(X) equals its
// inertia_ 1361.1539207544538 (a brute-force NumPy recomputation gives ...529), and transform
// equals a brute-force Euclidean distance.
TEST(StreamingKMeans, CostIsScikitLearnsInertia) {
  const RowMatrix x = blobs(2000, 3, 6, 3.0);
  StreamingKMeans m(given({0x1.799c6a5b209d8p+1,  0x1.6c0bb6a052d0cp+1,  -0x1.ac7bcb0f9f964p-2,
                           0x1.827b90f3db9c4p+2,  -0x1.f825f90c5f180p-5, 0x1.80ff2fb8340eep+1,
                           -0x1.5b37adb79be00p-6, -0x1.8323b9aab95c0p-6, -0x1.0bc9b6ed82c00p-10,
                           0x1.1d2df0fc49d5bp+2,  0x1.13eceb1efe680p-7,  0x1.df14f46670000p-10,
                           0x1.7807a3bd5e4e6p+0,  0x1.4c83da5f0f880p-6,  0x1.83dc17b87cc44p+1,
                           0x1.83d005445ab4ap+1,  0x1.99d17aec08e0ap+1,  0x1.4aa35709e759ap-2},
                          {0, 0, 0, 0, 0, 0}));
  EXPECT_NEAR(m.cost(x), 1361.1539207544538, 1e-9);
  const RowMatrix t = m.transform(x.topRows(50));
  ASSERT_EQ(t.rows(), 50);
  ASSERT_EQ(t.cols(), 6);
  const Eigen::VectorXi p = m.predict(x.topRows(50));
  for (int i = 0; i < 50; ++i) {
    Eigen::Index arg;
    for (int c = 0; c < 6; ++c)
      EXPECT_NEAR(t(i, c), (x.row(i) - m.cluster_centers().row(c)).norm(), 1e-12);
    t.row(i).minCoeff(&arg);
    EXPECT_EQ(p[i], int(arg));
  }
}

// ---------------------------------------------------------------------------------------------
// Properties

// 1 thread and 2 threads give the same bits (k-means++ on 5,000 points, 5 batches of 1,000).
TEST(StreamingKMeans, OneAndTwoThreadsAreBitIdentical) {
  const RowMatrix x = blobs(5000, 4, 10, 2.0);
  auto run = [&](int threads) {
    tbb::global_control limit(tbb::global_control::max_allowed_parallelism, std::size_t(threads));
    Settings s;
    s.k = 10;
    s.half_life = 3;
    StreamingKMeans m(s);
    for (int b = 0; b < 5; ++b) m.partial_fit(x.middleRows(1000 * b, 1000));
    return std::make_pair(m.state(), m.cost(x));
  };
  const auto [one, cost1] = run(1);
  const auto [two, cost2] = run(2);
  EXPECT_TRUE(one.centers.cwiseEqual(two.centers).all());
  EXPECT_TRUE(one.weights.cwiseEqual(two.weights).all());
  EXPECT_EQ(one.last_batch_cost, two.last_batch_cost);
  EXPECT_EQ(cost1, cost2);
}

// The same batches give the same model, through a Batch or a matrix. One point at a time equals
// one batch only where Spark's rule makes them equal: k = 1 and decay 1 (both are the running
// mean, to rounding); under "points" with decay 0.5 they differ, by hand: one batch {2, 4} gives
// w = 0.5^2 * 1 + 2 = 2.25; one by one w = (0.5 * 1 + 1) * 0.5 + 1 = 1.75.
TEST(StreamingKMeans, SameBatchesSameModelAndWhenSinglePointsAgree) {
  const RowMatrix x = blobs(600, 3, 6, 3.0);
  Settings s;
  s.k = 6;
  StreamingKMeans a(s), b(s);
  for (int i = 0; i < 3; ++i) {
    a.partial_fit(x.middleRows(200 * i, 200));
    b.partial_fit(make_batch(x.middleRows(200 * i, 200)));
  }
  EXPECT_TRUE(a.cluster_centers().cwiseEqual(b.cluster_centers()).all());
  EXPECT_TRUE(a.cluster_weights().cwiseEqual(b.cluster_weights()).all());
  const Eigen::VectorXd scores = a.score(make_batch(x));
  const Eigen::VectorXi labels = a.predict(x);
  for (Eigen::Index i = 0; i < x.rows(); ++i) EXPECT_EQ(scores[i], double(labels[i]));

  StreamingKMeans whole(given({0, 0, 0}, {0})), single(given({0, 0, 0}, {0}));
  whole.partial_fit(x);
  for (Eigen::Index i = 0; i < x.rows(); ++i) single.partial_fit(x.middleRows(i, 1));
  for (int j = 0; j < 3; ++j) {
    EXPECT_NEAR(whole.cluster_centers()(0, j), x.col(j).mean(), 1e-12);
    EXPECT_NEAR(single.cluster_centers()(0, j), whole.cluster_centers()(0, j), 1e-12);
  }
  EXPECT_EQ(single.cluster_weights()[0], 600.0);

  Settings p = given({0.0}, {1.0});
  p.decay_factor = 0.5;
  p.time_unit = TimeUnit::Points;
  StreamingKMeans batch(p), one_by_one(p);
  batch.partial_fit(column({2, 4}));
  one_by_one.partial_fit(column({2}));
  one_by_one.partial_fit(column({4}));
  EXPECT_EQ(batch.cluster_weights()[0], 2.25);
  EXPECT_EQ(one_by_one.cluster_weights()[0], 1.75);
}

// Restoring the state continues the stream exactly.
TEST(StreamingKMeans, StateRoundTripContinuesExactly) {
  const RowMatrix x = blobs(1000, 3, 6, 3.0);
  Settings s;
  s.k = 6;
  s.decay_factor = 0.9;
  StreamingKMeans a(s);
  a.partial_fit(x.topRows(500));
  StreamingKMeans b(s);
  b.set_state(a.state());
  a.partial_fit(x.bottomRows(500));
  b.partial_fit(x.bottomRows(500));
  EXPECT_TRUE(a.cluster_centers().cwiseEqual(b.cluster_centers()).all());
  EXPECT_TRUE(a.cluster_weights().cwiseEqual(b.cluster_weights()).all());
  StreamingKMeansState bad = a.state();
  bad.weights[2] = -1;
  EXPECT_NE(error_of([&] { b.set_state(bad); }).find("weights must be finite and >= 0"), std::string::npos);
  bad = a.state();
  bad.centers.conservativeResize(5, 3);
  EXPECT_NE(error_of([&] { b.set_state(bad); }).find("centres are (5, 3), expected (6, 3)"), std::string::npos);
}

TEST(StreamingKMeans, BadInputIsNamed) {
  StreamingKMeans m(given({0, 0, 1, 1}, {1, 1}));
  EXPECT_NE(error_of([&] { m.partial_fit(RowMatrix::Zero(3, 3)); }).find("features has 3 columns, model expects 2"),
            std::string::npos);
  RowMatrix nan = RowMatrix::Zero(3, 2);
  nan(1, 0) = std::nan("");
  EXPECT_NE(error_of([&] { m.partial_fit(nan); }).find("features row 1 column 0 is nan"), std::string::npos);
  nan(1, 0) = 0;
  nan(2, 1) = -INFINITY;
  EXPECT_NE(error_of([&] { m.predict(nan); }).find("features row 2 column 1 is -inf"), std::string::npos);
  EXPECT_EQ(m.state().batches_seen, 0);  // nothing learned from rejected batches

  StreamingKMeans fresh{Settings{}};
  EXPECT_NE(error_of([&] { fresh.predict(RowMatrix::Zero(1, 2)); }).find("predict needs cluster centres"),
            std::string::npos);
  Settings k3;
  k3.k = 3;
  StreamingKMeans pp(k3);
  EXPECT_NE(error_of([&] { pp.partial_fit(RowMatrix::Zero(2, 2)); })
                .find("picks the k = 3 centres among the first batch's points, which has 2"),
            std::string::npos);
  Settings dim;
  dim.dimension = 4;
  StreamingKMeans fixed(dim);
  EXPECT_NE(error_of([&] { fixed.partial_fit(RowMatrix::Zero(5, 3)); }).find("features has 3 columns, model expects 4"),
            std::string::npos);
}

TEST(StreamingKMeans, BadSettingsAreNamed) {
  auto bad = [](const std::function<void(Settings&)>& change) {
    Settings s;
    change(s);
    return error_of([&] { StreamingKMeans m(s); });
  };
  auto has = [](const std::string& message, const std::string& part) {
    EXPECT_NE(message.find(part), std::string::npos) << message;
  };
  has(bad([](Settings& s) { s.k = 0; }), "kmeans: k must be >= 1, got 0");
  has(bad([](Settings& s) { s.decay_factor = 1.5; }), "decay_factor must be in [0, 1], got 1.5");
  has(bad([](Settings& s) { s.decay_factor = -0.1; }), "decay_factor must be in [0, 1], got -0.1");
  has(bad([](Settings& s) { s.half_life = -2; }), "kmeans: half_life must be >= 0, got -2");
  has(bad([](Settings& s) { s.half_life = 2, s.decay_factor = 0.5; }), "give decay_factor or half_life, not both");
  has(error_of([] { Settings().set("time_unit", "minutes"); }),
      "kmeans: time_unit must be one of 'batches', 'points', got 'minutes'");
  has(error_of([] { Settings().set("init", "kmeans||"); }), "kmeans: init must be one of 'k-means++', 'random', 'given', got 'kmeans||'");
  has(bad([](Settings& s) { s.init = KMeansInit::Given; }), "init 'given' needs initial_centers");
  has(bad([](Settings& s) { s.init = KMeansInit::Given, s.initial_centers = {1, 2, 3}; }),
      "initial_centers has 3 values, not k = 2 rows of equal length");
  has(bad([](Settings& s) { s.initial_weights = {1}; }), "initial_weights has 1 entries, expected k = 2");
  has(bad([](Settings& s) { s.initial_weights = {1, -1}; }), "kmeans: initial_weights[1] must be >= 0, got -1");
  has(bad([](Settings& s) { s.initial_centers = {1, 2}; }), "initial_centers are given but init is 'k-means++'");
  has(bad([](Settings& s) { s.seed = std::uint64_t{1} << 32; }), "kmeans: seed must be in [0, 4294967295]");
  Settings s;
  has(error_of([&] { s.set("decay", "0.5"); }), "kmeans has no setting 'decay'; known: k, decay_factor");
  has(error_of([&] { s.set("k", "two"); }), "setting 'k' expects an integer, got 'two'");
  // set() reads what the command line gives.
  s.set("k", "2");
  s.set("init", "given");
  s.set("initial_centers", "0,0;1,1");
  s.set("initial_weights", "1,2");
  s.set("half_life", "5");
  s.set("time_unit", "points");
  StreamingKMeans m(s);
  EXPECT_EQ(m.dimension(), 2);
  EXPECT_EQ(m.cluster_centers()(1, 0), 1.0);
  EXPECT_EQ(m.cluster_weights()[1], 2.0);
  has(error_of([&] { s.set("initial_centers", "0,0;1"); }), "kmeans: setting 'initial_centers' expects rows of numbers of equal length, as 1,2;3,4, got '0,0;1'");
}

TEST(StreamingKMeans, LearnerInterface) {
  Settings s = given({0.0, 1.0}, {1.0, 1.0});
  s.decay_factor = 0.0;
  StreamingKMeans m(s);
  const Learner& learner = m;
  EXPECT_EQ(learner.type(), "kmeans");
  m.partial_fit(make_batch(column({-0.5, 0.6, 0.8})));
  const Eigen::VectorXd score = learner.score(make_batch(column({0.2, -0.1, 0.3})));
  EXPECT_EQ(score, Eigen::Vector3d(1, 0, 1));  // PySpark's predictions, as doubles
  JsonWriter out;
  out.begin_object();
  learner.write_summary(out);
  out.end_object();
  // last batch cost: (-0.5 - 0)^2 + (0.6 - 1)^2 + (0.8 - 1)^2 = 0.25 + 0.16 + 0.04 = 0.45
  EXPECT_NEAR(m.state().last_batch_cost, 0.45, 1e-15);
  const std::string& j = out.str();
  for (const char* key : {"\"k\":2", "\"dimension\":1", "\"weights\":[1,2]", "\"centers\":[[-0.5],[0.7",
                          "\"last_batch_cost\":0.45", "\"last_batch_points\":3"})
    EXPECT_NE(j.find(key), std::string::npos) << key << " in " << j;
  EXPECT_NE(learner.params_json().find("\"init\":\"given\""), std::string::npos) << learner.params_json();
}

}  // namespace
}  // namespace streamml
