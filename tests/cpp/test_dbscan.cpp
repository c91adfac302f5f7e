// Exact DBSCAN against its references:
//   - scikit-learn 1.2.1's sklearn.cluster.DBSCAN, run by the test itself (/usr/bin/python3 on
//     a CSV the test writes with round-trip precision) on blobs, moons and uniform noise in
//     2-D and 10-D, and with the manhattan and chebyshev metrics: identical noise set,
//     identical core points and partition of them, every border point in the cluster of one
//     of its core neighbours;
//   - a brute-force O(n^2) DBSCAN (dbscan_test_util.h) for the canonical labels exactly;
//   - hand-worked tiny examples for the canonical numbering and the inclusive eps;
//   - 1 thread vs 2 threads bit for bit (tbb::global_control); grid vs kd-tree identical;
//   - bad input: eps <= 0, min_samples < 1, unknown metric, NaN/Inf (row, column), no columns.
#include <gtest/gtest.h>

#include <tbb/global_control.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <iomanip>
#include <sstream>
#include <string>
#include <vector>

#include "algorithms/clustering/dbscan.h"
#include "algorithms/clustering/neighbor_index.h"
#include "core/error.h"
#include "dbscan_test_util.h"
#include "test_helpers.h"

namespace streamml {
namespace {

using namespace dbscan_test;

using testing::error_of;

DBSCANResult run(const RowMatrix& x, double eps, std::int64_t min_samples, const std::string& metric = "euclidean",
                 const std::string& algorithm = "auto") {
  DBSCANSettings s;
  s.eps = eps;
  s.min_samples = min_samples;
  s.set("metric", metric);
  s.set("algorithm", algorithm);
  return DBSCAN(s).fit(x);
}

struct SklearnResult {
  std::vector<std::int64_t> labels;
  std::vector<std::int64_t> core_sample_indices;
};

// The oracle: scikit-learn's DBSCAN on the same points (written with 17 significant digits,
// so Python reads back the very same doubles).
SklearnResult sklearn_dbscan(const RowMatrix& x, double eps, std::int64_t min_samples, const std::string& metric,
                             const std::string& name) {
  const auto dir = testing::temp_dir("dbscan_" + name);
  {
    std::ofstream f(dir / "x.csv");
    f << std::setprecision(17);
    for (Eigen::Index i = 0; i < x.rows(); ++i)
      for (Eigen::Index j = 0; j < x.cols(); ++j) f << x(i, j) << (j + 1 < x.cols() ? ',' : '\n');
  }
  std::ostringstream script;
  script << std::setprecision(17) << "import numpy as np\n"
         << "from sklearn.cluster import DBSCAN\n"
         << "x = np.loadtxt(r'" << (dir / "x.csv").string() << "', delimiter=',', ndmin=2)\n"
         << "m = DBSCAN(eps=" << eps << ", min_samples=" << min_samples << ", metric='" << metric << "').fit(x)\n"
         << "np.savetxt(r'" << (dir / "labels.txt").string() << "', m.labels_, fmt='%d')\n"
         << "np.savetxt(r'" << (dir / "core.txt").string() << "', m.core_sample_indices_, fmt='%d')\n";
  testing::write_file(dir / "oracle.py", script.str());
  const std::string cmd = std::string(STREAMML_PYTHON) + " " + (dir / "oracle.py").string();
  EXPECT_EQ(std::system(cmd.c_str()), 0) << cmd;
  SklearnResult r;
  std::ifstream labels(dir / "labels.txt"), core(dir / "core.txt");
  for (std::int64_t v; labels >> v;) r.labels.push_back(v);
  for (std::int64_t v; core >> v;) r.core_sample_indices.push_back(v);
  return r;
}

// Brute-force neighbours under a metric (for the border check with any metric).
bool close(const RowMatrix& x, std::size_t a, std::size_t b, DistanceMetric metric, double eps) {
  return within(metric, x.row(Eigen::Index(a)).data(), x.row(Eigen::Index(b)).data(), std::size_t(x.cols()),
                eps_test_value(metric, eps));
}

// The issue's three conditions against scikit-learn, plus our canonical border rule.
void expect_matches_sklearn(const RowMatrix& x, double eps, std::int64_t min_samples, const std::string& metric,
                            const std::string& name, std::int64_t min_clusters) {
  const DBSCANResult ours = run(x, eps, min_samples, metric);
  const SklearnResult ref = sklearn_dbscan(x, eps, min_samples, metric, name);
  const std::size_t n = std::size_t(x.rows());
  ASSERT_EQ(ref.labels.size(), n) << name;
  // Same core points.
  EXPECT_EQ(ours.core_sample_indices, ref.core_sample_indices) << name;
  std::vector<std::uint8_t> core(n, 0);
  for (auto i : ours.core_sample_indices) core[std::size_t(i)] = 1;
  // Same noise set.
  std::size_t noise_ours = 0, noise_ref = 0, noise_diff = 0;
  for (std::size_t i = 0; i < n; ++i) {
    noise_ours += ours.labels[i] < 0;
    noise_ref += ref.labels[i] < 0;
    noise_diff += (ours.labels[i] < 0) != (ref.labels[i] < 0);
  }
  EXPECT_EQ(noise_diff, 0u) << name;
  EXPECT_EQ(noise_ours, noise_ref) << name;
  EXPECT_EQ(std::int64_t(noise_ours), ours.n_noise) << name;
  // Same partition of the core points, hence the same number of clusters.
  EXPECT_TRUE(same_partition(ours.labels, ref.labels, core)) << name;
  const auto ref_clusters = 1 + *std::max_element(ref.labels.begin(), ref.labels.end());
  EXPECT_EQ(ours.n_clusters, ref_clusters) << name;
  EXPECT_GE(ours.n_clusters, min_clusters) << name << ": the data set should have clusters to compare";
  // Border points: in the cluster of one of their core neighbours (both results), and in ours
  // the cluster of the lowest-index core neighbour.
  const DistanceMetric m = parse_distance_metric(metric);
  std::size_t borders = 0;
  for (std::size_t i = 0; i < n; ++i) {
    if (core[i] || ours.labels[i] < 0) continue;
    ++borders;
    bool ours_ok = false, ref_ok = false;
    std::int64_t lowest = -1;
    for (std::size_t q = 0; q < n; ++q) {
      if (!core[q] || !close(x, i, q, m, eps)) continue;
      if (lowest < 0) lowest = ours.labels[q];
      ours_ok = ours_ok || ours.labels[q] == ours.labels[i];
      ref_ok = ref_ok || ref.labels[q] == ref.labels[i];
    }
    EXPECT_TRUE(ours_ok && ref_ok) << name << ": border point " << i;
    EXPECT_EQ(ours.labels[i], lowest) << name << ": border point " << i;
  }
  EXPECT_GT(borders, 0u) << name << ": the data set should have border points";
  // Cluster sizes add up.
  std::int64_t total = 0;
  for (auto s : ours.cluster_sizes) total += s;
  EXPECT_EQ(total + ours.n_noise, std::int64_t(n)) << name;
  std::printf("[%s] n=%zu clusters=%lld core=%zu border=%zu noise=%zu (scikit-learn: %lld clusters, %zu noise)\n",
              name.c_str(), n, (long long)ours.n_clusters, ours.core_sample_indices.size(), borders, noise_ours,
              (long long)ref_clusters, noise_ref);
}

TEST(DBSCAN, MatchesSklearnBlobs2D) {
  expect_matches_sklearn(blobs(4000, 2, 6, 0.2, 5.0, 0.05, 1), 0.15, 8, "euclidean", "blobs2d", 4);
}
TEST(DBSCAN, MatchesSklearnMoons2D) {
  expect_matches_sklearn(moons(3000, 2, 0.06, 2), 0.08, 6, "euclidean", "moons2d", 2);
}
TEST(DBSCAN, MatchesSklearnUniform2D) {
  expect_matches_sklearn(uniform(3000, 2, 3), 0.03, 10, "euclidean", "uniform2d", 10);
}
TEST(DBSCAN, MatchesSklearnBlobs10D) {
  expect_matches_sklearn(blobs(3000, 10, 6, 0.3, 5.0, 0.05, 4), 1.0, 10, "euclidean", "blobs10d", 6);
}
TEST(DBSCAN, MatchesSklearnMoons10D) {
  expect_matches_sklearn(moons(3000, 10, 0.05, 5), 0.2, 10, "euclidean", "moons10d", 2);
}
TEST(DBSCAN, MatchesSklearnUniform10D) {
  expect_matches_sklearn(uniform(3000, 10, 6), 0.5, 5, "euclidean", "uniform10d", 2);
}
TEST(DBSCAN, MatchesSklearnManhattanAndChebyshev) {
  expect_matches_sklearn(blobs(3000, 2, 5, 0.2, 5.0, 0.05, 7), 0.2, 8, "manhattan", "manhattan2d", 3);
  expect_matches_sklearn(blobs(3000, 2, 5, 0.2, 5.0, 0.05, 8), 0.12, 8, "chebyshev", "chebyshev2d", 3);
  expect_matches_sklearn(blobs(2000, 10, 5, 0.3, 5.0, 0.05, 9), 2.5, 8, "manhattan", "manhattan10d", 5);
  expect_matches_sklearn(blobs(2000, 10, 5, 0.3, 5.0, 0.05, 10), 0.6, 8, "chebyshev", "chebyshev10d", 5);
}

// Oracle: brute force, label for label (canonical numbering on both sides).
TEST(DBSCAN, CanonicalLabelsEqualBruteForce) {
  for (const auto& [x, eps, ms] : {std::tuple{blobs(1500, 2, 4, 0.3, 3.0, 0.1, 11), 0.2, 6},
                                    std::tuple{uniform(1500, 2, 12), 0.04, 4},
                                    std::tuple{blobs(1200, 10, 4, 0.3, 3.0, 0.1, 13), 1.1, 6}}) {
    const Brute b = brute_dbscan(x, eps, ms);
    for (const char* algorithm : {"auto", "grid", "kd_tree"}) {
      const DBSCANResult r = run(x, eps, ms, "euclidean", algorithm);
      EXPECT_EQ(r.labels, b.labels) << algorithm;
      for (std::size_t i = 0; i < b.nbrs.size(); ++i)
        ASSERT_EQ(r.neighbor_counts[i], std::int64_t(b.nbrs[i].size())) << algorithm << " point " << i;
    }
  }
}

// Hand-worked: 1-D points, eps = 0.15, min_samples = 3.
//   index:  0    1    2    3    4    5    6    7
//   x:      5.0  0.0  5.1  0.1  5.2  0.2  9.0  0.3
// neighbours (itself included): 0:{0,2} 1:{1,3} 2:{0,2,4} 3:{1,3,5} 4:{2,4} 5:{3,5,7} 6:{6} 7:{5,7}
// core: 2, 3, 5. Components {2} and {3, 5}; the one holding core 2 is cluster 0, {3, 5} is
// cluster 1. Borders 0, 4 -> core 2 (cluster 0); 1 -> 3, 7 -> 5 (cluster 1); 6 is noise.
TEST(DBSCAN, CanonicalLabelsByHand) {
  RowMatrix x(8, 1);
  x << 5.0, 0.0, 5.1, 0.1, 5.2, 0.2, 9.0, 0.3;
  const DBSCANResult r = run(x, 0.15, 3);
  EXPECT_EQ(r.labels, (std::vector<std::int64_t>{0, 1, 0, 1, 0, 1, -1, 1}));
  EXPECT_EQ(r.core_sample_indices, (std::vector<std::int64_t>{2, 3, 5}));
  EXPECT_EQ(r.neighbor_counts, (std::vector<std::int64_t>{2, 2, 3, 3, 2, 3, 1, 2}));
  EXPECT_EQ(r.cluster_sizes, (std::vector<std::int64_t>{3, 4}));
  EXPECT_EQ(r.n_clusters, 2);
  EXPECT_EQ(r.n_noise, 1);
}

// Hand-worked: a border point between two clusters, at distance exactly eps from both (the
// test is inclusive, as scikit-learn's). eps = 1, min_samples = 4.
//   indices 0-4: 3.0 3.25 3.5 3.75 4.0 (cluster B)   indices 5-9: 0 0.25 0.5 0.75 1.0 (cluster A)
//   index 10: 2.0, neighbours {1.0 (index 9), 2.0, 3.0 (index 0)}: 3 < 4, a border point whose
//   lowest-index core neighbour is 0, so it joins B, which is cluster 0 (smallest core index 0).
TEST(DBSCAN, BorderPointJoinsLowestIndexCoreNeighbour) {
  RowMatrix x(11, 1);
  x << 3.0, 3.25, 3.5, 3.75, 4.0, 0.0, 0.25, 0.5, 0.75, 1.0, 2.0;
  const DBSCANResult r = run(x, 1.0, 4);
  EXPECT_EQ(r.labels, (std::vector<std::int64_t>{0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 0}));
  EXPECT_EQ(r.neighbor_counts[10], 3);
  EXPECT_EQ(r.cluster_sizes, (std::vector<std::int64_t>{6, 5}));
  // Same points, the A block first: now A holds index 0 and the border point joins A.
  RowMatrix y(11, 1);
  y << 0.0, 0.25, 0.5, 0.75, 1.0, 3.0, 3.25, 3.5, 3.75, 4.0, 2.0;
  EXPECT_EQ(run(y, 1.0, 4).labels, (std::vector<std::int64_t>{0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 0}));
  // min_samples = 1: every point is core (scikit-learn's convention); 2.0 links A and B.
  EXPECT_EQ(run(y, 1.0, 1).n_clusters, 1);
  EXPECT_EQ(run(y, 0.99, 1).n_clusters, 3);
}

// Hand-worked, the example above with weights (scikit-learn's sample_weight): eps 0.15,
// min_samples 3. Point 6 (9.0) alone, weight 3: core on its own weight, a cluster of one.
// Point 2 (5.1) weighs 0.5: its neighbourhood {5.0, 5.1, 5.2} sums to 1 + 0.5 + 1 = 2.5 < 3, so
// the 5.x points are no longer core and become noise. The 0.x points keep weight 1, as before.
// Cluster numbers follow the smallest core index: {1, 3, 5, 7} is cluster 0, {6} cluster 1.
TEST(DBSCAN, SampleWeightsCountTowardMinSamplesByHand) {
  RowMatrix x(8, 1);
  x << 5.0, 0.0, 5.1, 0.1, 5.2, 0.2, 9.0, 0.3;
  const std::vector<double> w = {1, 1, 0.5, 1, 1, 1, 3, 1};
  const DBSCANResult r = DBSCAN(DBSCANSettings{0.15, 3}).fit(x.data(), 8, 1, 1, w.data());
  EXPECT_EQ(r.labels, (std::vector<std::int64_t>{-1, 0, -1, 0, -1, 0, 1, 0}));
  EXPECT_EQ(r.core_sample_indices, (std::vector<std::int64_t>{3, 5, 6}));
  EXPECT_EQ(r.neighbor_counts, (std::vector<std::int64_t>{2, 2, 3, 3, 2, 3, 1, 2}));  // points, not weights
  // Weights of 1 give the unweighted result.
  const std::vector<double> ones(8, 1.0);
  EXPECT_EQ(DBSCAN(DBSCANSettings{0.15, 3}).fit(x.data(), 8, 1, 1, ones.data()).labels, run(x, 0.15, 3).labels);
  std::vector<double> bad = ones;
  bad[4] = std::nan("");
  EXPECT_NE(error_of([&] { DBSCAN(DBSCANSettings{0.15, 3}).fit(x.data(), 8, 1, 1, bad.data()); })
                .find("sample_weight row 4 column 0 is nan"),
            std::string::npos);
}

TEST(DBSCAN, OneThreadEqualsTwoThreadsBitForBit) {
  const RowMatrix x2 = blobs(30000, 2, 10, 0.3, 6.0, 0.05, 21);
  const RowMatrix x10 = blobs(8000, 10, 8, 0.3, 5.0, 0.05, 22);
  for (const RowMatrix* x : {&x2, &x10}) {
    const double eps = x->cols() == 2 ? 0.1 : 1.0;
    DBSCANResult one, two;
    {
      tbb::global_control c(tbb::global_control::max_allowed_parallelism, 1);
      one = run(*x, eps, 10);
    }
    {
      tbb::global_control c(tbb::global_control::max_allowed_parallelism, 2);
      two = run(*x, eps, 10);
    }
    EXPECT_EQ(one.labels, two.labels);
    EXPECT_EQ(one.core_sample_indices, two.core_sample_indices);
    EXPECT_EQ(one.neighbor_counts, two.neighbor_counts);
    EXPECT_EQ(one.cluster_sizes, two.cluster_sizes);
    EXPECT_GE(one.n_clusters, 5);
  }
}

TEST(DBSCAN, NeighborIndexGridAndKdTreeAgree) {
  const RowMatrix x = blobs(3000, 2, 5, 0.3, 4.0, 0.2, 31);
  const NeighborIndex grid(x.data(), 3000, 2, 2, DistanceMetric::Euclidean, 0.1, NeighborAlgorithm::Grid);
  const NeighborIndex tree(x.data(), 3000, 2, 2, DistanceMetric::Euclidean, 0.1, NeighborAlgorithm::KdTree);
  EXPECT_EQ(grid.algorithm(), NeighborAlgorithm::Grid);
  EXPECT_EQ(tree.algorithm(), NeighborAlgorithm::KdTree);
  std::vector<std::uint32_t> a, b;
  for (std::size_t i = 0; i < 3000; i += 7) {
    a.clear();
    b.clear();
    grid.query(x.row(Eigen::Index(i)).data(), a);
    tree.query(x.row(Eigen::Index(i)).data(), b);
    std::sort(a.begin(), a.end());
    std::sort(b.begin(), b.end());
    ASSERT_EQ(a, b) << "point " << i;
  }
  // A query far outside the grid finds nothing and does not overflow.
  const double far[2] = {1e300, -1e300};
  EXPECT_EQ(grid.count(far), 0u);
  EXPECT_EQ(tree.count(far), 0u);
  // Huge coordinates relative to eps: "auto" falls back to the kd-tree.
  RowMatrix huge(2, 2);
  huge << 0, 0, 1e12, 0;
  EXPECT_EQ(NeighborIndex(huge.data(), 2, 2, 2, DistanceMetric::Euclidean, 1e-3).algorithm(),
            NeighborAlgorithm::KdTree);
}

TEST(DBSCAN, EmptyInputGivesEmptyResult) {
  const DBSCANResult r = run(RowMatrix(0, 3), 0.5, 5);
  EXPECT_TRUE(r.labels.empty());
  EXPECT_EQ(r.n_clusters, 0);
}

TEST(DBSCAN, BadInputIsNamed) {
  DBSCANSettings s;
  s.eps = 0;
  EXPECT_NE(error_of([&] { DBSCAN{s}; }).find("dbscan: eps must be > 0, got 0"), std::string::npos);
  s.eps = -1;
  EXPECT_NE(error_of([&] { DBSCAN{s}; }).find("dbscan: eps must be > 0, got -1"), std::string::npos);
  s.eps = std::nan("");
  EXPECT_NE(error_of([&] { DBSCAN{s}; }).find("dbscan: eps must be a finite number, got nan"), std::string::npos);
  s = {};
  s.min_samples = 0;
  EXPECT_NE(error_of([&] { DBSCAN{s}; }).find("dbscan: min_samples must be >= 1, got 0"),
            std::string::npos);
  s = {};
  EXPECT_NE(error_of([&] { s.set("metric", "cosine"); }).find("dbscan: metric must be one of 'euclidean', 'manhattan', 'chebyshev'"), std::string::npos);
  s = {};
  EXPECT_NE(error_of([&] { s.set("epsilon", "1"); }).find("dbscan has no setting 'epsilon'; known: eps, min_samples"),
            std::string::npos);
  EXPECT_NE(error_of([&] { s.set("eps", "abc"); }).find("setting 'eps' expects a number, got 'abc'"),
            std::string::npos);
  s.set("eps", "0.25");
  s.set("min_samples", "7");
  EXPECT_EQ(s.to_json(), R"({"eps":0.25,"min_samples":7,"metric":"euclidean","algorithm":"auto"})");

  RowMatrix x = uniform(10, 3, 1);
  x(3, 1) = std::nan("");
  EXPECT_NE(error_of([&] { DBSCAN().fit(x); }).find("features row 3 column 1 is nan; NaN and Inf are rejected"),
            std::string::npos);
  x(3, 1) = 0;
  x(7, 2) = -INFINITY;
  EXPECT_NE(error_of([&] { DBSCAN().fit(x); }).find("features row 7 column 2 is -inf"), std::string::npos);
  EXPECT_NE(error_of([&] { DBSCAN().fit(RowMatrix(4, 0)); }).find("DBSCAN needs at least 1 feature column, got 0"),
            std::string::npos);
}

}  // namespace
}  // namespace streamml
