// Sliding-window DBSCAN against its references:
//   - after each of 50 batches of a drifting stream (blobs that move, appear and vanish, plus
//     uniform noise), the window's labels equal a brute-force O(n^2) DBSCAN recomputed from
//     scratch on the window's points in arrival order, label for label once both are numbered
//     canonically (dbscan_test_util.h), in 2-D and 10-D, and exact DBSCAN (dbscan.h) agrees;
//   - the id-stability rule on a hand-built 1-D scenario (persist, merge, split, end, new);
//   - score() of the newest batch equals its labels; anomalies are its noise rows;
//   - the window-wide grid for each metric in 1-3 dimensions, with points far from the origin,
//     against exact DBSCAN (kd-tree) after each batch;
//   - 1 thread vs 2 threads bit for bit; bad input named.
#include <gtest/gtest.h>

#include <tbb/global_control.h>

#include <functional>
#include <string>
#include <vector>

#include "algorithms/clustering/dbscan.h"
#include "algorithms/clustering/windowed_dbscan.h"
#include "core/error.h"
#include "core/json.h"
#include "dbscan_test_util.h"
#include "test_helpers.h"

namespace streamml {
namespace {

using namespace dbscan_test;

using testing::error_of;

WindowedDBSCAN make(double eps, std::int64_t min_samples, std::int64_t window) {
  WindowedDBSCANSettings s;
  s.eps = eps;
  s.min_samples = min_samples;
  s.window_batches = window;
  return WindowedDBSCAN(s);
}

// Batch b of a drifting stream: `centers` blobs moving on circles, blob k present only in
// some batches, 10 % uniform noise; batch sizes vary (one batch is empty).
RowMatrix stream_batch(int b, std::size_t d, double spread, std::uint64_t seed) {
  Rng rng(seed * 1000003 + std::uint64_t(b));
  const std::size_t n = b == 17 ? 0 : 80 + std::size_t(rng.next() % 60);
  RowMatrix x(static_cast<Eigen::Index>(n), static_cast<Eigen::Index>(d));
  for (std::size_t i = 0; i < n; ++i) {
    const bool noise = rng.uniform() < 0.1;
    int k = int(rng.next() % 4);
    if (k == 3 && (b / 10) % 2 == 1) k = 0;  // blob 3 vanishes and comes back
    const double angle = 0.08 * b + 1.7 * k;
    for (std::size_t j = 0; j < d; ++j) {
      const double centre = j == 0 ? 3 * std::cos(angle) : j == 1 ? 3 * std::sin(angle) : 0.5 * k;
      x(Eigen::Index(i), Eigen::Index(j)) = noise ? (rng.uniform() * 10 - 5) : centre + spread * rng.normal();
    }
  }
  return x;
}

std::vector<std::uint8_t> core_mask(const WindowedDBSCAN& w) {
  std::vector<std::uint8_t> m(w.window_points(), 0);
  for (auto i : w.window_core_sample_indices()) m[std::size_t(i)] = 1;
  return m;
}

void expect_window_equals_recomputation(std::size_t d, double spread, double eps, std::int64_t min_samples,
                                        std::int64_t window) {
  WindowedDBSCAN w = make(eps, min_samples, window);
  std::int64_t seen_clusters = 0, seen_noise = 0, max_reexpanded_share = 0;
  for (int b = 0; b < 50; ++b) {
    const RowMatrix x = stream_batch(b, d, spread, d);
    w.partial_fit(x);
    ASSERT_EQ(w.window_batches(), std::size_t(std::min<std::int64_t>(b + 1, window)));
    const RowMatrix all = w.window_features();
    const Brute ref = brute_dbscan(all, eps, min_samples);
    const auto labels = w.window_labels();
    const auto mask = core_mask(w);
    // Oracle 1: brute force from scratch, canonical labels equal (same noise, same core
    // partition, border points in their lowest-index core neighbour's cluster).
    ASSERT_EQ(mask, ref.core) << "batch " << b;
    ASSERT_EQ(canonical(labels, mask), ref.labels) << "batch " << b;
    // Oracle 2: exact DBSCAN on the window.
    DBSCANSettings s;
    s.eps = eps;
    s.min_samples = min_samples;
    ASSERT_EQ(DBSCAN(s).fit(all).labels, ref.labels) << "batch " << b;
    // The newest batch: labels, anomalies, and score() against the window.
    const auto& last = w.last_labels();
    ASSERT_EQ(last.size(), std::size_t(x.rows()));
    ASSERT_TRUE(std::equal(last.begin(), last.end(), labels.end() - std::ptrdiff_t(last.size())));
    ASSERT_EQ(w.predict(x), last) << "batch " << b;
    std::vector<std::int64_t> noise_rows;
    for (std::size_t k = 0; k < last.size(); ++k)
      if (last[k] < 0) noise_rows.push_back(std::int64_t(k));
    ASSERT_EQ(w.last_anomalies(), noise_rows);
    seen_clusters = std::max<std::int64_t>(seen_clusters, std::int64_t(w.cluster_sizes().size()));
    seen_noise += std::int64_t(noise_rows.size());
    max_reexpanded_share = std::max<std::int64_t>(max_reexpanded_share, w.last_reexpanded());
  }
  EXPECT_GE(seen_clusters, 3);
  EXPECT_GT(seen_noise, 0);
  EXPECT_EQ(w.batches_seen(), 50);
}

TEST(WindowedDBSCAN, EqualsRecomputationAfterEachOf50Batches2D) {
  expect_window_equals_recomputation(2, 0.35, 0.3, 6, 8);
}

TEST(WindowedDBSCAN, EqualsRecomputationAfterEachOf50Batches10D) {
  expect_window_equals_recomputation(10, 0.3, 1.2, 6, 6);
}

TEST(WindowedDBSCAN, WindowOfOneBatchIsExactDBSCANOfTheBatch) {
  WindowedDBSCAN w = make(0.3, 5, 1);
  DBSCANSettings s;
  s.eps = 0.3;
  s.min_samples = 5;
  for (int b = 0; b < 5; ++b) {
    const RowMatrix x = stream_batch(b, 2, 0.35, 99);
    w.partial_fit(x);
    EXPECT_EQ(canonical(w.last_labels(), core_mask(w)), DBSCAN(s).fit(x).labels) << "batch " << b;
  }
}

// Hand-built, 1-D, eps = 1, min_samples = 2 (any two points within 1 are both core),
// window_batches = 3. Expected ids follow the rule in windowed_dbscan.h.
TEST(WindowedDBSCAN, ClusterIdsStayStableByTheDocumentedRule) {
  WindowedDBSCAN w = make(1.0, 2, 3);
  auto fit = [&](std::vector<double> v) {
    w.partial_fit(Eigen::Map<const RowMatrix>(v.data(), Eigen::Index(v.size()), 1));
    return w.last_labels();
  };
  using L = std::vector<std::int64_t>;
  // b0: two new clusters, ids in the order of their oldest core point.
  EXPECT_EQ(fit({0.0, 0.8, 10.0, 10.8}), (L{0, 0, 1, 1}));
  // b1: each grows; both persist.
  EXPECT_EQ(fit({1.6, 9.2}), (L{0, 1}));
  // b2: an isolated point: noise, reported as an anomaly.
  EXPECT_EQ(fit({5.0}), (L{-1}));
  EXPECT_EQ(w.last_anomalies(), (L{0}));
  // b3: b0 expires; a chain 5.9 .. 8.4 and 2.4 .. 4.2 links 1.6 - 5.0 - 9.2: clusters 0 and 1
  // merge, the older id 0 survives.
  EXPECT_EQ(fit({5.9, 6.8, 7.6, 8.4, 2.4, 3.3, 4.2}), (L{0, 0, 0, 0, 0, 0, 0}));
  EXPECT_EQ(w.window_labels(), (L{0, 0, 0, 0, 0, 0, 0, 0, 0, 0}));
  // b4: b1 expires (1.6, 9.2); the chain holds through 5.0, cluster 0 persists. A new cluster
  // far away gets the next fresh id, 2 (ids are never reused).
  EXPECT_EQ(fit({100.0, 100.5}), (L{2, 2}));
  EXPECT_EQ(w.window_labels(), (L{0, 0, 0, 0, 0, 0, 0, 0, 2, 2}));
  // b5: b2 expires (5.0): cluster 0 splits into {5.9 .. 8.4} and {2.4 .. 4.2}. Its oldest
  // surviving core point is 5.9 (first of b3), so that part keeps 0 and the other gets 3.
  EXPECT_EQ(fit({100.2}), (L{2}));
  EXPECT_EQ(w.window_labels(), (L{0, 0, 0, 0, 3, 3, 3, 2, 2, 2}));
  EXPECT_EQ(w.cluster_sizes(), (std::map<std::int64_t, std::int64_t>{{0, 4}, {2, 3}, {3, 3}}));
  // b6: b3 expires, clusters 0 and 3 end; cluster 2 persists; 50 is an anomaly.
  EXPECT_EQ(fit({50.0}), (L{-1}));
  EXPECT_EQ(w.window_labels(), (L{2, 2, 2, -1}));
  // score(): labels against the window, the points not added.
  EXPECT_EQ(w.predict(Eigen::Map<const RowMatrix>(std::vector<double>{100.9, 99.0, 50.5}.data(), 3, 1)),
            (L{2, 2, -1}));  // 99.0 is 1.0 from 100.0: within eps (inclusive), so cluster 2
  JsonWriter j;
  j.begin_object();
  w.write_summary(j);
  j.end_object();
  EXPECT_EQ(j.str(),
            R"({"batches_seen":7,"window_batches":3,"window_points":4,"clusters":1,"cluster_sizes":{"2":3},)"
            R"("window_noise":1,"last_batch_points":1,"last_batch_anomalies":1})");
}

TEST(WindowedDBSCAN, LearnerInterface) {
  WindowedDBSCAN w = make(0.3, 5, 4);
  Learner& learner = w;
  EXPECT_EQ(learner.type(), "dbscan");
  EXPECT_EQ(learner.params_json(),
            R"({"eps":0.3,"min_samples":5,"metric":"euclidean","algorithm":"auto","window_batches":4,"window_seconds":0})");
  const RowMatrix x = stream_batch(3, 2, 0.35, 5);
  Batch batch;
  batch.rows = std::size_t(x.rows());
  batch.cols = 2;
  batch.features.assign(x.data(), x.data() + x.size());
  learner.partial_fit(batch);
  const Eigen::VectorXd scores = learner.score(batch);
  ASSERT_EQ(scores.size(), x.rows());
  for (Eigen::Index i = 0; i < scores.size(); ++i) EXPECT_EQ(scores[i], double(w.last_labels()[std::size_t(i)]));
}

// The window-wide grid (1 to 3 features, each metric) against exact DBSCAN recomputed with the
// kd-tree, after each batch; a share of the points sits near 1e9, where cell coordinates would
// pass 2^30 at this eps, so the grid's list of far points is queried and queries from it too.
TEST(WindowedDBSCAN, GridWindowEqualsRecomputationForEachMetricAndFarPoints) {
  for (const std::string metric : {"euclidean", "manhattan", "chebyshev"})
    for (std::size_t d = 1; d <= 3; ++d) {
      WindowedDBSCANSettings ws;
      ws.eps = 0.3;
      ws.min_samples = 5;
      ws.set("metric", metric);
      ws.algorithm = NeighborAlgorithm::Grid;
      ws.window_batches = 5;
      WindowedDBSCAN w(ws);
      DBSCANSettings s = ws.dbscan();
      s.algorithm = NeighborAlgorithm::KdTree;
      for (int b = 0; b < 20; ++b) {
        RowMatrix x = stream_batch(b, d, 0.35, 31 + d);
        for (Eigen::Index i = 0; i < x.rows(); i += 4) x(i, 0) += 1e9;
        w.partial_fit(x);
        const DBSCANResult ref = DBSCAN(s).fit(w.window_features());
        std::vector<std::uint8_t> mask(w.window_points(), 0);
        for (auto i : ref.core_sample_indices) mask[std::size_t(i)] = 1;
        ASSERT_EQ(core_mask(w), mask) << metric << " d " << d << " batch " << b;
        ASSERT_EQ(canonical(w.window_labels(), mask), ref.labels) << metric << " d " << d << " batch " << b;
        ASSERT_EQ(w.predict(x), w.last_labels()) << metric << " d " << d << " batch " << b;
      }
    }
}

TEST(WindowedDBSCAN, OneThreadEqualsTwoThreadsBitForBit) {
  auto run = [](int threads) {
    tbb::global_control c(tbb::global_control::max_allowed_parallelism, std::size_t(threads));
    WindowedDBSCAN w = make(0.3, 6, 8);
    std::vector<std::vector<std::int64_t>> history;
    for (int b = 0; b < 30; ++b) {
      RowMatrix x = stream_batch(b, 2, 0.35, 77);
      // Larger batches, so that two threads share the work.
      RowMatrix big(x.rows() * 8, 2);
      for (int rep = 0; rep < 8; ++rep)
        big.middleRows(rep * x.rows(), x.rows()) = x.array() + 0.01 * rep;
      w.partial_fit(big);
      history.push_back(w.window_labels());
    }
    return history;
  };
  EXPECT_EQ(run(1), run(2));
}

TEST(WindowedDBSCAN, BadInputIsNamed) {
  WindowedDBSCANSettings s;
  s.window_batches = 0;
  EXPECT_NE(error_of([&] { WindowedDBSCAN{s}; }).find("window_batches must be >= 1, got 0"), std::string::npos);
  s = {};
  s.eps = -0.5;
  EXPECT_NE(error_of([&] { WindowedDBSCAN{s}; }).find("dbscan: eps must be > 0, got -0.5"), std::string::npos);
  s = {};
  EXPECT_NE(error_of([&] { s.set("window", "3"); }).find("dbscan has no setting 'window'; known: eps, min_samples, "
                                                         "metric, algorithm, window_batches"),
            std::string::npos);
  s.set("window_batches", "3");
  s.set("eps", "0.2");
  EXPECT_EQ(s.window_batches, 3);
  EXPECT_EQ(s.eps, 0.2);

  WindowedDBSCAN w = make(0.5, 3, 2);
  w.partial_fit(uniform(20, 2, 1));
  EXPECT_NE(error_of([&] { w.partial_fit(uniform(5, 3, 2)); }).find("features has 3 columns, the window's points have 2"),
            std::string::npos);
  RowMatrix bad = uniform(5, 2, 3);
  bad(4, 0) = std::nan("");
  EXPECT_NE(error_of([&] { w.partial_fit(bad); }).find("features row 4 column 0 is nan"), std::string::npos);
  EXPECT_NE(error_of([&] { (void)w.predict(bad); }).find("features row 4 column 0 is nan"), std::string::npos);
  // The window is unchanged by rejected batches.
  EXPECT_EQ(w.batches_seen(), 1);
  EXPECT_EQ(w.window_points(), 20u);
}

}  // namespace
}  // namespace streamml

namespace streamml {
namespace {

using namespace dbscan_test;

TEST(WindowedDBSCAN, EventTimeWindowKeepsTheBatchesWithinTAndEqualsRecomputation) {
  // Batches ending every 7 s of event time (one 20 s gap before batch 15), T = 25 s: after
  // each batch the window holds the batches with newest_end - end < 25 (by hand: 4 while
  // batches are 7 s apart — 0, 7, 14, 21 s back — and 2 right after the gap — 0, 20), and equals
  // brute-force DBSCAN recomputed on their points.
  WindowedDBSCANSettings s;
  s.eps = 0.6;
  s.min_samples = 4;
  s.window_seconds = 25;
  WindowedDBSCAN w(s);
  std::vector<EventTime> ends;
  std::vector<RowMatrix> kept;
  EventTime t = 0;
  for (int b = 0; b < 30; ++b) {
    t += (b == 15 ? 20 : 7) * kMicrosPerSecond;
    const RowMatrix x = stream_batch(b, 2, 0.3, 5);
    w.partial_fit(x, t);
    ends.push_back(t);
    std::size_t expected = 0;
    for (EventTime e : ends) expected += t - e < 25 * kMicrosPerSecond;
    ASSERT_EQ(w.window_batches(), expected) << "batch " << b;
    if (b == 14) {
      ASSERT_EQ(expected, 4u);
    }
    if (b == 15) {
      ASSERT_EQ(expected, 2u);
    }
    // Brute force over exactly the batches within T, in arrival order.
    std::vector<RowMatrix> window;
    for (int k = b; k >= 0 && t - ends[std::size_t(k)] < 25 * kMicrosPerSecond; --k)
      window.insert(window.begin(), stream_batch(k, 2, 0.3, 5));
    Eigen::Index rows = 0;
    for (const auto& m : window) rows += m.rows();
    RowMatrix all(rows, 2);
    Eigen::Index at = 0;
    for (const auto& m : window) {
      all.middleRows(at, m.rows()) = m;
      at += m.rows();
    }
    const Brute ref = brute_dbscan(all, s.eps, s.min_samples);
    ASSERT_EQ(core_mask(w), ref.core) << "batch " << b;
    ASSERT_EQ(canonical(w.window_labels(), core_mask(w)), ref.labels) << "batch " << b;
  }
}

TEST(WindowedDBSCAN, EventTimeWindowNeedsTimes) {
  WindowedDBSCANSettings s;
  s.window_seconds = 10;
  WindowedDBSCAN w(s);
  const RowMatrix x = stream_batch(0, 2, 0.3, 5);
  EXPECT_NE(error_of([&] { w.partial_fit(x); }).find("window_seconds needs the event time"),
            std::string::npos);
  s.window_seconds = -1;
  EXPECT_NE(error_of([&] { WindowedDBSCAN bad(s); }).find("window_seconds must be >= 0"),
            std::string::npos);
}

}  // namespace
}  // namespace streamml
