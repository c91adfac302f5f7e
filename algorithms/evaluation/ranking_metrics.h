// Offline ranking metrics at K with the definitions of benfred/implicit's
// implicit.evaluation.ranking_metrics_at_k (evaluation.pyx), so figures compare with it:
// for every user with at least one test item (likes = its test items, L = |likes|),
// recommendations = the model's top K leaving out the user's training items, then
//   precision  sum over users of hits / sum over users of min(K, L)
//   map        mean over users of (sum over hits at position i of hits_so_far / (i + 1)) / min(K, L)
//   ndcg       mean over users of (sum over hits at i of 1 / log2(i + 2)) / IDCG, IDCG the sum of
//              the first min(K, L) of those gains (binary relevance)
//   auc        mean over users of AUC@K: each miss at position i counts the hits above it, then
//              ((hits + L) / 2) (items - L - misses) for the items below the list, over
//              L (items - L)
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "algorithms/recommend/top_k.h"
#include "core/batch.h"

namespace streamml {

class AlternatingLeastSquares;

struct RankingMetrics {
  double precision = 0.0, map = 0.0, ndcg = 0.0, auc = 0.0;
  std::int64_t users = 0;  // users with a test item
};

// The figures from given lists: lists row j (K columns, -1 padding) belongs to users[j]; test is
// users x items (row u's columns are its test items).
RankingMetrics ranking_metrics(const TopK& lists, const std::vector<std::size_t>& users, const CsrMatrix& test);

// A fitted model's figures: its factor rows are the matrices' rows and columns (a model fitted
// with fit(train)). Lists leave out each user's train items, as implicit's recommend does.
RankingMetrics ranking_metrics_at_k(const AlternatingLeastSquares& model, const CsrMatrix& train,
                                    const CsrMatrix& test, std::size_t k = 10);

}  // namespace streamml
