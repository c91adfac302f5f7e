// Streaming binary logistic regression trained by stochastic gradient descent.
//
// Two training modes, on dense features, hashed sparse features (Batch::sparse, CSR), or both
// (the model's coordinates are the dense columns followed by the hashed buckets):
//
// mode = "spark": Spark MLlib's StreamingLogisticRegressionWithSGD, one call of
//   GradientDescent.runMiniBatchSGD per batch, warm-started from the current weights:
//     for i = 1 .. num_iterations:
//       S = the batch's rows, each kept with probability mini_batch_fraction (all when 1)
//       g = (1/|S|) sum_{r in S} (sigmoid(w.x_r) - y_r) x_r          (LogisticGradient)
//       eta = step_size / sqrt(i)                                       (i restarts every batch)
//       l2:   w <- (1 - eta reg_param) w - eta g                        (SquaredL2Updater)
//       l1:   w <- soft_threshold(w - eta g, eta reg_param)             (L1Updater)
//       none: w <- w - eta g                                            (SimpleUpdater)
//       stop when ||w_prev - w|| < convergence_tol * max(||w||, 1), tested from the 2nd
//       iteration that saw a non-empty sample on.
//   With fit_intercept the intercept is an appended constant-1 feature, regularised by the
//   updater like every weight, as Spark's GeneralizedLinearAlgorithm does. One difference,
//   on purpose: Spark's `run(input, initialWeights)` appends a fresh intercept of 1.0 on every
//   call, so a streaming Spark model would restart its intercept each batch; here it is warm
//   started like the weights. (StreamingLogisticRegressionWithSGD itself has no intercept, which
//   is the default here too: fit_intercept = false.)
//   Sampling differs from Spark's only in its random numbers: row r is kept in iteration i of
//   batch b iff hash(seed, b, i, r) < fraction, a counter-based draw, so the sample does not
//   depend on the thread count (Spark reseeds with 42 + i and so draws the same rows, by
//   position, in every batch).
//
// mode = "online": one update per example in stream order (batches only group them), with
//   optimizer = "sgd": scikit-learn's SGDClassifier(loss="log_loss") update rule (`_plain_sgd`):
//       learning_rate constant | invscaling | optimal (see optimizers.h), step counter t from 1;
//       penalty l2 / elasticnet scale w by max(0, 1 - (1 - l1_ratio) eta alpha) first, l1 /
//       elasticnet then apply Tsuruoka et al.'s (2009) cumulative L1 penalty; the intercept is
//       not penalised; average = k >= 1 turns on ASGD from the k-th example, and the averaged
//       weights are then the ones coef() and predictions use (sklearn: average <= t - 1).
//       The lazy representation is sklearn's: w = weight_scale * weights, and the average is
//       (avg_weights + avg_a * weights) / avg_b, so an example costs O(non-zeros), not O(dim).
//       Unlike sklearn, whose partial_fit restarts the cumulative L1 penalty every call, the
//       penalty accumulates over the whole stream, so the model does not depend on how the
//       stream is cut into batches (sklearn agrees when given the stream in one call).
//   optimizer = "adagrad": diagonal AdaGrad (Duchi, Hazan & Singer 2011) on the coordinates the
//       example touches: g_i = dloss x_i + alpha (1 - rho) w_i, G_i += g_i^2,
//       w_i <- soft_threshold(w_i - step_size g_i / (sqrt(G_i) + adagrad_epsilon),
//                             step_size alpha rho / (sqrt(G_i) + adagrad_epsilon)),
//       rho = the L1 share of the penalty; the intercept follows the same rule, unpenalised.
//   optimizer = "ftrl": FTRL-Proximal, per coordinate (McMahan et al. 2013, Algorithm 1), with
//       ftrl_alpha, ftrl_beta, ftrl_l1, ftrl_l2; the intercept is a coordinate with x = 1 and
//       no l1/l2. reg_param must be 0 (FTRL's regularisation is ftrl_l1/ftrl_l2).
//
// Forgetting (decay_factor < 1 or half_life > 0; off by default), for drifting streams. The
// discount of one batch is a = decay_factor (time_unit "batches") or decay_factor^n for a
// batch of n records (time_unit "points"); half_life h sets decay_factor = 0.5^(1/h), so data
// h units old weigh half. It acts at batch boundaries:
//   spark:   the rule Spark proposed in SPARK-4980 (as its StreamingKMeans does for centres):
//              w <- (a N w_before + n w_batch) / (a N + n),   N <- a N + n
//            where w_batch is the batch's SGD result and N the discounted count of examples
//            the weights summarise (decay_factor = 0 keeps only w_batch).
//   online:  the optimizer's memory is discounted before the batch is learned:
//            sgd t <- 1 + a (t - 1) (so invscaling/optimal steps stop shrinking to 0),
//            adagrad G <- a G, ftrl z <- a z and n <- a n (weights recomputed).
//            Rejected with sgd + constant learning rate (a constant step already forgets
//            geometrically) and with averaging (an average is memory that does not fade).
//
// Prediction: P(y = 1 | x) = sigmoid(w.x + b); class 1 iff P > threshold (strict, as Spark).
// Labels must be 0 or 1. Determinism: the same settings, seed and stream give bit-identical
// state whatever the thread count (per-row work is independent; sums over rows are taken in
// fixed blocks of rows and added in block order).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <Eigen/Core>

#include "core/batch.h"
#include "core/learner.h"
#include "core/row_view.h"
#include "core/settings.h"
#include "algorithms/common/forgetting.h"
#include "algorithms/linear/optimizers.h"

namespace streamml {

// Variants, as the maths sees them (settings text and JSON use the names in the table).
enum class LogisticMode { Spark, Online };
enum class Penalty { None, L2, L1, ElasticNet };
enum class OnlineOptimizer { Sgd, AdaGrad, Ftrl };

// Hyperparameters. Plain data: a fresh learner is made from these alone. Each is declared,
// with its range and doc, in settings_table() (logistic_regression_sgd.cpp).
struct LogisticRegressionSGDSettings {
  // Both modes.
  LogisticMode mode = LogisticMode::Spark;
  bool fit_intercept = false;           // Spark's streaming class has none
  std::vector<double> initial_weights;  // dense then hashed; empty: zeros
  double initial_intercept = 0.0;
  double threshold = 0.5;               // predict(): P > threshold
  Penalty penalty = Penalty::L2;        // online: all four; spark: none, l2, l1
  double reg_param = 0.0;               // Spark's regParam, sklearn's alpha
  double l1_ratio = 0.15;               // elasticnet's L1 share
  double step_size = 0.1;               // Spark's stepSize; online: eta0 of sgd and adagrad
  std::uint64_t seed = 42;              // mini-batch sampling
  // mode = spark.
  int num_iterations = 50;
  double mini_batch_fraction = 1.0;
  double convergence_tol = 0.001;
  // mode = online.
  OnlineOptimizer optimizer = OnlineOptimizer::Sgd;
  LearningRate learning_rate = LearningRate::Constant;  // sgd
  double power_t = 0.5;                    // invscaling exponent
  std::int64_t average = 0;                // 0: off; k >= 1: ASGD from the k-th example (sgd)
  double adagrad_epsilon = 1e-8;
  double ftrl_alpha = 0.1;
  double ftrl_beta = 1.0;
  double ftrl_l1 = 0.0;
  double ftrl_l2 = 0.0;
  // Forgetting (see the header comment).
  double decay_factor = 1.0;            // 1: no forgetting
  double half_life = 0.0;               // > 0: decay_factor = 0.5^(1 / half_life)
  TimeUnit time_unit = TimeUnit::Batches;

  // The table's checks, then the ones that tie settings together; throws Error(InvalidInput)
  // naming the first setting that is wrong and why ("logreg: step_size must be > 0, got -1").
  void validate() const;
  // Sets one setting from text, as the command line gives it ("step_size", "0.5").
  void set(std::string_view name, std::string_view value);
  std::string to_json() const;

  bool forgetting() const { return decay_factor < 1.0 || half_life > 0.0; }
  // The per-unit decay factor, half_life resolved.
  double effective_decay() const;
};

// Everything the learner has learned, including the optimizers' memory, so that a checkpoint
// can save it and a restored learner continues the stream exactly. Vectors have the model's
// dimension (dense_features + hashed_features) once sized, and are empty before, or when the
// optimizer in use does not need them.
struct LogisticRegressionSGDState {
  std::int64_t dense_features = -1;  // -1: not sized yet (sized by the first batch learned)
  std::int64_t hashed_features = 0;
  // The weights are weight_scale * weights (sgd's lazy L2 scaling; 1 otherwise), without the
  // averaging: coef() applies it.
  Eigen::VectorXd weights;
  double weight_scale = 1.0;
  double intercept = 0.0;
  double t = 1.0;                    // sgd's step counter (sklearn's t_), discounted when forgetting
  std::int64_t examples_seen = 0;
  // Batches learned. Also the sampling stream: mini-batch draws are a function of
  // (seed, batches_seen, iteration, row), so this counter is the whole random-number state.
  std::int64_t batches_seen = 0;
  // sgd + l1/elasticnet: Tsuruoka et al.'s cumulative penalty u and what each weight took, q.
  double l1_u = 0.0;
  Eigen::VectorXd l1_q;
  // sgd + average: the averaged weights are (avg_weights + avg_a * weights) / avg_b.
  Eigen::VectorXd avg_weights;
  double avg_a = 0.0;
  double avg_b = 1.0;
  double avg_intercept = 0.0;
  // adagrad: sums of squared gradients.
  Eigen::VectorXd grad_sq_sum;
  double intercept_grad_sq_sum = 0.0;
  // ftrl: z and n per coordinate (weights hold the closed-form w of each).
  Eigen::VectorXd ftrl_z;
  Eigen::VectorXd ftrl_n;
  double ftrl_z_intercept = 0.0;
  double ftrl_n_intercept = 0.0;
  // Forgetting, spark mode: discounted number of examples the weights summarise (N).
  double effective_examples = 0.0;
  // The last spark-mode batch: iterations run, whether it converged, its last sampled loss
  // (Spark's stochasticLossHistory entry: mean log loss + regulariser, before the update).
  int last_iterations = 0;
  bool last_converged = false;
  double last_loss = 0.0;
};

class LogisticRegressionSGD : public Learner {
 public:
  // Validates the settings (throws Error(InvalidInput)).
  using Settings = LogisticRegressionSGDSettings;
  static const SettingsTable<Settings>& settings_table();

  explicit LogisticRegressionSGD(LogisticRegressionSGDSettings settings = {});

  const LogisticRegressionSGDSettings& settings() const { return settings_; }
  const LogisticRegressionSGDState& state() const { return state_; }
  // Replaces the learned state (a checkpoint being restored); checks every size against the
  // settings and throws Error(InvalidInput) naming the field that does not fit.
  void set_state(LogisticRegressionSGDState state);

  // Learner.
  static constexpr const char* kType = "logreg";
  static constexpr LearnerRole kRole = LearnerRole::Classifier;
  std::string type() const override { return kType; }
  LearnerRole role() const override { return kRole; }
  std::string params_json() const override { return settings_.to_json(); }
  // 2: coef and intercept as users see them, and only the optimizer in use (see save_state).
  std::int64_t state_version() const override { return 2; }
  void partial_fit(const Batch& batch) override;
  Eigen::VectorXd score(const Batch& batch) const override { return predict_proba(batch); }
  void write_summary(JsonWriter& out) const override;
  void save_state(StateWriter& out) const override;
  void load_state(const std::string& params, const StateReader& in) override;

  // Dense features only, as a row-major (n, d) matrix (NumPy's C order) and n labels 0/1.
  void partial_fit(const Eigen::Ref<const RowMatrix>& x, const Eigen::Ref<const Eigen::VectorXd>& y);

  // P(y = 1) per record.
  Eigen::VectorXd predict_proba(const Batch& batch) const;
  Eigen::VectorXd predict_proba(const Eigen::Ref<const RowMatrix>& x) const;
  // w.x + b per record.
  Eigen::VectorXd decision_function(const Batch& batch) const;
  Eigen::VectorXd decision_function(const Eigen::Ref<const RowMatrix>& x) const;
  // 0 or 1 per record.
  Eigen::VectorXd predict(const Batch& batch) const;
  Eigen::VectorXd predict(const Eigen::Ref<const RowMatrix>& x) const;

  // The weights predictions use (averaged ones when ASGD is on and has started): dense
  // coordinates then hashed buckets. Before any data: initial_weights (or empty).
  Eigen::VectorXd coef() const;
  double intercept() const;
  bool sized() const { return state_.dense_features >= 0; }
  std::int64_t dimension() const {
    return sized() ? state_.dense_features + state_.hashed_features : 0;
  }

  // Spark's LogisticGradient over all rows of `batch` at the point (w, b): the mean log loss
  // and its gradient (dense, hashed, then the intercept when fit_intercept). Exposed for the
  // finite-difference check; spark mode sums the same terms.
  double loss_and_gradient(const Batch& batch, const Eigen::VectorXd& w_and_b,
                           Eigen::VectorXd& gradient) const;

  using Rows = RowView;

 private:
  // scan_dense: check the dense features for NaN/Inf here (else the caller does, inline).
  void check_rows(const Rows& rows, bool need_labels, bool scan_dense = true) const;
  void size_model(std::int64_t dense, std::int64_t hashed);
  void fit_rows(const Rows& rows);
  void fit_spark(const Rows& rows);
  void fit_online(const Rows& rows);
  void forget_online(double discount);
  Eigen::VectorXd margins(const Rows& rows) const;
  void fold_scale();

  LogisticRegressionSGDSettings settings_;
  LogisticRegressionSGDState state_;
};

}  // namespace streamml
