// The scalar rules of the online optimizers, written once so the learner and its tests use
// the same formulas. Each names the reference it follows.
#pragma once

#include <string_view>

namespace streamml {

enum class LearningRate { Constant, InvScaling, Optimal };

// scikit-learn's SGDClassifier step for its 1-based step counter t (sklearn's `t_`):
//   constant   eta0
//   invscaling eta0 / t^power_t
//   optimal    1 / (alpha * (t0 + t - 1)), t0 = 1 / (typw * alpha), typw = sqrt(1 / sqrt(alpha))
// (t0 is Bottou's heuristic as sklearn writes it: the first step equals typw, because the
// log loss's derivative at -typw is below 1 in magnitude.)
double sgd_learning_rate(LearningRate rule, double eta0, double power_t, double alpha, double t);

// d/dp of the log loss log(1 + exp(-y p)) for y in {-1, +1}, exactly as scikit-learn's
// `Log.dloss` computes it (including its cut-offs at |y p| > 18), then clipped to +-1e12
// as `_plain_sgd` does.
double sklearn_log_dloss(double p, double y_pm1);

// The logistic function without overflow for large |z|.
double sigmoid(double z);

// FTRL-Proximal's closed-form weight of one coordinate (McMahan et al. 2013, Algorithm 1):
//   w = 0                                               if |z| <= l1
//   w = -(z - sign(z) l1) / ((beta + sqrt(n)) / alpha + l2)  otherwise
double ftrl_weight(double z, double n, double alpha, double beta, double l1, double l2);

// sign(w) * max(0, |w| - shrink): the proximal map of shrink * |w| (Spark's L1Updater).
double soft_threshold(double w, double shrink);

}  // namespace streamml
