// The inner loops of the row solvers (row_solver.cpp), on k-vectors, k x k matrices and the
// n x k block of gathered factors (row-major, rows k apart).
//
// Written as plain loops with a fixed order of operations (eight running sums, added in one
// fixed pattern; the k x k updates in blocks of 8 x 4 entries held in registers, each entry
// summed over the rows in order), and compiled twice by GCC's target_clones: for x86-64-v3 (AVX2 and FMA) and
// for the baseline; the loader picks the clone the CPU runs once per process. So results
// never depend on the thread count or on data alignment; they may differ in the last bits
// between a CPU with AVX2 and one without (FMA rounds once where mul + add rounds twice).
#pragma once

#include <cstddef>

namespace streamml::als_kernels {

double dot(const double* a, const double* b, int k);
// out = g v for a symmetric k x k g (row-major).
void symmetric_times(const double* g, const double* v, double* out, int k);
// out += sum_j w_j (y_j . v) y_j over the n rows y_j of yu.
void add_weighted_projections(const double* yu, const double* w, std::size_t n, const double* v, double* out, int k);
// out = sum_j (t_j - w_j (y_j . v)) y_j over the n rows y_j of yu: the data part of b - A v.
void residual(const double* yu, const double* t, const double* w, std::size_t n, const double* v, double* out, int k);

// out = sum_j t_j y_j over the n rows y_j of yu.
void weighted_rows(const double* yu, const double* t, std::size_t n, double* out, int k);

// The exact solver's pieces, on a k x k column-major matrix a of which only the lower triangle
// is read and written:
// a += sum_j w_j y_j y_j^T over the n rows y_j of yu;
void add_weighted_outer(const double* yu, const double* w, std::size_t n, double* a, int k);
// b replaced by the solution of a x = b, through the Cholesky factor of a (which replaces a);
// false when a is not positive definite (a pivot <= 0 or NaN): b is then unchanged.
bool cholesky_solve(double* a, double* b, int k);

}  // namespace streamml::als_kernels
