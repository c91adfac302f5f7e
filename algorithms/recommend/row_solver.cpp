#include "algorithms/recommend/row_solver.h"

#include <cmath>
#include <cstring>

#include <Eigen/QR>
#include <tbb/enumerable_thread_specific.h>

#include "algorithms/recommend/factor_table.h"
#include "algorithms/recommend/normal_equation.h"
#include "algorithms/recommend/row_kernels.h"
#include "core/error.h"
#include "core/parallel.h"

namespace streamml {

AlsMath AlsMath::of(const AlsSettings& s) {
  AlsMath m;
  m.rank = int(s.rank);
  m.reg_param = s.reg_param;
  m.alpha = s.alpha;
  m.implicit_prefs = s.implicit_prefs;
  m.nonnegative = s.nonnegative;
  m.solver = s.solver;
  m.cg_steps = int(s.cg_steps);
  return m;
}

void CsrRowSource::gather(std::size_t i, std::vector<std::uint32_t>& other, std::vector<double>& values) const {
  const auto begin = std::size_t(indptr_[i]), end = std::size_t(indptr_[i + 1]);
  other.assign(indices_.begin() + std::ptrdiff_t(begin), indices_.begin() + std::ptrdiff_t(end));
  values.assign(values_.begin() + std::ptrdiff_t(begin), values_.begin() + std::ptrdiff_t(end));
}

std::string CsrRowSource::describe(std::size_t i) const { return std::string(side_) + " " + std::to_string(i); }

namespace {

using ColVec = Eigen::Map<Eigen::VectorXd, Eigen::Aligned16>;

constexpr std::size_t kPrefetchAhead = 4;

// One thread's buffers, kept across rows so a solve allocates nothing once they are large
// enough; every buffer is aligned, so the maths reads the same bits whichever thread runs it.
struct Workspace {
  std::vector<std::uint32_t> other;
  std::vector<double> values;
  AlignedDoubles yu;                // n x k gathered factors, row-major
  AlignedDoubles weight, target, t; // n each: c1, the target, y_j . v
  AlignedDoubles b, x, r, p, ap;    // k each
  Eigen::MatrixXd a;                // k x k, column-major

  void size_for(std::size_t n, int k) {
    if (yu.size() < n * std::size_t(k)) yu.resize(n * std::size_t(k));
    if (weight.size() < n) weight.resize(n), target.resize(n), t.resize(n);
    if (b.size() != std::size_t(k))
      for (auto* v : {&b, &x, &r, &p, &ap}) v->resize(std::size_t(k));
    if (a.rows() != k) a.resize(k, k);
  }
};

class Solver {
 public:
  Solver(const AlsMath& m, const double* other, const Eigen::MatrixXd* gram) : m_(m), other_(other), gram_(gram) {}

  // Row's factors x (k values, the CG's start) replaced by the solution.
  void solve(Workspace& w, const RowSource& source, std::size_t i, double* x_out) const {
    const int k = m_.rank;
    source.gather(i, w.other, w.values);
    const std::size_t n = w.other.size();
    if (n == 0) {
      std::memset(x_out, 0, sizeof(double) * std::size_t(k));
      return;
    }
    w.size_for(n, k);
    // Gather the other side's factors and the per-interaction weight and target.
    std::size_t positives = 0;
    const std::size_t row_bytes = sizeof(double) * std::size_t(k);
    for (std::size_t j = 0; j < n; ++j) {
      // Rows are scattered in memory: ask for the one a few steps ahead while this one copies.
      if (j + kPrefetchAhead < n) {
        const char* ahead = reinterpret_cast<const char*>(other_ + std::size_t(w.other[j + kPrefetchAhead]) * std::size_t(k));
        for (std::size_t o = 0; o < row_bytes; o += 64) __builtin_prefetch(ahead + o);
      }
      std::memcpy(w.yu.data() + j * std::size_t(k), other_ + std::size_t(w.other[j]) * std::size_t(k),
                  sizeof(double) * std::size_t(k));
      const double r = w.values[j];
      if (m_.implicit_prefs) {
        const double c1 = m_.alpha * std::abs(r);
        w.weight[j] = c1;
        w.target[j] = r > 0.0 ? 1.0 + c1 : 0.0;
        positives += r > 0.0;
      } else {
        w.weight[j] = 1.0;
        w.target[j] = r;
      }
    }
    const double lambda = m_.reg_param * double(m_.implicit_prefs ? positives : n);
    // The factor row is copied into the workspace (rows of odd rank sit at odd offsets).
    std::memcpy(w.x.data(), x_out, sizeof(double) * std::size_t(k));
    if (m_.solver == AlsSolver::ConjugateGradient)
      conjugate_gradient(w, n, lambda);
    else
      cholesky(w, n, lambda, source, i);
    std::memcpy(x_out, w.x.data(), sizeof(double) * std::size_t(k));
  }

 private:
  // out = A v for the row's A: (Y^T Y) v + Yu^T (weight .* (Yu v)) + lambda v; explicit rows
  // have no Y^T Y and weight 1.
  void apply(const double* yu, const double* weight, std::size_t n, double lambda, const double* v,
             double* out) const {
    const int k = m_.rank;
    if (m_.implicit_prefs)
      als_kernels::symmetric_times(gram_->data(), v, out, k);
    else
      std::fill(out, out + k, 0.0);
    als_kernels::add_weighted_projections(yu, weight, n, v, out, k);
    for (int i = 0; i < k; ++i) out[i] += lambda * v[i];
  }

  void conjugate_gradient(Workspace& w, std::size_t n, double lambda) const {
    const int k = m_.rank;
    double *x = w.x.data(), *r = w.r.data(), *p = w.p.data(), *ap = w.ap.data();
    // r = b - A x in one pass over the rows: sum_j (target_j - weight_j y_j.x) y_j - (Y^T Y + lambda) x.
    als_kernels::residual(w.yu.data(), w.target.data(), w.weight.data(), n, x, r, k);
    if (m_.implicit_prefs) {
      als_kernels::symmetric_times(gram_->data(), x, ap, k);
      for (int i = 0; i < k; ++i) r[i] -= ap[i];
    }
    for (int i = 0; i < k; ++i) p[i] = r[i] -= lambda * x[i];
    double rs_old = als_kernels::dot(r, r, k);
    if (rs_old < 1e-20) return;
    for (int step = 0; step < m_.cg_steps; ++step) {
      apply(w.yu.data(), w.weight.data(), n, lambda, p, ap);
      const double a = rs_old / als_kernels::dot(p, ap, k);
      for (int i = 0; i < k; ++i) {
        x[i] += a * p[i];
        r[i] -= a * ap[i];
      }
      const double rs_new = als_kernels::dot(r, r, k);
      if (rs_new < 1e-20) break;
      const double beta = rs_new / rs_old;
      for (int i = 0; i < k; ++i) p[i] = r[i] + beta * p[i];
      rs_old = rs_new;
    }
  }

  // w.a's lower triangle = (Y^T Y) + sum_j weight_j y_j y_j^T + lambda I.
  void normal_matrix(Workspace& w, std::size_t n, double lambda) const {
    const int k = m_.rank;
    double* a = w.a.data();
    for (int c = 0; c < k; ++c)
      for (int r = c; r < k; ++r) a[c * k + r] = m_.implicit_prefs ? (*gram_)(r, c) : 0.0;
    als_kernels::add_weighted_outer(w.yu.data(), w.weight.data(), n, a, k);
    for (int c = 0; c < k; ++c) a[c * k + c] += lambda;
  }

  void cholesky(Workspace& w, std::size_t n, double lambda, const RowSource& source, std::size_t i) const {
    const int k = m_.rank;
    als_kernels::weighted_rows(w.yu.data(), w.target.data(), n, w.b.data(), k);
    normal_matrix(w, n, lambda);
    ColVec b(w.b.data(), k), x(w.x.data(), k);
    if (m_.nonnegative) {
      w.a.triangularView<Eigen::StrictlyUpper>() = w.a.transpose();
      x = nnls_solve(w.a, b, 0.0);
      return;
    }
    std::memcpy(w.x.data(), w.b.data(), sizeof(double) * std::size_t(k));
    if (als_kernels::cholesky_solve(w.a.data(), w.x.data(), k)) return;
    // Singular (reg_param 0, or a row whose only interactions are r <= 0 so that lambda n+ = 0):
    // the equations are consistent (b lies in A's range), and the minimum-norm solution is the
    // one answer that does not depend on the start. Spark throws here instead.
    normal_matrix(w, n, lambda);
    w.a.triangularView<Eigen::StrictlyUpper>() = w.a.transpose();
    x = Eigen::CompleteOrthogonalDecomposition<Eigen::MatrixXd>(w.a).solve(b);
    STREAMML_CHECK(x.allFinite(), Runtime,
                   "als: the normal equations of " << source.describe(i) << " have no finite solution (" << n
                                                   << " interactions, rank " << k << ", reg_param " << m_.reg_param
                                                   << ")");
  }

  const AlsMath& m_;
  const double* other_;
  const Eigen::MatrixXd* gram_;
};

}  // namespace

void solve_rows(const AlsMath& m, const RowSource& source, const double* other, const Eigen::MatrixXd* gram,
                double* factors) {
  STREAMML_CHECK(!m.implicit_prefs || (gram && gram->rows() == m.rank && gram->cols() == m.rank), Runtime,
                 "als: implicit feedback needs the other side's Y^T Y (" << m.rank << " x " << m.rank << ")");
  const Solver solver(m, other, gram);
  tbb::enumerable_thread_specific<Workspace> workspaces;
  // Rows are independent; a grain of 8 balances rows of very different lengths.
  parallel_ranges(source.count(), 8, [&](std::size_t from, std::size_t to) {
    Workspace& w = workspaces.local();
    for (std::size_t i = from; i != to; ++i)
      solver.solve(w, source, i, factors + std::size_t(source.row(i)) * std::size_t(m.rank));
  });
}

}  // namespace streamml
