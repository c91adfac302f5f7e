#include "algorithms/evaluation/ranking_metrics.h"

#include <algorithm>
#include <cmath>
#include <unordered_set>

#include "algorithms/recommend/als.h"
#include "core/error.h"

namespace streamml {

RankingMetrics ranking_metrics(const TopK& lists, const std::vector<std::size_t>& users, const CsrMatrix& test) {
  STREAMML_CHECK(lists.rows == users.size(), InvalidInput,
                 "ranking metrics: " << lists.rows << " lists for " << users.size() << " users");
  const std::size_t k = lists.k;
  const double items = double(test.cols);
  std::vector<double> gain(k), gain_sum(k);
  for (std::size_t i = 0; i < k; ++i) {
    gain[i] = 1.0 / std::log2(double(i) + 2.0);
    gain_sum[i] = gain[i] + (i ? gain_sum[i - 1] : 0.0);
  }
  double relevant = 0, precision_div = 0, mean_ap = 0, ndcg = 0, mean_auc = 0;
  std::unordered_set<std::int64_t> likes;
  for (std::size_t j = 0; j < users.size(); ++j) {
    const std::size_t u = users[j];
    STREAMML_CHECK(u < test.rows(), InvalidInput, "ranking metrics: user " << u << " outside the test matrix");
    likes.clear();
    for (auto p = test.indptr[u]; p < test.indptr[u + 1]; ++p) likes.insert(test.indices[std::size_t(p)]);
    STREAMML_CHECK(!likes.empty(), InvalidInput, "ranking metrics: user " << u << " has no test item");
    const double liked = double(likes.size()), cut = std::min(double(k), liked);
    precision_div += cut;
    const double idcg = gain_sum[std::size_t(cut) - 1];
    const double negatives = items - liked;
    double ap = 0, hit = 0, miss = 0, auc = 0;
    for (std::size_t i = 0; i < k; ++i) {
      if (likes.count(lists.index[j * k + i])) {
        relevant += 1;
        hit += 1;
        ap += hit / double(i + 1);
        ndcg += gain[i] / idcg;
      } else {
        miss += 1;
        auc += hit;
      }
    }
    auc += ((hit + liked) / 2.0) * (negatives - miss);
    mean_ap += ap / cut;
    mean_auc += auc / (liked * negatives);
  }
  RankingMetrics m;
  m.users = std::int64_t(users.size());
  const double total = double(users.size());
  m.precision = relevant / precision_div;
  m.map = mean_ap / total;
  m.ndcg = ndcg / total;
  m.auc = mean_auc / total;
  return m;
}

RankingMetrics ranking_metrics_at_k(const AlternatingLeastSquares& model, const CsrMatrix& train,
                                    const CsrMatrix& test, std::size_t k) {
  const auto users_f = model.user_factors(), items_f = model.item_factors();
  STREAMML_CHECK(test.rows() <= std::size_t(users_f.rows()) && std::size_t(test.cols) <= std::size_t(items_f.rows()),
                 InvalidInput,
                 "ranking metrics: the test matrix is " << test.rows() << " x " << test.cols << ", the model has "
                                                        << users_f.rows() << " users x " << items_f.rows() << " items");
  STREAMML_CHECK(train.rows() == test.rows(), InvalidInput,
                 "ranking metrics: train has " << train.rows() << " rows, test " << test.rows());
  std::vector<std::size_t> users;
  for (std::size_t u = 0; u < test.rows(); ++u)
    if (test.indptr[u + 1] > test.indptr[u]) users.push_back(u);
  RowMatrix q(Eigen::Index(users.size()), users_f.cols());
  for (std::size_t j = 0; j < users.size(); ++j) q.row(Eigen::Index(j)) = users_f.row(Eigen::Index(users[j]));
  const ExcludeFn exclude = [&](std::size_t j, std::vector<std::uint32_t>& out) {
    const std::size_t u = users[j];
    out.clear();
    for (auto p = train.indptr[u]; p < train.indptr[u + 1]; ++p) out.push_back(std::uint32_t(train.indices[std::size_t(p)]));
    std::sort(out.begin(), out.end());
  };
  const TopK lists = top_k_products(q.data(), users.size(), items_f.data(), std::size_t(items_f.rows()),
                                    int(users_f.cols()), k, std::size_t(model.settings().block_size), exclude);
  return ranking_metrics(lists, users, test);
}

}  // namespace streamml
