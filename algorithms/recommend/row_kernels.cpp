#include "algorithms/recommend/row_kernels.h"

#include <cmath>

namespace streamml::als_kernels {

#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__)
#define STREAMML_ALS_CLONES __attribute__((target_clones("arch=x86-64-v3", "default")))
#else
#define STREAMML_ALS_CLONES
#endif

namespace {

// Eight running sums (two AVX2 registers, four SSE2 ones), added in one fixed pattern.
inline double dot8(const double* a, const double* b, int k) {
  double s[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  int i = 0;
  for (; i + 8 <= k; i += 8)
    for (int l = 0; l < 8; ++l) s[l] += a[i + l] * b[i + l];
  double tail = 0;
  for (; i < k; ++i) tail += a[i] * b[i];
  return (((s[0] + s[4]) + (s[1] + s[5])) + ((s[2] + s[6]) + (s[3] + s[7]))) + tail;
}

inline void axpy(double alpha, const double* x, double* out, int k) {
  for (int i = 0; i < k; ++i) out[i] += alpha * x[i];
}

// out += (a0 x0 + a1 x1) + (a2 x2 + a3 x3): four rows per pass over out, which keeps both FMA
// units busy where one row at a time waits on out's loads and stores.
inline void axpy4(double a0, double a1, double a2, double a3, const double* x0, int k, std::size_t stride,
                  double* out) {
  const double *x1 = x0 + stride, *x2 = x1 + stride, *x3 = x2 + stride;
  for (int i = 0; i < k; ++i) out[i] += (a0 * x0[i] + a1 * x1[i]) + (a2 * x2[i] + a3 * x3[i]);
}

}  // namespace

STREAMML_ALS_CLONES double dot(const double* a, const double* b, int k) { return dot8(a, b, k); }

STREAMML_ALS_CLONES void symmetric_times(const double* g, const double* v, double* out, int k) {
  // g v as a sum of g's columns (its rows, g being symmetric), four at a time.
  const std::size_t stride = std::size_t(k);
  for (int i = 0; i < k; ++i) out[i] = 0.0;
  int j = 0;
  for (; j + 4 <= k; j += 4) axpy4(v[j], v[j + 1], v[j + 2], v[j + 3], g + std::size_t(j) * stride, k, stride, out);
  for (; j < k; ++j) axpy(v[j], g + std::size_t(j) * stride, out, k);
}

STREAMML_ALS_CLONES void add_weighted_projections(const double* yu, const double* w, std::size_t n, const double* v,
                                                  double* out, int k) {
  const std::size_t stride = std::size_t(k);
  std::size_t j = 0;
  for (; j + 4 <= n; j += 4) {
    const double* y = yu + j * stride;
    const double a0 = w[j] * dot8(y, v, k), a1 = w[j + 1] * dot8(y + stride, v, k);
    const double a2 = w[j + 2] * dot8(y + 2 * stride, v, k), a3 = w[j + 3] * dot8(y + 3 * stride, v, k);
    axpy4(a0, a1, a2, a3, y, k, stride, out);
  }
  for (; j < n; ++j) axpy(w[j] * dot8(yu + j * stride, v, k), yu + j * stride, out, k);
}

STREAMML_ALS_CLONES void residual(const double* yu, const double* t, const double* w, std::size_t n, const double* v,
                                  double* out, int k) {
  for (int i = 0; i < k; ++i) out[i] = 0.0;
  const std::size_t stride = std::size_t(k);
  std::size_t j = 0;
  for (; j + 4 <= n; j += 4) {
    const double* y = yu + j * stride;
    const double a0 = t[j] - w[j] * dot8(y, v, k), a1 = t[j + 1] - w[j + 1] * dot8(y + stride, v, k);
    const double a2 = t[j + 2] - w[j + 2] * dot8(y + 2 * stride, v, k);
    const double a3 = t[j + 3] - w[j + 3] * dot8(y + 3 * stride, v, k);
    axpy4(a0, a1, a2, a3, y, k, stride, out);
  }
  for (; j < n; ++j) axpy(t[j] - w[j] * dot8(yu + j * stride, v, k), yu + j * stride, out, k);
}

STREAMML_ALS_CLONES void weighted_rows(const double* yu, const double* t, std::size_t n, double* out, int k) {
  const std::size_t stride = std::size_t(k);
  for (int i = 0; i < k; ++i) out[i] = 0.0;
  std::size_t j = 0;
  for (; j + 4 <= n; j += 4) axpy4(t[j], t[j + 1], t[j + 2], t[j + 3], yu + j * stride, k, stride, out);
  for (; j < n; ++j) axpy(t[j], yu + j * stride, out, k);
}

STREAMML_ALS_CLONES void add_weighted_outer(const double* yu, const double* w, std::size_t n, double* a, int k) {
  const std::size_t stride = std::size_t(k);
  std::size_t j = 0;
  // Four rows at a time: column c of the lower triangle (rows c..k-1) gains
  // (a0 y0 + a1 y1) + (a2 y2 + a3 y3) with a_q = w_q y_q[c].
  for (; j + 4 <= n; j += 4) {
    const double* y = yu + j * stride;
    for (int c = 0; c < k; ++c)
      axpy4(w[j] * y[c], w[j + 1] * y[stride + std::size_t(c)], w[j + 2] * y[2 * stride + std::size_t(c)],
            w[j + 3] * y[3 * stride + std::size_t(c)], y + c, k - c, stride, a + std::size_t(c) * stride + std::size_t(c));
  }
  for (; j < n; ++j) {
    const double* y = yu + j * stride;
    for (int c = 0; c < k; ++c) axpy(w[j] * y[c], y + c, a + std::size_t(c) * stride + std::size_t(c), k - c);
  }
}

STREAMML_ALS_CLONES bool cholesky_solve(double* a, double* b, int k) {
  const std::size_t stride = std::size_t(k);
  // Right-looking: column j is scaled by its pivot, then every later column c loses
  // l_cj times column j (rows c..k-1).
  for (int j = 0; j < k; ++j) {
    double* cj = a + std::size_t(j) * stride;
    const double d = cj[j];
    if (!(d > 0.0)) return false;
    const double l = std::sqrt(d), inv = 1.0 / l;
    cj[j] = l;
    for (int r = j + 1; r < k; ++r) cj[r] *= inv;
    for (int c = j + 1; c < k; ++c) axpy(-cj[c], cj + c, a + std::size_t(c) * stride + std::size_t(c), k - c);
  }
  // L y = b (by columns), then L^T x = y (by dot products with the columns).
  for (int j = 0; j < k; ++j) {
    const double* cj = a + std::size_t(j) * stride;
    b[j] /= cj[j];
    for (int r = j + 1; r < k; ++r) b[r] -= cj[r] * b[j];
  }
  for (int j = k - 1; j >= 0; --j) {
    const double* cj = a + std::size_t(j) * stride;
    b[j] = (b[j] - dot8(cj + j + 1, b + j + 1, k - j - 1)) / cj[j];
  }
  return true;
}

}  // namespace streamml::als_kernels
