#include "algorithms/recommend/factor_table.h"

#include <algorithm>
#include <cmath>

#include "core/parallel.h"

namespace streamml {

namespace {

std::uint64_t splitmix64(std::uint64_t& state) {
  std::uint64_t z = (state += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

// (0, 1]: safe under log.
double unit_open(std::uint64_t& state) { return double((splitmix64(state) >> 11) + 1) * 0x1.0p-53; }

constexpr std::size_t kGramBlock = 2048;

}  // namespace

void FactorTable::initial_row(std::uint64_t seed, int side, std::size_t r, int rank, double* out) {
  // One stream per (seed, side, row): the three mixed so neighbouring rows are unrelated.
  std::uint64_t state = seed * 0xD1B54A32D192ED03ULL ^ (std::uint64_t(side) << 62) ^ std::uint64_t(r);
  splitmix64(state);
  double norm2 = 0.0;
  for (int j = 0; j < rank; j += 2) {
    const double radius = std::sqrt(-2.0 * std::log(unit_open(state)));
    const double angle = 6.283185307179586 * unit_open(state);
    out[j] = radius * std::cos(angle);
    if (j + 1 < rank) out[j + 1] = radius * std::sin(angle);
  }
  for (int j = 0; j < rank; ++j) norm2 += out[j] * out[j];
  const double scale = 1.0 / std::sqrt(norm2);
  for (int j = 0; j < rank; ++j) out[j] *= scale;
}

void FactorTable::grow_to(std::size_t rows) {
  if (rows <= rows_) return;
  const std::size_t k = std::size_t(rank_);
  if (rows * k > data_.capacity()) data_.reserve(std::max(rows * k, 2 * data_.capacity()));
  data_.resize(rows * k);
  for (std::size_t r = rows_; r < rows; ++r) initial_row(seed_, side_, r, rank_, row(r));
  rows_ = rows;
}

void FactorTable::assign(const double* values, std::size_t rows) {
  data_.assign(values, values + rows * std::size_t(rank_));
  rows_ = rows;
}

Eigen::MatrixXd FactorTable::gram() const {
  const Eigen::Index k = rank_;
  const std::size_t blocks = (rows_ + kGramBlock - 1) / kGramBlock;
  std::vector<Eigen::MatrixXd> partial(blocks);
  parallel_ranges(blocks, 1, [&](std::size_t from, std::size_t to) {
    for (std::size_t b = from; b != to; ++b) {
      const std::size_t begin = b * kGramBlock, end = std::min(rows_, begin + kGramBlock);
      const ConstRowMatrixMap y(row(begin), Eigen::Index(end - begin), k);
      partial[b] = Eigen::MatrixXd::Zero(k, k);
      partial[b].selfadjointView<Eigen::Lower>().rankUpdate(y.transpose());
    }
  });
  Eigen::MatrixXd g = Eigen::MatrixXd::Zero(k, k);
  for (const auto& p : partial) g += p;
  g.triangularView<Eigen::StrictlyUpper>() = g.transpose();
  return g;
}

}  // namespace streamml
