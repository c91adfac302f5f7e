// One row's regularised least-squares problem in ALS, as Spark ML builds and solves it
// (ALS.scala: NormalEquation, CholeskySolver, NNLSSolver; mllib/optimization/NNLS.scala).
//
// Spark's NormalEquation accumulates observations a (the other side's factors) with a target
// b and a weight c:  ata += c a a^T,  atb += b a.  Explicit feedback adds (y, r, 1) per rating;
// implicit feedback adds (y, [r > 0] (1 + c1), c1) with c1 = alpha |r| on top of Y^T Y (Hu,
// Koren, Volinsky 2008, with Spark's extension to r < 0). The solvers add lambda = reg_param * n
// to the diagonal (ALS-WR; n counts the ratings, or the r > 0 under implicit feedback).
//
// This class is the readable form the tests check against Spark's ALSSuite figures; the row
// solvers of an ALS sweep (row_solver.h) build the same matrix in bulk.
#pragma once

#include <vector>

#include <Eigen/Core>

namespace streamml {

class NormalEquation {
 public:
  explicit NormalEquation(int k);

  int k() const { return k_; }
  // ata += c a a^T, atb += b a (a has k values). Throws Error(InvalidInput) for c < 0.
  NormalEquation& add(const double* a, double b, double c = 1.0);
  NormalEquation& add(std::initializer_list<double> a, double b, double c = 1.0);
  // Adds another equation's sums (Spark's merge); throws for a different k.
  NormalEquation& merge(const NormalEquation& other);
  void reset();

  // The upper triangle column by column (LAPACK's packed "U" layout, Spark's ata array).
  std::vector<double> packed_ata() const;
  const Eigen::MatrixXd& ata() const { return ata_; }
  const Eigen::VectorXd& atb() const { return atb_; }

 private:
  int k_;
  Eigen::MatrixXd ata_;  // full symmetric
  Eigen::VectorXd atb_;
};

// x minimising ||A x - b||^2 + lambda ||x||^2 given A^T A and A^T b: Cholesky of
// ata + lambda I. Throws Error(Runtime) when that matrix is not positive definite.
Eigen::VectorXd cholesky_solve(const Eigen::MatrixXd& ata, const Eigen::VectorXd& atb, double lambda);

// The same under x >= 0: Spark's NNLS (a projected gradient method that takes conjugate
// gradient directions while no new constraint becomes active), on ata + lambda I.
Eigen::VectorXd nnls_solve(const Eigen::MatrixXd& ata, const Eigen::VectorXd& atb, double lambda);

}  // namespace streamml
