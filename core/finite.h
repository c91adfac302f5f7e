// The NaN/Inf check every learner makes on its input, done once and fast.
//
// Learners reject non-finite values (DESIGN.md: a clear error naming row and column, never a
// silent skip). The check runs on every batch, so it must cost little beside the maths: a
// branch-free scan of the exponent bits (which vectorises), and only when that finds
// something, a second pass to name the first offender.
#pragma once

#include <cstddef>

namespace streamml {

// Index of the first NaN or Inf among x[0 .. n), or n when every value is finite.
std::size_t first_non_finite(const double* x, std::size_t n);

// Throws Error(InvalidInput) "<what> row R column C is nan; NaN and Inf are rejected".
[[noreturn]] void throw_non_finite(const char* what, std::size_t row, std::size_t column, double value);

// Throws throw_non_finite's error for the first non-finite value of the n x d rows starting every `stride` values at data.
void check_finite_rows(const double* data, std::size_t n, std::size_t d, std::size_t stride,
                       const char* what = "features");

}  // namespace streamml
