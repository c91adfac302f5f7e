#include "algorithms/recommend/top_k.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include <Eigen/Core>

#include "core/parallel.h"

namespace streamml {

namespace {

using RowMat = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using ConstRowMap = Eigen::Map<const RowMat>;

// Targets per matrix product: block x 1024 scores stay a few MiB per thread.
constexpr std::size_t kTargetBlock = 1024;

struct Candidate {
  double score;
  std::int64_t index;
};

// Better first: higher score, then lower index.
bool better(const Candidate& a, const Candidate& b) {
  return a.score > b.score || (a.score == b.score && a.index < b.index);
}

}  // namespace

TopK top_k_products(const double* queries, std::size_t nq, const double* targets, std::size_t nt, int rank,
                    std::size_t k, std::size_t block, const ExcludeFn& exclude) {
  TopK out;
  out.rows = nq;
  out.k = k;
  out.index.assign(nq * k, -1);
  out.score.assign(nq * k, std::numeric_limits<double>::quiet_NaN());
  if (nq == 0 || k == 0) return out;
  block = std::max<std::size_t>(1, block);
  const std::size_t query_blocks = (nq + block - 1) / block;
  parallel_ranges(query_blocks, 1, [&](std::size_t from, std::size_t to) {
    RowMat scores;
    std::vector<std::vector<Candidate>> heaps;
    std::vector<std::vector<std::uint32_t>> excluded;
    for (std::size_t qb = from; qb != to; ++qb) {
      const std::size_t q0 = qb * block, q1 = std::min(nq, q0 + block), nb = q1 - q0;
      const ConstRowMap q(queries + q0 * std::size_t(rank), Eigen::Index(nb), rank);
      heaps.assign(nb, {});
      excluded.assign(nb, {});
      if (exclude)
        for (std::size_t i = 0; i < nb; ++i) exclude(q0 + i, excluded[i]);
      std::vector<std::size_t> next_excluded(nb, 0);
      for (std::size_t t0 = 0; t0 < nt; t0 += kTargetBlock) {
        const std::size_t t1 = std::min(nt, t0 + kTargetBlock);
        const ConstRowMap t(targets + t0 * std::size_t(rank), Eigen::Index(t1 - t0), rank);
        scores.noalias() = q * t.transpose();
        for (std::size_t i = 0; i < nb; ++i) {
          auto& heap = heaps[i];  // a min-heap under better(): the worst kept on top
          const auto& skip = excluded[i];
          std::size_t& e = next_excluded[i];
          for (std::size_t j = t0; j < t1; ++j) {
            while (e < skip.size() && skip[e] < j) ++e;
            if (e < skip.size() && skip[e] == j) continue;
            const Candidate c{scores(Eigen::Index(i), Eigen::Index(j - t0)), std::int64_t(j)};
            if (heap.size() < k) {
              heap.push_back(c);
              std::push_heap(heap.begin(), heap.end(), better);
            } else if (better(c, heap.front())) {
              std::pop_heap(heap.begin(), heap.end(), better);
              heap.back() = c;
              std::push_heap(heap.begin(), heap.end(), better);
            }
          }
        }
      }
      for (std::size_t i = 0; i < nb; ++i) {
        auto& heap = heaps[i];
        std::sort(heap.begin(), heap.end(), better);
        for (std::size_t r = 0; r < heap.size(); ++r) {
          out.index[(q0 + i) * k + r] = heap[r].index;
          out.score[(q0 + i) * k + r] = heap[r].score;
        }
      }
    }
  });
  return out;
}

}  // namespace streamml
