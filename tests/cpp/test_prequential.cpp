// PrequentialEvaluator against scikit-learn 1.2.1's metrics on the same predictions.
//
// Oracle figures from (Python 3.11, scikit-learn 1.2.1):
//   import numpy as np
//   from sklearn.metrics import roc_auc_score, log_loss, accuracy_score
//   rng = np.random.RandomState(3)
//   s = np.round(rng.rand(40), 2)          # rounded so that some scores tie
//   y = (rng.rand(40) < s).astype(float)
//   roc_auc_score(y, s)              -> 0.8777472527472528
//   log_loss(y, s)                   -> 0.5200604772752129
//   accuracy_score(y, s > 0.5)       -> 0.775
//   roc_auc_score(y[-16:], s[-16:])  -> 0.7692307692307693   (a window of 16)
//   log_loss(y[-16:], s[-16:])       -> 0.6198083326661291
//   roc_auc_score(y[20:30], s[20:30])-> 0.9583333333333334   (the third batch of 10)
//   log_loss(y[20:30], s[20:30])     -> 0.45353652526341043
// and the 10-bin histogram AUC and its bound, transcribed in NumPy from the header's
// definition:
//   b = np.minimum(9, (s * 10).astype(int)); P = np.bincount(b[y > 0], minlength=10)
//   N = np.bincount(b[y == 0], minlength=10)
//   sum(P[i] * (N[:i].sum() + 0.5 * N[i]) for i in range(10)) / (P.sum() * N.sum()) -> 0.8681318681318682
//   0.5 * (P * N).sum() / (P.sum() * N.sum())                                       -> 0.038461538461538464
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "algorithms/evaluation/prequential.h"
#include "core/error.h"
#include "core/json.h"

namespace streamml {
namespace {

const std::vector<double> kScores = {0.55, 0.71, 0.29, 0.51, 0.89, 0.9,  0.13, 0.21, 0.05, 0.44,
                                     0.03, 0.46, 0.65, 0.28, 0.68, 0.59, 0.02, 0.56, 0.26, 0.42,
                                     0.28, 0.69, 0.44, 0.16, 0.54, 0.78, 0.31, 0.22, 0.39, 0.94,
                                     0.98, 0.67, 0.9,  0.85, 0.38, 0.09, 0.65, 0.56, 0.36, 0.23};
const std::vector<double> kLabels = {1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 0, 0, 0, 0,
                                     0, 1, 1, 0, 1, 1, 1, 0, 0, 1, 1, 1, 1, 1, 0, 1, 1, 1, 1, 1};

Eigen::Map<const Eigen::VectorXd> part(const std::vector<double>& v, std::size_t begin, std::size_t end) {
  return {v.data() + begin, Eigen::Index(end - begin)};
}

PrequentialEvaluator feed(PrequentialSettings settings) {
  PrequentialEvaluator e(settings);
  for (std::size_t b = 0; b < 40; b += 10) e.update(part(kScores, b, b + 10), part(kLabels, b, b + 10));
  return e;
}

TEST(Prequential, MatchesScikitLearnMetrics) {
  PrequentialSettings s;
  s.window = 16;
  s.auc_bins = 1000;  // finer than the scores' 0.01 grid: no bin holds two distinct scores
  const PrequentialEvaluator e = feed(s);
  EXPECT_EQ(e.batches(), 4);
  EXPECT_EQ(e.count(), 40);
  // Cumulative (sklearn over all 40).
  EXPECT_NEAR(e.cumulative().log_loss, 0.5200604772752129, 1e-12);
  EXPECT_DOUBLE_EQ(e.cumulative().accuracy, 0.775);
  // With bins finer than the score grid, tied scores share a bin and count one half, exactly
  // as roc_auc_score counts ties, so the streaming AUC is the exact one and the bound says so.
  EXPECT_NEAR(e.cumulative().auc, 0.8777472527472528, 1e-12);
  // Window of the last 16.
  EXPECT_EQ(e.window().count, 16);
  EXPECT_NEAR(e.window().auc, 0.7692307692307693, 1e-12);
  EXPECT_NEAR(e.window().log_loss, 0.6198083326661291, 1e-12);
  // Per batch: the third batch (rows 20..29).
  const PrequentialMetrics third = e.curve()[2].batch_metrics;
  EXPECT_NEAR(third.auc, 0.9583333333333334, 1e-12);
  EXPECT_NEAR(third.log_loss, 0.45353652526341043, 1e-12);
  EXPECT_EQ(third.count, 10);
  // The last point of the curve is the cumulative figure.
  EXPECT_EQ(e.curve().back().cumulative_metrics.auc, e.cumulative().auc);
  // Window contents are the last 16 predictions, oldest first.
  EXPECT_EQ(e.window_scores(), std::vector<double>(kScores.end() - 16, kScores.end()));
}

TEST(Prequential, StreamingAucStaysWithinItsStatedBound) {
  PrequentialSettings s;
  s.auc_bins = 10;
  const PrequentialEvaluator e = feed(s);
  EXPECT_NEAR(e.cumulative().auc, 0.8681318681318682, 1e-12);
  EXPECT_NEAR(e.cumulative_auc_error_bound(), 0.038461538461538464, 1e-12);
  EXPECT_LE(std::abs(e.cumulative().auc - 0.8777472527472528), e.cumulative_auc_error_bound());
  EXPECT_NEAR(PrequentialEvaluator::exact_auc(kScores.data(), kLabels.data(), 40), 0.8777472527472528, 1e-15);
}

TEST(Prequential, SingleClassAucIsUndefined) {
  PrequentialEvaluator e;
  const std::vector<double> s = {0.2, 0.7}, y = {1, 1};
  e.update(part(s, 0, 2), part(y, 0, 2));
  EXPECT_TRUE(std::isnan(e.last_batch().auc));
  EXPECT_TRUE(std::isnan(e.cumulative().auc));
  EXPECT_DOUBLE_EQ(e.cumulative().accuracy, 0.5);
  // log loss of p = 1 with y = 0 is clipped (sklearn eps = 2^-52), not infinite.
  PrequentialEvaluator clip;
  const std::vector<double> one = {1.0}, zero = {0.0};
  clip.update(part(one, 0, 1), part(zero, 0, 1));
  EXPECT_NEAR(clip.cumulative().log_loss, -std::log(2.220446049250313e-16), 1e-9);
  JsonWriter w;
  w.begin_object();
  e.write_summary(w);
  w.end_object();
  EXPECT_NE(w.str().find("\"cumulative\":{\"count\":2,"), std::string::npos) << w.str();
  EXPECT_NE(w.str().find("\"auc\":null"), std::string::npos) << w.str();
}

TEST(Prequential, BadInputIsNamedAndNotCounted) {
  PrequentialEvaluator e;
  auto message = [&](std::vector<double> s, std::vector<double> y) {
    try {
      e.update(part(s, 0, s.size()), part(y, 0, y.size()));
    } catch (const Error& err) {
      EXPECT_EQ(err.kind(), ErrorKind::InvalidInput);
      return std::string(err.what());
    }
    return std::string("(no error)");
  };
  EXPECT_NE(message({0.5, 1.5}, {1, 0}).find("score of row 1 is 1.5, expected a probability in [0, 1]"), std::string::npos);
  EXPECT_NE(message({0.5, NAN}, {1, 0}).find("score of row 1 is nan"), std::string::npos);
  EXPECT_NE(message({0.5, 0.5}, {1, 2}).find("label of row 1 is 2, expected 0 or 1"), std::string::npos);
  EXPECT_NE(message({0.5}, {1, 0}).find("1 scores for 2 labels"), std::string::npos);
  EXPECT_EQ(e.count(), 0);
  EXPECT_EQ(e.batches(), 0);
  PrequentialSettings bad;
  bad.window = 0;
  EXPECT_THROW(PrequentialEvaluator{bad}, Error);
}

}  // namespace
}  // namespace streamml
