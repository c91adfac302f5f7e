// Top-k dot products: for each query row q, the k target rows t with the largest q . t, as
// Spark's ALSModel.recommendForAll computes them (blocks of query rows times blocks of target
// rows as matrix products, then the best k of each row kept). Ties go to the lower target row,
// so the answer is one whatever the blocks or the thread count.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <vector>

namespace streamml {

struct TopK {
  std::size_t rows = 0, k = 0;
  // rows x k, best first; a row with fewer than k candidates is padded with -1 and NaN.
  std::vector<std::int64_t> index;
  std::vector<double> score;
};

// Target rows a query must skip (sorted ascending), e.g. the items a user has seen.
using ExcludeFn = std::function<void(std::size_t query, std::vector<std::uint32_t>& excluded)>;

// queries: nq x rank, targets: nt x rank, both row-major. `block` query rows per matrix
// product (Spark's blockSize). Parallel over query blocks.
TopK top_k_products(const double* queries, std::size_t nq, const double* targets, std::size_t nt, int rank,
                    std::size_t k, std::size_t block, const ExcludeFn& exclude = nullptr);

}  // namespace streamml
