// FactorTable: the factors of one side of an ALS model (users or items), one row of `rank`
// doubles per id, that grows as new ids arrive.
//
// Storage is one aligned block (Eigen's allocator), grown geometrically, so a batch of new ids
// costs amortised O(new rows) and every row sits at the same alignment whatever the thread
// count or the history of reallocations: Eigen's vectorised reductions then add in the same
// order every time, which keeps results bit-identical across runs and resumed checkpoints.
//
// New rows start as Spark's initial factors: a vector of independent N(0, 1) draws scaled to
// unit length (ALS.scala, initialize). The draws are counter-based (SplitMix64 of seed, side
// and row, then Box-Muller), not Spark's XORShiftRandom stream: a row's start depends on its
// index alone, never on how the stream was cut into batches, and the random state a
// checkpoint needs is just the number of rows.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include <Eigen/Core>

#include "core/batch.h"

namespace streamml {

using AlignedDoubles = std::vector<double, Eigen::aligned_allocator<double>>;

class FactorTable {
 public:
  FactorTable() = default;
  FactorTable(int rank, std::uint64_t seed, int side) : rank_(rank), seed_(seed), side_(side) {}

  int rank() const { return rank_; }
  std::size_t rows() const { return rows_; }
  double* row(std::size_t r) { return data_.data() + r * std::size_t(rank_); }
  const double* row(std::size_t r) const { return data_.data() + r * std::size_t(rank_); }
  double* data() { return data_.data(); }
  const double* data() const { return data_.data(); }
  ConstRowMatrixMap matrix() const { return {data_.data(), Eigen::Index(rows_), Eigen::Index(rank_)}; }

  // Appends rows up to `rows` in all, each a random unit vector; the rows already there keep
  // their values.
  void grow_to(std::size_t rows);
  // Replaces every row (given factors: fit with init "custom", from_factors, a checkpoint).
  void assign(const double* values, std::size_t rows);

  // Y^T Y (rank x rank), summed over fixed blocks of rows and the blocks added in order, so
  // the bits never depend on the thread count.
  Eigen::MatrixXd gram() const;

  // Row r's initial factors under (seed, side): what grow_to writes.
  static void initial_row(std::uint64_t seed, int side, std::size_t r, int rank, double* out);

 private:
  int rank_ = 0;
  std::uint64_t seed_ = 0;
  int side_ = 0;  // 0 users, 1 items: their starts differ
  std::size_t rows_ = 0;
  AlignedDoubles data_;
};

}  // namespace streamml
