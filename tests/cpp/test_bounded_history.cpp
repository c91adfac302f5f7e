// BoundedHistory (core/bounded_history.h): every claim of its header comment checked against a
// brute-force recomputation from the whole series (every point added, kept in a plain vector),
// after every point of long runs with several bounds; and the stages that keep one (the
// prequential learning curve, the clustering noise curve) checkpoint the same number of bytes
// after 10 batches as after 10,000 once their bounds are reached.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "algorithms/clustering/streaming_kmeans.h"
#include "algorithms/linear/logistic_regression_sgd.h"
#include "core/bounded_history.h"
#include "core/checkpoint_file.h"
#include "streaming/stages/clustering_stage.h"
#include "streaming/stages/prequential_stage.h"

namespace streamml {
namespace {

// The value of point `ordinal`: distinct per ordinal, so a kept point shows where it came from.
double value_of(std::int64_t ordinal) { return 0.5 + double(ordinal) * 3.0; }

// Checks the history after n = all.size() points against the whole series.
void check_claims(const BoundedHistory<double>& h, const std::vector<double>& all, const HistoryBounds& b) {
  const auto n = std::int64_t(all.size());
  const std::int64_t s = h.stride();
  SCOPED_TRACE("after " + std::to_string(n) + " points, recent " + std::to_string(b.recent) + ", whole " +
               std::to_string(b.whole) + ", stride " + std::to_string(s));
  ASSERT_EQ(h.count(), n);
  // Memory: at most recent + whole points, whatever n.
  ASSERT_EQ(h.recent().size(), std::min<std::size_t>(all.size(), b.recent));
  ASSERT_LE(h.whole().size(), b.whole);
  // recent: the last `recent` points, exactly.
  ASSERT_EQ(h.first_recent_ordinal(), n - std::int64_t(h.recent().size()));
  for (std::size_t i = 0; i < h.recent().size(); ++i)
    ASSERT_EQ(h.recent()[i], all[std::size_t(h.first_recent_ordinal()) + i]);
  if (n == 0) return;
  ASSERT_EQ(h.last(), all.back());
  // The stride is a power of two.
  ASSERT_TRUE(s >= 1 && (s & (s - 1)) == 0);
  const auto& w = h.whole();
  // Until `whole` points were added, every one; from then on exactly `whole`.
  if (n <= std::int64_t(b.whole)) {
    ASSERT_EQ(w.size(), std::size_t(n));
    for (std::int64_t o = 0; o < n; ++o) ASSERT_EQ(w[std::size_t(o)].first, o);
  } else {
    ASSERT_EQ(w.size(), b.whole);
  }
  // Each kept point is the one added at its ordinal; ordinal 0 first, the others on the stride.
  ASSERT_EQ(w.front().first, 0);
  for (const auto& [o, v] : w) {
    ASSERT_EQ(v, all[std::size_t(o)]);
    ASSERT_EQ(o % s, 0) << "ordinal " << o;
  }
  // Consecutive kept points are s or 2s apart, the 2s gaps (older) before the s gaps (newer).
  bool seen_s = false;
  for (std::size_t i = 1; i < w.size(); ++i) {
    const std::int64_t gap = w[i].first - w[i - 1].first;
    ASSERT_TRUE(gap == s || gap == 2 * s) << "gap " << gap << " before ordinal " << w[i].first;
    if (gap == s) seen_s = true;
    ASSERT_FALSE(gap == 2 * s && seen_s) << "a 2s gap after an s gap, before ordinal " << w[i].first;
  }
  // The newest kept point is less than s before the newest point.
  ASSERT_LT(n - 1 - w.back().first, s);
  // s < 2n / whole once the curve is full (before, s = 1).
  if (n < std::int64_t(b.whole)) ASSERT_EQ(s, 1);
  else ASSERT_LT(double(s), 2.0 * double(n) / double(b.whole));
  // kept(): both parts by ordinal, each point once.
  const auto kept = h.kept();
  for (std::size_t i = 0; i < kept.size(); ++i) {
    ASSERT_EQ(kept[i].second, all[std::size_t(kept[i].first)]);
    if (i > 0) ASSERT_LT(kept[i - 1].first, kept[i].first);
  }
  ASSERT_EQ(kept.back().first, n - 1);
}

TEST(BoundedHistory, EveryClaimOfTheHeaderHoldsAfterEveryPoint) {
  const std::vector<HistoryBounds> bounds = {{1, 2}, {3, 4}, {5, 7}, {8, 16}, {100, 33}};
  for (const auto& b : bounds) {
    BoundedHistory<double> h(b);
    std::vector<double> all;
    check_claims(h, all, b);
    for (std::int64_t o = 0; o < 20'000; ++o) {
      h.add(value_of(o));
      all.push_back(value_of(o));
      check_claims(h, all, b);
      if (::testing::Test::HasFatalFailure()) return;
    }
  }
}

TEST(BoundedHistory, WholeCurveSpansTheStreamAtEveryScale) {
  // After 10^6 points with 1,000 kept, the curve still starts at 0 and ends within one stride of
  // the newest point. The stride, by hand: the 999 gaps are s or 2s and span about 10^6, so
  // s <= 1,001 <= 2s: s = 512 (within the header's bound s < 2 x 10^6 / 1,000).
  BoundedHistory<double> h({10, 1000});
  for (std::int64_t o = 0; o < 1'000'000; ++o) h.add(value_of(o));
  EXPECT_EQ(h.stride(), 512);
  EXPECT_EQ(h.whole().size(), 1000u);
  EXPECT_EQ(h.whole().front().first, 0);
  EXPECT_GT(h.whole().back().first, 1'000'000 - 1 - 512);
  EXPECT_EQ(h.recent().size(), 10u);
}

TEST(BoundedHistory, RestoreTakesBackASavedStateAndRefusesOthers) {
  const HistoryBounds b{4, 6};
  BoundedHistory<double> a(b);
  for (std::int64_t o = 0; o < 777; ++o) a.add(value_of(o));
  BoundedHistory<double> copy(b);
  copy.restore(a.count(), a.stride(), a.whole(), a.recent(), "test");
  for (std::int64_t o = 777; o < 2000; ++o) {
    a.add(value_of(o));
    copy.add(value_of(o));
  }
  EXPECT_EQ(copy.whole(), a.whole());
  EXPECT_EQ(copy.recent(), a.recent());
  EXPECT_EQ(copy.stride(), a.stride());

  auto refused = [&](std::int64_t count, std::int64_t stride, std::vector<std::pair<std::int64_t, double>> whole,
                     std::deque<double> recent) {
    BoundedHistory<double> h(b);
    h.add(1.0);
    try {
      h.restore(count, stride, std::move(whole), std::move(recent), "curve");
    } catch (const Error& e) {
      EXPECT_EQ(h.count(), 1);  // unchanged
      return std::string(e.what());
    }
    return std::string();
  };
  EXPECT_NE(refused(10, 3, {{0, 1.0}}, {1, 2, 3, 4}).find("curve: 10 points with a stride of 3 is not a history"),
            std::string::npos);
  EXPECT_NE(refused(10, 2, {{0, 1.0}}, {1, 2}).find("curve: 2 recent points, expected 4"), std::string::npos);
  EXPECT_NE(refused(10, 2, {{0, 1.0}, {3, 1.0}}, {1, 2, 3, 4}).find("whole-stream point 1 has ordinal 3"),
            std::string::npos);
  EXPECT_NE(refused(10, 2, {{2, 1.0}}, {1, 2, 3, 4}).find("whole-stream point 0 has ordinal 2"), std::string::npos);
  EXPECT_NE(refused(10, 1, {{0, 1}, {1, 1}, {2, 1}, {3, 1}, {4, 1}, {5, 1}, {6, 1}}, {1, 2, 3, 4})
                .find("7 whole-stream points for 10 points, at most 6"),
            std::string::npos);
  std::string bad_bounds;
  try {
    BoundedHistory<double> h({0, 1});
  } catch (const Error& e) {
    bad_bounds = e.what();
  }
  EXPECT_NE(bad_bounds.find("recent must be >= 1 and whole >= 2 points, got 0 and 1"), std::string::npos);
}

// Batch i of 100 records: two features, a label from them.
Batch batch_of(std::int64_t i) {
  Batch b;
  b.index = i;
  b.rows = 100;
  b.cols = 2;
  for (std::size_t r = 0; r < b.rows; ++r) {
    const double x = std::sin(double(i * 100 + std::int64_t(r)) * 0.37), y = std::cos(double(i * 7 + std::int64_t(r)) * 0.11);
    b.features.push_back(x);
    b.features.push_back(y);
    b.labels.push_back(x + 0.3 * y > 0 ? 1.0 : 0.0);
  }
  return b;
}

// The stage's checkpoint size after 10 batches and after 10,000: the bounds (5 recent points,
// 4 whole-stream points, a window of 100 predictions) are reached within 10 batches, so only the
// digits of the JSON attributes (metrics) may differ.
template <class MakeStage>
void expect_same_checkpoint_size(MakeStage make_stage) {
  auto stage = make_stage();
  std::size_t after_10 = 0;
  for (std::int64_t i = 0; i < 10'000; ++i) {
    Batch b = batch_of(i);
    stage->process(b);
    if (i == 9) after_10 = checkpoint_bytes(*stage).size();
  }
  const std::size_t after_10000 = checkpoint_bytes(*stage).size();
  EXPECT_NEAR(double(after_10000), double(after_10), 256.0) << after_10 << " bytes after 10 batches, " << after_10000
                                                            << " after 10,000";
}

TEST(BoundedState, PrequentialStageCheckpointSizeDoesNotGrowWithTheStream) {
  expect_same_checkpoint_size([] {
    LogisticRegressionSGDSettings s;
    s.mode = LogisticMode::Online;
    PrequentialSettings p;
    p.window = 100;
    p.curve_recent = 5;
    p.curve_points = 4;
    return std::make_unique<PrequentialStage>("ctr", std::make_shared<LogisticRegressionSGD>(s), p);
  });
}

TEST(BoundedState, ClusteringStageCheckpointSizeDoesNotGrowWithTheStream) {
  expect_same_checkpoint_size([] {
    StreamingKMeansSettings s;
    s.k = 3;
    ClusteringStageSettings c;
    c.curve_recent = 5;
    c.curve_points = 4;
    c.max_labels = 10;
    return std::make_unique<ClusteringStage>("clusters", std::make_shared<StreamingKMeans>(s), c);
  });
}

}  // namespace
}  // namespace streamml
