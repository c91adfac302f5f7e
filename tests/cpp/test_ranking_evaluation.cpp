// Ranking evaluation of recommenders: implicit's ranking_metrics_at_k definitions (a hand
// computation) and the prequential top-N evaluation against a brute-force recount.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>

#include "algorithms/evaluation/prequential_ranking.h"
#include "algorithms/evaluation/ranking_metrics.h"
#include "algorithms/recommend/als.h"
#include "als_test_util.h"
#include "core/checkpoint_file.h"
#include "test_helpers.h"

namespace streamml {
namespace {

// One user, 6 items, K = 3, test items {0, 4}, list [4, 2, 0]. Oracle, by hand with
// implicit's evaluation.pyx loop: precision 2 / min(3, 2) = 1; AP (1/1 + 2/3) / 2 = 5/6;
// NDCG (1 + 1/log2 4) / (1 + 1/log2 3); AUC@K: the miss at position 1 has 1 hit above it,
// then ((2 + 2) / 2) (4 - 1) = 6 for the items below the list: (1 + 6) / (2 * 4) = 0.875.
TEST(RankingMetrics, ImplicitsDefinitionsByHand) {
  TopK lists;
  lists.rows = 1;
  lists.k = 3;
  lists.index = {4, 2, 0};
  lists.score = {3, 2, 1};
  CsrMatrix test;
  test.cols = 6;
  test.indices = {0, 4};
  test.values = {1, 1};
  test.indptr = {0, 2};
  const RankingMetrics m = ranking_metrics(lists, {0}, test);
  EXPECT_DOUBLE_EQ(m.precision, 1.0);
  EXPECT_DOUBLE_EQ(m.map, 5.0 / 6.0);
  EXPECT_DOUBLE_EQ(m.ndcg, 1.5 / (1.0 + 1.0 / std::log2(3.0)));
  EXPECT_DOUBLE_EQ(m.auc, 0.875);
  EXPECT_EQ(m.users, 1);
}

// The prequential evaluation recounted by brute force: for each event, the rank of its item
// among every unseen item by the model's score (ties to the lower row) and by popularity.
TEST(PrequentialRanking, MatchesABruteForceRecount) {
  AlsSettings s;
  s.rank = 4;
  s.implicit_prefs = true;
  s.sweep_interval = 0;
  AlternatingLeastSquares model(s);
  std::mt19937_64 rng(11);
  auto events = [&](std::size_t n) {
    std::vector<als_test::Rating> out;
    for (std::size_t e = 0; e < n; ++e) {
      const double a = std::uniform_real_distribution<double>(0, 1)(rng);
      out.push_back({std::int64_t(rng() % 40), std::int64_t(a * a * 30), 1.0});
    }
    return out;
  };
  PrequentialRanking::Settings ps;
  ps.top_n = 5;
  ps.window = 150;
  PrequentialRanking eval(ps);
  double total_rr = 0, total_base_rr = 0;
  std::int64_t total_scored = 0, total_repeats = 0;
  for (int b = 0; b < 6; ++b) {
    const auto batch = events(100);
    double rr = 0, base_rr = 0;
    std::int64_t scored = 0;
    const auto& store = model.store();
    for (const auto& e : batch) {
      const auto u = model.user_ids().find(e.user), i = model.item_ids().find(e.item);
      if (u >= 0 && i >= 0 && store.has(std::uint32_t(u), std::uint32_t(i))) {
        ++total_repeats;
        continue;
      }
      ++scored;
      if (i < 0) continue;
      // Items ahead of i: unseen, and better by score (model) or by distinct users (baseline).
      std::int64_t ahead = 0, base_ahead = 0;
      for (std::int64_t j = 0; j < std::int64_t(model.item_ids().size()); ++j) {
        if (j == i || (u >= 0 && store.has(std::uint32_t(u), std::uint32_t(j)))) continue;
        if (u >= 0) {
          const double sj = model.user_factors().row(u).dot(model.item_factors().row(j));
          const double si = model.user_factors().row(u).dot(model.item_factors().row(i));
          ahead += sj > si || (sj == si && j < i);
        }
        const auto cj = store.item_count(std::uint32_t(j)), ci = store.item_count(std::uint32_t(i));
        base_ahead += cj > ci || (cj == ci && j < i);
      }
      if (u >= 0 && ahead < ps.top_n) rr += 1.0 / double(ahead + 1);
      if (base_ahead < ps.top_n) base_rr += 1.0 / double(base_ahead + 1);
    }
    eval.update(model, als_test::rating_batch(batch));
    const RankingFigures f = eval.last_batch();
    EXPECT_EQ(f.scored, scored) << "batch " << b;
    EXPECT_NEAR(f.mrr, rr / double(scored), 1e-12) << "batch " << b;
    EXPECT_NEAR(f.baseline_mrr, base_rr / double(scored), 1e-12) << "batch " << b;
    total_rr += rr;
    total_base_rr += base_rr;
    total_scored += scored;
    model.partial_fit(als_test::rating_batch(batch));
  }
  EXPECT_EQ(eval.repeats(), total_repeats);
  EXPECT_NEAR(eval.cumulative().mrr, total_rr / double(total_scored), 1e-12);
  EXPECT_NEAR(eval.cumulative().baseline_mrr, total_base_rr / double(total_scored), 1e-12);
  EXPECT_EQ(eval.window().scored, 150);
  EXPECT_GT(eval.cumulative().recall, 0.0);

  // Checkpoint round trip: the same figures, and the same after one more batch.
  const auto dir = testing::temp_dir("prequential_ranking");
  write_checkpoint_file((dir / "eval.h5").string(), eval, {});
  PrequentialRanking loaded;
  load_checkpoint_file((dir / "eval.h5").string(), loaded);
  EXPECT_EQ(loaded.params_json(), eval.params_json());
  EXPECT_EQ(loaded.metrics_json(), eval.metrics_json());
  const auto more = events(100);
  eval.update(model, als_test::rating_batch(more));
  loaded.update(model, als_test::rating_batch(more));
  EXPECT_EQ(loaded.metrics_json(), eval.metrics_json());
}

}  // namespace
}  // namespace streamml
