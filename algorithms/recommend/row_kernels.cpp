#include "algorithms/recommend/row_kernels.h"

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

}  // namespace

STREAMML_ALS_CLONES double dot(const double* a, const double* b, int k) { return dot8(a, b, k); }

STREAMML_ALS_CLONES void symmetric_times(const double* g, const double* v, double* out, int k) {
  for (int i = 0; i < k; ++i) out[i] = dot8(g + std::size_t(i) * std::size_t(k), v, k);
}

STREAMML_ALS_CLONES void add_weighted_projections(const double* yu, const double* w, std::size_t n, const double* v,
                                                  double* out, int k) {
  for (std::size_t j = 0; j < n; ++j) {
    const double* y = yu + j * std::size_t(k);
    axpy(w[j] * dot8(y, v, k), y, out, k);
  }
}

STREAMML_ALS_CLONES void residual(const double* yu, const double* t, const double* w, std::size_t n, const double* v,
                                  double* out, int k) {
  for (int i = 0; i < k; ++i) out[i] = 0.0;
  for (std::size_t j = 0; j < n; ++j) {
    const double* y = yu + j * std::size_t(k);
    axpy(t[j] - w[j] * dot8(y, v, k), y, out, k);
  }
}

}  // namespace streamml::als_kernels
