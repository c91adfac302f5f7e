#include "algorithms/recommend/row_kernels.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <vector>

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

// A GCC/Clang vector of four doubles: one AVX2 register in the x86-64-v3 clone, two SSE2
// registers in the baseline one. Loads and stores go through memcpy (no alignment assumed).
// They are always inlined, so no Vec4 crosses a call and GCC's note that such a call's ABI
// differs without AVX does not apply.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wpsabi"
#endif
typedef double Vec4 __attribute__((vector_size(32)));

__attribute__((always_inline)) inline Vec4 load4(const double* p) {
  Vec4 v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

__attribute__((always_inline)) inline void store4(double* p, Vec4 v) { std::memcpy(p, &v, sizeof v); }

constexpr std::size_t kScaledChunk = 2048;  // doubles: 16 KB of scaled rows, half of L1 data
constexpr int kPanel = 8;                   // columns per Cholesky panel (fewer instructions than 16)

// a(r, c) += (or -=) sum_j f_j[c] y_j[r] for r >= c < m: the lower triangle of an m x m block of
// a column-major matrix with leading dimension lda, over n pairs of rows f_j = f + j stride,
// y_j = y + j stride. Blocks of 8 rows x 4 columns that touch the lower triangle are summed in
// eight registers over all n pairs (one pass, a read and written once per block; the block's
// few entries above the diagonal are computed too, and never read by the callers); rows past
// the last multiple of 8 are summed one entry at a time. Every entry is summed over j in order,
// so its bits depend neither on the block layout nor on threads.
template <bool Subtract>
__attribute__((always_inline)) inline void rank_update_lower(const double* f, const double* y, std::size_t stride, std::size_t n, int m, double* a,
                              std::size_t lda) {
  const int m8 = m - m % 8;
  for (int c0 = 0; c0 < m8; c0 += 4) {
    for (int r0 = c0 - c0 % 8; r0 < m8; r0 += 8) {
      Vec4 acc[4][2];
      for (int q = 0; q < 4; ++q) {
        acc[q][0] = load4(a + std::size_t(c0 + q) * lda + std::size_t(r0));
        acc[q][1] = load4(a + std::size_t(c0 + q) * lda + std::size_t(r0) + 4);
      }
      const double *fj = f + c0, *yj = y + r0;
      for (std::size_t j = 0; j < n; ++j, fj += stride, yj += stride) {
        const Vec4 lo = load4(yj), hi = load4(yj + 4);
        for (int q = 0; q < 4; ++q) {
          if (Subtract) {
            acc[q][0] -= fj[q] * lo;
            acc[q][1] -= fj[q] * hi;
          } else {
            acc[q][0] += fj[q] * lo;
            acc[q][1] += fj[q] * hi;
          }
        }
      }
      for (int q = 0; q < 4; ++q) {
        store4(a + std::size_t(c0 + q) * lda + std::size_t(r0), acc[q][0]);
        store4(a + std::size_t(c0 + q) * lda + std::size_t(r0) + 4, acc[q][1]);
      }
    }
  }
  for (int c = 0; c < m; ++c)
    for (int r = std::max(c, m8); r < m; ++r) {
      double acc = a[std::size_t(c) * lda + std::size_t(r)];
      const double *fj = f + c, *yj = y + r;
      for (std::size_t j = 0; j < n; ++j, fj += stride, yj += stride) acc = Subtract ? acc - *fj * *yj : acc + *fj * *yj;
      a[std::size_t(c) * lda + std::size_t(r)] = acc;
    }
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
  const std::size_t s = std::size_t(k);
  // The scaled rows w_j y_j, a chunk of rows at a time (on the stack while a chunk fits).
  double stack[kScaledChunk];
  std::vector<double> heap;
  double* scaled = s <= kScaledChunk ? stack : (heap.resize(s), heap.data());
  const std::size_t rows = std::max<std::size_t>(1, kScaledChunk / s);
  for (std::size_t j0 = 0; j0 < n; j0 += rows) {
    const std::size_t m = std::min(rows, n - j0);
    const double* y = yu + j0 * s;
    for (std::size_t j = 0; j < m; ++j)
      for (std::size_t c = 0; c < s; ++c) scaled[j * s + c] = w[j0 + j] * y[j * s + c];
    rank_update_lower<false>(scaled, y, s, m, k, a, s);
  }
}

STREAMML_ALS_CLONES bool cholesky_solve(double* a, double* b, int k) {
  const std::size_t stride = std::size_t(k);
  // Blocked right-looking: a panel of kPanel columns is factored column by column (each scaled
  // by its pivot, the later panel columns losing l_cj times it), then the trailing columns lose
  // the whole panel's contribution in one rank-kPanel update.
  for (int j0 = 0; j0 < k; j0 += kPanel) {
    const int j1 = std::min(k, j0 + kPanel);
    for (int j = j0; j < j1; ++j) {
      double* cj = a + std::size_t(j) * stride;
      const double d = cj[j];
      if (!(d > 0.0)) return false;
      const double l = std::sqrt(d), inv = 1.0 / l;
      cj[j] = l;
      for (int r = j + 1; r < k; ++r) cj[r] *= inv;
      for (int c = j + 1; c < j1; ++c) axpy(-cj[c], cj + c, a + std::size_t(c) * stride + std::size_t(c), k - c);
    }
    if (j1 < k) {
      // Panel column j restricted to rows j1..k-1 is l_j; trailing (r, c) -= sum_j l_j[r] l_j[c].
      const double* l0 = a + std::size_t(j0) * stride + std::size_t(j1);
      rank_update_lower<true>(l0, l0, stride, std::size_t(j1 - j0), k - j1, a + std::size_t(j1) * stride + std::size_t(j1),
                              stride);
    }
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
