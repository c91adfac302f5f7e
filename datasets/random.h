// The generators' randomness. Same seed ⇒ the same draws on every standard library: the
// engine is std::mt19937_64 (whose output the C++ standard fixes) and every distribution is
// written out here, because the std:: ones are specified by their results' law, not by their
// algorithm, and libstdc++ and libc++ draw differently. Changing any draw here changes every
// generated file: the bundled data/ files and their tests pin these algorithms.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <numeric>
#include <random>
#include <vector>

namespace streamml {

inline constexpr double kPi = 3.14159265358979323846;

class Random {
 public:
  explicit Random(std::uint64_t seed) : engine_(seed) {}

  double uniform() { return double(engine_() >> 11) * 0x1.0p-53; }  // [0, 1)
  // (0, 1], safe under log().
  double uniform_positive() { return double((engine_() >> 11) + 1) * 0x1.0p-53; }

  // Box–Muller; the second value of each pair is kept for the next call.
  double normal() {
    if (has_spare_) {
      has_spare_ = false;
      return spare_;
    }
    const double r = std::sqrt(-2.0 * std::log(uniform_positive()));
    const double a = 2.0 * kPi * uniform();
    spare_ = r * std::sin(a);
    has_spare_ = true;
    return r * std::cos(a);
  }

  double exponential(double mean) { return -mean * std::log(uniform_positive()); }

  // Knuth's product of uniforms: fine for the small means generators draw counts with.
  std::int64_t poisson(double mean) {
    const double limit = std::exp(-mean);
    std::int64_t k = -1;
    double p = 1.0;
    do {
      ++k;
      p *= uniform();
    } while (p > limit);
    return k;
  }

  // Uniform on 0..n-1; rejection instead of a bare modulo so no value is favoured.
  std::uint64_t below(std::uint64_t n) {
    const std::uint64_t max = std::numeric_limits<std::uint64_t>::max();
    const std::uint64_t limit = max - max % n;
    std::uint64_t x;
    do x = engine_();
    while (x >= limit);
    return x % n;
  }

  // Inverse transform over cumulative weights (need not be normalised).
  std::size_t pick(const std::vector<double>& cumulative) {
    const double u = uniform() * cumulative.back();
    const auto it = std::upper_bound(cumulative.begin(), cumulative.end(), u);
    return std::min(std::size_t(it - cumulative.begin()), cumulative.size() - 1);
  }

 private:
  std::mt19937_64 engine_;
  double spare_ = 0;
  bool has_spare_ = false;
};

// Running sums of weights, for Random::pick.
inline std::vector<double> cumulative(const std::vector<double>& weights) {
  std::vector<double> c(weights.size());
  std::partial_sum(weights.begin(), weights.end(), c.begin());
  return c;
}

}  // namespace streamml
