#include "algorithms/recommend/normal_equation.h"

#include <algorithm>
#include <cmath>

#include <Eigen/Cholesky>

#include "core/error.h"

namespace streamml {

NormalEquation::NormalEquation(int k) : k_(k), ata_(Eigen::MatrixXd::Zero(k, k)), atb_(Eigen::VectorXd::Zero(k)) {
  STREAMML_CHECK(k >= 1, InvalidInput, "a normal equation needs k >= 1, got " << k);
}

NormalEquation& NormalEquation::add(const double* a, double b, double c) {
  STREAMML_CHECK(c >= 0.0, InvalidInput, "normal equation: weight c must be >= 0, got " << c);
  const Eigen::Map<const Eigen::VectorXd> v(a, k_);
  ata_.noalias() += c * v * v.transpose();
  if (b != 0.0) atb_ += b * v;
  return *this;
}

NormalEquation& NormalEquation::add(std::initializer_list<double> a, double b, double c) {
  STREAMML_CHECK(int(a.size()) == k_, InvalidInput,
                 "normal equation: observation has " << a.size() << " values, expected k = " << k_);
  return add(a.begin(), b, c);
}

NormalEquation& NormalEquation::merge(const NormalEquation& other) {
  STREAMML_CHECK(other.k_ == k_, InvalidInput, "normal equation: merging k = " << other.k_ << " into k = " << k_);
  ata_ += other.ata_;
  atb_ += other.atb_;
  return *this;
}

void NormalEquation::reset() {
  ata_.setZero();
  atb_.setZero();
}

std::vector<double> NormalEquation::packed_ata() const {
  std::vector<double> out;
  out.reserve(std::size_t(k_ * (k_ + 1) / 2));
  for (int j = 0; j < k_; ++j)
    for (int i = 0; i <= j; ++i) out.push_back(ata_(i, j));
  return out;
}

Eigen::VectorXd cholesky_solve(const Eigen::MatrixXd& ata, const Eigen::VectorXd& atb, double lambda) {
  Eigen::MatrixXd a = ata;
  a.diagonal().array() += lambda;
  Eigen::LLT<Eigen::MatrixXd> llt(a);
  STREAMML_CHECK(llt.info() == Eigen::Success, Runtime,
                 "normal equations are not positive definite (lambda " << lambda << "); raise reg_param");
  return llt.solve(atb);
}

namespace {

// Spark's NNLS stopping rule: the step is useless, or the direction is negligible.
bool nnls_stop(double step, double ndir, double nx) {
  return std::isnan(step) || step < 1e-7 || step > 1e40 || ndir < 1e-12 * nx || ndir < 1e-32;
}

}  // namespace

Eigen::VectorXd nnls_solve(const Eigen::MatrixXd& ata_in, const Eigen::VectorXd& atb, double lambda) {
  const Eigen::Index n = atb.size();
  Eigen::MatrixXd ata = ata_in;
  ata.diagonal().array() += lambda;
  Eigen::VectorXd x = Eigen::VectorXd::Zero(n), grad(n), dir(n), last_dir = Eigen::VectorXd::Zero(n), res(n);
  // The optimal unconstrained step along d from the residual; the 1e-20 keeps it finite.
  auto step_length = [&](const Eigen::VectorXd& d) { return d.dot(res) / ((ata * d).dot(d) + 1e-20); };
  const std::int64_t max_iter = std::max<std::int64_t>(400, 20 * std::int64_t(n));
  double last_norm = 0.0;
  std::int64_t last_wall = 0;  // the last iteration that hit a bound
  for (std::int64_t iter = 0; iter < max_iter; ++iter) {
    res.noalias() = ata * x - atb;
    grad = res;
    for (Eigen::Index i = 0; i < n; ++i)
      if (grad[i] > 0.0 && x[i] == 0.0) grad[i] = 0.0;  // projected gradient
    const double ngrad = grad.squaredNorm();
    dir = grad;
    double step = step_length(grad);
    double ndir = 0.0;
    const double nx = x.squaredNorm();
    if (iter > last_wall + 1) {
      // A conjugate direction, unless it could stop the search too early.
      dir += (ngrad / last_norm) * last_dir;
      const double dstep = step_length(dir);
      ndir = dir.squaredNorm();
      if (nnls_stop(dstep, ndir, nx)) {
        dir = grad;
        ndir = dir.squaredNorm();
      } else {
        step = dstep;
      }
    } else {
      ndir = dir.squaredNorm();
    }
    if (nnls_stop(step, ndir, nx)) break;
    for (Eigen::Index i = 0; i < n; ++i)
      if (step * dir[i] > x[i]) step = x[i] / dir[i];  // stop at the first wall
    for (Eigen::Index i = 0; i < n; ++i) {
      if (step * dir[i] > x[i] * (1 - 1e-14)) {
        x[i] = 0.0;
        last_wall = iter;
      } else {
        x[i] -= step * dir[i];
      }
    }
    last_dir = dir;
    last_norm = ngrad;
  }
  return x;
}

}  // namespace streamml
