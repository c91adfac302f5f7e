#include "algorithms/linear/optimizers.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "core/error.h"

namespace streamml {

double sgd_learning_rate(LearningRate rule, double eta0, double power_t, double alpha, double t) {
  switch (rule) {
    case LearningRate::Constant:
      return eta0;
    case LearningRate::InvScaling:
      return eta0 / std::pow(t, power_t);
    case LearningRate::Optimal: {
      const double typw = std::sqrt(1.0 / std::sqrt(alpha));
      // sklearn divides typw by max(1, dloss(-typw, 1)); that derivative is negative, so 1.
      const double initial_eta0 = typw / std::max(1.0, sklearn_log_dloss(-typw, 1.0));
      const double optimal_init = 1.0 / (initial_eta0 * alpha);
      return 1.0 / (alpha * (optimal_init + t - 1.0));
    }
  }
  return eta0;
}

double sklearn_log_dloss(double p, double y) {
  const double z = p * y;
  double d;
  if (z > 18.0) {
    d = std::exp(-z) * -y;
  } else if (z < -18.0) {
    d = -y;
  } else {
    d = -y / (std::exp(z) + 1.0);
  }
  constexpr double kMaxDloss = 1e12;
  return std::clamp(d, -kMaxDloss, kMaxDloss);
}

double sigmoid(double z) {
  if (z >= 0) return 1.0 / (1.0 + std::exp(-z));
  const double e = std::exp(z);
  return e / (1.0 + e);
}

double ftrl_weight(double z, double n, double alpha, double beta, double l1, double l2) {
  if (std::abs(z) <= l1) return 0.0;
  const double sign = z < 0 ? -1.0 : 1.0;
  return -(z - sign * l1) / ((beta + std::sqrt(n)) / alpha + l2);
}

double soft_threshold(double w, double shrink) {
  const double sign = w > 0 ? 1.0 : (w < 0 ? -1.0 : 0.0);
  return sign * std::max(0.0, std::abs(w) - shrink);
}

}  // namespace streamml
