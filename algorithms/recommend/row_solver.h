// The half-step of ALS: new factors for a set of rows of one side (users or items) against
// the other side's fixed factors, every row independently and in parallel (oneTBB).
//
// For row u with interactions (j, r_j), y_j the other side's factors:
//   explicit:  A = sum_j y_j y_j^T + lambda n I,                      b = sum_j r_j y_j
//   implicit:  A = Y^T Y + sum_j c1_j y_j y_j^T + lambda n+ I,        b = sum_{r_j > 0} (1 + c1_j) y_j
// with c1_j = alpha |r_j|, n the number of interactions and n+ the number with r_j > 0 (Spark's
// ALS.computeFactors; lambda = reg_param). Solvers:
//   Cholesky  A x = b exactly (Spark's CholeskySolver), or Spark's NNLS when nonnegative;
//   CG        conjugate gradient from the row's current factors, cg_steps steps, never forming A
//             (benfred/implicit's least_squares_cg: r = b - A x, p = r, then per step
//             Ap, a = r.r / p.Ap, x += a p, r -= a Ap, p = r + (r'.r' / r.r) p; it stops early
//             when r.r < 1e-20). A x is (Y^T Y + lambda n+ I) x + sum_j c1_j (y_j.x) y_j.
// A row without interactions gets zeros: the minimiser of its (then zero-data) problem, as
// implicit does. Singular equations (reg_param 0, or only r <= 0 under implicit feedback) get
// their minimum-norm solution, where Spark's Cholesky would throw.
//
// Each row's result depends only on its own inputs, so the thread count never changes a bit.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include <Eigen/Core>

#include "algorithms/recommend/als_settings.h"

namespace streamml {

// What a half-step needs from the settings.
struct AlsMath {
  int rank = 10;
  double reg_param = 0.1;
  double alpha = 1.0;
  bool implicit_prefs = false;
  bool nonnegative = false;
  AlsSolver solver = AlsSolver::Cholesky;
  int cg_steps = 3;

  static AlsMath of(const AlsSettings& s);
};

// Where the rows to solve find their interactions.
class RowSource {
 public:
  virtual ~RowSource() = default;
  // Rows to solve, and the factor row of the i-th.
  virtual std::size_t count() const = 0;
  virtual std::uint32_t row(std::size_t i) const = 0;
  // Row i's interactions: the other side's rows and the values (ratings or counts).
  virtual void gather(std::size_t i, std::vector<std::uint32_t>& other, std::vector<double>& values) const = 0;
  // Row i for an error message: "user 'alice'".
  virtual std::string describe(std::size_t i) const = 0;
};

// Solves every row of `source` into `factors` (rank values per row; CG starts from what is
// there). `other` holds the other side's factors, `gram` their Y^T Y (rank x rank, implicit
// feedback only; may be null otherwise). Throws Error(Runtime) naming a row whose solution is
// not finite.
void solve_rows(const AlsMath& m, const RowSource& source, const double* other, const Eigen::MatrixXd* gram,
                double* factors);

// Rows given as compressed sparse rows: row i of the CSR is factor row i.
class CsrRowSource : public RowSource {
 public:
  CsrRowSource(const std::vector<std::int64_t>& indptr, const std::vector<std::uint32_t>& indices,
               const std::vector<double>& values, const char* side)
      : indptr_(indptr), indices_(indices), values_(values), side_(side) {}
  std::size_t count() const override { return indptr_.size() - 1; }
  std::uint32_t row(std::size_t i) const override { return std::uint32_t(i); }
  void gather(std::size_t i, std::vector<std::uint32_t>& other, std::vector<double>& values) const override;
  std::string describe(std::size_t i) const override;

 private:
  const std::vector<std::int64_t>& indptr_;
  const std::vector<std::uint32_t>& indices_;
  const std::vector<double>& values_;
  const char* side_;
};

}  // namespace streamml
