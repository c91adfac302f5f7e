#include "core/finite.h"

#include <cstdint>
#include <cstring>

#include "core/error.h"

namespace streamml {

namespace {
// A double is NaN or Inf exactly when its 11 exponent bits are all ones; adding 1 at the
// exponent's lowest bit then carries into the sign bit, for that value and no other.
bool all_finite(const double* x, std::size_t n) {
  constexpr std::uint64_t kExponent = 0x7ff0000000000000ULL;
  constexpr std::uint64_t kExponentOne = 0x0010000000000000ULL;
  std::uint64_t carry = 0;
  for (std::size_t i = 0; i < n; ++i) {
    std::uint64_t bits;
    std::memcpy(&bits, x + i, sizeof bits);
    carry |= (bits & kExponent) + kExponentOne;
  }
  return (carry >> 63) == 0;
}
}  // namespace

std::size_t first_non_finite(const double* x, std::size_t n) {
  if (all_finite(x, n)) return n;
  std::size_t i = 0;
  while (i < n && all_finite(x + i, 1)) ++i;
  return i;
}

void throw_non_finite(const char* what, std::size_t row, std::size_t column, double value) {
  STREAMML_FAIL(InvalidInput, what << " row " << row << " column " << column << " is " << value
                                   << "; NaN and Inf are rejected");
}

void check_finite_rows(const double* data, std::size_t n, std::size_t d, std::size_t stride,
                       const char* what) {
  for (std::size_t r = 0; r < n; ++r) {
    const double* x = data + r * stride;
    const std::size_t j = first_non_finite(x, d);
    if (j != d) throw_non_finite(what, r, j, x[j]);
  }
}

}  // namespace streamml
