#include "algorithms/linear/logistic_regression_sgd.h"

#include <algorithm>
#include <optional>
#include <cmath>
#include <limits>
#include <sstream>

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>

#include "algorithms/linear/optimizers.h"
#include "core/error.h"
#include "core/finite.h"
#include "core/json.h"
#include "core/parallel.h"
#include "core/state_io.h"

namespace streamml {

namespace {

using Rows = RowView;



// A dot product whose summation order depends only on n (not on the pointers' alignment, as
// Eigen's vectorised reductions do), so a row gives the same bits wherever it sits in memory.
inline double dot_fixed(const double* a, const double* b, std::size_t n) {
  // Eight independent sums: the adds are latency-bound, so more chains run faster (d = 100:
  // 13 dependent adds per chain instead of 25).
  double s[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  std::size_t j = 0;
  for (; j + 8 <= n; j += 8)
    for (int k = 0; k < 8; ++k) s[k] += a[j + k] * b[j + k];
  for (; j < n; ++j) s[0] += a[j] * b[j];
  return ((s[0] + s[1]) + (s[2] + s[3])) + ((s[4] + s[5]) + (s[6] + s[7]));
}

// w . x for record r: dense part, then its hashed entries (bucket k is coordinate d + k).
inline double row_dot(const Rows& rows, std::size_t r, const double* w) {
  double s = dot_fixed(rows.row(r), w, rows.d);
  if (rows.sparse) {
    const auto& sp = *rows.sparse;
    const double* wh = w + rows.d;
    for (std::int32_t k = sp.indptr[r]; k < sp.indptr[r + 1]; ++k) s += wh[sp.indices[k]] * sp.values[k];
  }
  return s;
}

// A row whose margin is not finite: if it holds NaN/Inf, the batch is rejected (fit_rows
// restores the state); a finite row whose margin overflowed is trained on as before.
void reject_non_finite(const Rows& rows, std::size_t r) {
  const double* x = rows.row(r);
  const std::size_t j = first_non_finite(x, rows.d);
  if (j < rows.d) throw_non_finite("features", r, j, x[j]);
}

// Visits the coordinates example r touches: every dense column (zeros included, as
// scikit-learn's dense dataset does), then its hashed entries.
template <class F>
inline void for_each_coordinate(const Rows& rows, std::size_t r, F&& f) {
  const double* x = rows.row(r);
  for (std::size_t j = 0; j < rows.d; ++j) f(std::int64_t(j), x[j]);
  if (rows.sparse) {
    const auto& sp = *rows.sparse;
    const std::int64_t d = std::int64_t(rows.d);
    for (std::int32_t k = sp.indptr[r]; k < sp.indptr[r + 1]; ++k) f(d + sp.indices[k], sp.values[k]);
  }
}


inline std::uint64_t splitmix64(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

// Uniform in [0, 1) for (seed, batch, iteration, row): a counter-based draw.
inline double sample_uniform(std::uint64_t seed, std::int64_t batch, int iteration, std::size_t row) {
  std::uint64_t h = splitmix64(seed);
  h = splitmix64(h ^ std::uint64_t(batch));
  h = splitmix64(h ^ std::uint64_t(iteration));
  h = splitmix64(h ^ std::uint64_t(row));
  return double(h >> 11) * 0x1.0p-53;
}

// Spark's MLUtils.log1pExp.
inline double log1p_exp(double x) { return x > 0 ? x + std::log1p(std::exp(-x)) : std::log1p(std::exp(x)); }

// The L1 share of the penalty (sklearn's l1_ratio after it resolves "l1" and "l2").
double l1_share(const LogisticRegressionSGDSettings& s) {
  if (s.penalty == Penalty::L1) return 1.0;
  if (s.penalty == Penalty::ElasticNet) return s.l1_ratio;
  return 0.0;
}

double alpha_of(const LogisticRegressionSGDSettings& s) { return s.penalty == Penalty::None ? 0.0 : s.reg_param; }

}  // namespace

// ---------------------------------------------------------------------------------------------
// Settings

const SettingsTable<LogisticRegressionSGDSettings>& LogisticRegressionSGD::settings_table() {
  using S = LogisticRegressionSGDSettings;
  static const SettingsTable<S> table = [] {
    SettingsTable<S> t(kType);
    t
          .choice("mode", &S::mode, {{LogisticMode::Spark, "spark"}, {LogisticMode::Online, "online"}},
                  "spark: Spark's mini-batch SGD per batch; online: one update per example")
          .flag("fit_intercept", &S::fit_intercept, "learn an intercept (Spark's streaming class has none)")
          .reals("initial_weights", &S::initial_weights, "starting weights, dense columns then hashed buckets; empty: zeros")
          .real("initial_intercept", &S::initial_intercept, "starting intercept")
          .real("threshold", &S::threshold, "predict gives 1 iff P(y=1) > threshold", Range::closed(0, 1))
          .choice("penalty", &S::penalty,
                  {{Penalty::None, "none"}, {Penalty::L2, "l2"}, {Penalty::L1, "l1"}, {Penalty::ElasticNet, "elasticnet"}},
                  "regulariser (elasticnet: online only)")
          .real("reg_param", &S::reg_param, "regularisation strength (Spark's regParam, scikit-learn's alpha)",
                Range::non_negative())
          .real("l1_ratio", &S::l1_ratio, "elasticnet: the L1 share of the penalty", Range::closed(0, 1))
          .real("step_size", &S::step_size, "Spark's stepSize; online: eta0 of sgd and the step of adagrad",
                Range::positive())
          .integer("seed", &S::seed, "mini-batch sampling (spark mode)")
          .integer("num_iterations", &S::num_iterations, "spark: gradient-descent iterations per batch",
                   Range::at_least(1))
          .real("mini_batch_fraction", &S::mini_batch_fraction, "spark: share of a batch sampled per iteration",
                Range::open_closed(0, 1))
          .real("convergence_tol", &S::convergence_tol, "spark: stop a batch when the step is this small",
                Range::non_negative())
          .choice("optimizer", &S::optimizer,
                  {{OnlineOptimizer::Sgd, "sgd"}, {OnlineOptimizer::AdaGrad, "adagrad"}, {OnlineOptimizer::Ftrl, "ftrl"}},
                  "online: scikit-learn's SGD rule, diagonal AdaGrad, or FTRL-Proximal")
          .choice("learning_rate", &S::learning_rate,
                  {{LearningRate::Constant, "constant"}, {LearningRate::InvScaling, "invscaling"},
                   {LearningRate::Optimal, "optimal"}},
                  "online sgd: scikit-learn's learning-rate schedule")
          .real("power_t", &S::power_t, "online sgd, invscaling: the exponent of t")
          .integer("average", &S::average,
                   "online sgd: 0 off, k >= 1 averages the weights from the k-th example (ASGD); true means 1",
                   Range::non_negative(), /*flag_words=*/true)
          .real("adagrad_epsilon", &S::adagrad_epsilon, "adagrad: added to the root of the squared-gradient sum",
                Range::positive())
          .real("ftrl_alpha", &S::ftrl_alpha, "ftrl: learning-rate scale", Range::positive())
          .real("ftrl_beta", &S::ftrl_beta, "ftrl: learning-rate smoothing", Range::non_negative())
          .real("ftrl_l1", &S::ftrl_l1, "ftrl: L1 strength", Range::non_negative())
          .real("ftrl_l2", &S::ftrl_l2, "ftrl: L2 strength", Range::non_negative());
    add_forgetting_settings(t);
    return t;
  }();
  return table;
}

void LogisticRegressionSGDSettings::set(std::string_view name, std::string_view v) {
  LogisticRegressionSGD::settings_table().set(*this, name, v);
}

std::string LogisticRegressionSGDSettings::to_json() const {
  return LogisticRegressionSGD::settings_table().to_json(*this);
}

void LogisticRegressionSGDSettings::validate() const {
  LogisticRegressionSGD::settings_table().validate(*this);
  const auto fail = [](const std::string& message) { settings_error(LogisticRegressionSGD::kType, message); };
  check_forgetting(LogisticRegressionSGD::kType, decay_factor, half_life);
  if (mode == LogisticMode::Spark) {
    if (penalty == Penalty::ElasticNet)
      fail("mode 'spark' supports penalty 'none', 'l2' or 'l1' (Spark's updaters), got 'elasticnet'");
    if (optimizer != OnlineOptimizer::Sgd)
      fail("optimizer '" + std::string(optimizer == OnlineOptimizer::AdaGrad ? "adagrad" : "ftrl") +
           "' needs mode 'online'; mode 'spark' is mini-batch gradient descent");
    if (average != 0) fail("average (ASGD) needs mode 'online' with optimizer 'sgd'");
    return;
  }
  if (average != 0 && optimizer != OnlineOptimizer::Sgd) fail("average (ASGD) needs optimizer 'sgd'");
  if (optimizer == OnlineOptimizer::Sgd && learning_rate == LearningRate::Optimal && alpha_of(*this) <= 0)
    fail("learning_rate 'optimal' needs reg_param > 0 (its step is 1 / (reg_param (t0 + t)))");
  if (optimizer == OnlineOptimizer::Ftrl && reg_param > 0 && penalty != Penalty::None)
    fail("optimizer 'ftrl' is regularised by ftrl_l1 and ftrl_l2; set reg_param to 0 (got " + real_text(reg_param) +
         ")");
  if (forgetting()) {
    if (optimizer == OnlineOptimizer::Sgd && learning_rate == LearningRate::Constant)
      fail("forgetting has no effect with optimizer 'sgd' and learning_rate 'constant' (a constant step already "
           "forgets); use 'invscaling' or 'optimal', or leave decay_factor at 1");
    if (average != 0) fail("forgetting cannot be combined with average (ASGD): an average does not fade");
  }
}

double LogisticRegressionSGDSettings::effective_decay() const {
  return streamml::effective_decay(decay_factor, half_life);
}

// ---------------------------------------------------------------------------------------------
// Learner

LogisticRegressionSGD::LogisticRegressionSGD(LogisticRegressionSGDSettings settings)
    : settings_(std::move(settings)) {
  settings_.validate();
  state_.intercept = settings_.initial_intercept;
}

void LogisticRegressionSGD::size_model(std::int64_t dense, std::int64_t hashed) {
  const auto& s = settings_;
  const std::int64_t dim = dense + hashed;
  STREAMML_CHECK(s.initial_weights.empty() || std::int64_t(s.initial_weights.size()) == dim, InvalidInput,
                 "initial_weights has " << s.initial_weights.size() << " entries, the data has " << dim
                                        << " features (" << dense << " dense + " << hashed << " hashed)");
  auto& st = state_;
  st.dense_features = dense;
  st.hashed_features = hashed;
  st.weights = s.initial_weights.empty() ? Eigen::VectorXd::Zero(dim)
                                         : Eigen::Map<const Eigen::VectorXd>(s.initial_weights.data(), dim).eval();
  st.weight_scale = 1.0;
  st.intercept = s.initial_intercept;
  st.t = 1.0;
  const bool online = s.mode == LogisticMode::Online;
  if (online && s.optimizer == OnlineOptimizer::Sgd && l1_share(s) > 0) st.l1_q = Eigen::VectorXd::Zero(dim);
  if (online && s.average > 0) st.avg_weights = Eigen::VectorXd::Zero(dim);
  if (online && s.optimizer == OnlineOptimizer::AdaGrad) st.grad_sq_sum = Eigen::VectorXd::Zero(dim);
  if (online && s.optimizer == OnlineOptimizer::Ftrl) {
    // z that makes FTRL's closed form give back the initial weights (n = 0).
    auto z_for = [&](double w, double l1, double l2) {
      if (w == 0) return 0.0;
      return -w * (s.ftrl_beta / s.ftrl_alpha + l2) - (w > 0 ? l1 : -l1);
    };
    st.ftrl_n = Eigen::VectorXd::Zero(dim);
    st.ftrl_z.resize(dim);
    for (std::int64_t i = 0; i < dim; ++i) st.ftrl_z[i] = z_for(st.weights[i], s.ftrl_l1, s.ftrl_l2);
    st.ftrl_z_intercept = s.fit_intercept ? z_for(st.intercept, 0, 0) : 0.0;
    st.ftrl_n_intercept = 0.0;
  }
}

void LogisticRegressionSGD::set_state(LogisticRegressionSGDState st) {
  const auto& s = settings_;
  if (st.dense_features < 0) {
    LogisticRegressionSGDState fresh;
    fresh.intercept = s.initial_intercept;
    state_ = fresh;
    return;
  }
  STREAMML_CHECK(st.hashed_features >= 0, InvalidInput, "state: hashed_features is " << st.hashed_features);
  const std::int64_t dim = st.dense_features + st.hashed_features;
  auto need = [&](const Eigen::VectorXd& v, bool required, const char* name) {
    STREAMML_CHECK(v.size() == dim || (!required && v.size() == 0), InvalidInput,
                   "state: " << name << " has " << v.size() << " entries, model dimension is " << dim);
    STREAMML_CHECK(v.allFinite(), InvalidInput, "state: " << name << " holds NaN or Inf");
  };
  const bool online = s.mode == LogisticMode::Online;
  need(st.weights, true, "weights");
  need(st.l1_q, online && s.optimizer == OnlineOptimizer::Sgd && l1_share(s) > 0, "l1_q");
  need(st.avg_weights, online && s.average > 0, "avg_weights");
  need(st.grad_sq_sum, online && s.optimizer == OnlineOptimizer::AdaGrad, "grad_sq_sum");
  need(st.ftrl_z, online && s.optimizer == OnlineOptimizer::Ftrl, "ftrl_z");
  need(st.ftrl_n, online && s.optimizer == OnlineOptimizer::Ftrl, "ftrl_n");
  // The scalars as the vectors: a NaN or Inf would poison every later update and prediction.
  for (const auto& [value, name] : {std::pair{st.intercept, "intercept"}, std::pair{st.l1_u, "l1_u"},
                                    std::pair{st.avg_a, "avg_a"}, std::pair{st.avg_intercept, "avg_intercept"},
                                    std::pair{st.intercept_grad_sq_sum, "intercept_grad_sq_sum"},
                                    std::pair{st.ftrl_z_intercept, "ftrl_z_intercept"},
                                    std::pair{st.ftrl_n_intercept, "ftrl_n_intercept"},
                                    std::pair{st.effective_examples, "effective_examples"},
                                    std::pair{st.last_loss, "last_loss"}})
    STREAMML_CHECK(std::isfinite(value), InvalidInput, "state: " << name << " is " << value << "; NaN and Inf are rejected");
  STREAMML_CHECK(std::isfinite(st.weight_scale) && st.weight_scale > 0, InvalidInput,
                 "state: weight_scale must be positive, got " << st.weight_scale);
  STREAMML_CHECK(std::isfinite(st.avg_b) && st.avg_b > 0, InvalidInput, "state: avg_b must be positive, got " << st.avg_b);
  STREAMML_CHECK(std::isfinite(st.t) && st.t >= 1, InvalidInput, "state: t must be >= 1, got " << st.t);
  STREAMML_CHECK(st.examples_seen >= 0 && st.batches_seen >= 0, InvalidInput, "state: negative counters");
  state_ = std::move(st);
}

void LogisticRegressionSGD::check_rows(const Rows& rows, bool need_labels, bool scan_dense) const {
  const std::int64_t hashed = rows.hashed();
  if (sized()) {
    STREAMML_CHECK(std::int64_t(rows.d) == state_.dense_features, InvalidInput,
                   "features has " << rows.d << " columns, model expects " << state_.dense_features);
    STREAMML_CHECK(hashed == state_.hashed_features, InvalidInput,
                   "hashed features have " << hashed << " buckets, model expects " << state_.hashed_features);
  } else if (!settings_.initial_weights.empty()) {
    STREAMML_CHECK(std::int64_t(settings_.initial_weights.size()) == std::int64_t(rows.d) + hashed, InvalidInput,
                   "features has " << rows.d << " columns and " << hashed << " hashed buckets, initial_weights has "
                                   << settings_.initial_weights.size() << " entries");
  }
  if (scan_dense) check_finite_rows(rows.dense, rows.n, rows.d, std::size_t(rows.stride));
  if (rows.sparse) {
    const auto& sp = *rows.sparse;
    STREAMML_CHECK(sp.rows() == rows.n && sp.indices.size() == sp.values.size() &&
                       std::size_t(sp.indptr.back()) == sp.values.size(),
                   InvalidInput, "hashed features: indptr, indices and values disagree with " << rows.n << " rows");
    for (std::size_t r = 0; r < rows.n; ++r) {
      STREAMML_CHECK(sp.indptr[r] <= sp.indptr[r + 1], InvalidInput, "hashed features: indptr decreases at row " << r);
      for (std::int32_t k = sp.indptr[r]; k < sp.indptr[r + 1]; ++k) {
        STREAMML_CHECK(sp.indices[k] >= 0 && sp.indices[k] < sp.cols, InvalidInput,
                       "hashed features row " << r << " has bucket " << sp.indices[k] << ", outside [0, " << sp.cols << ")");
        STREAMML_CHECK(std::isfinite(sp.values[k]), InvalidInput,
                       "hashed features row " << r << " bucket " << sp.indices[k] << " is " << sp.values[k]
                                              << "; NaN and Inf are rejected");
      }
    }
  }
  if (!need_labels) return;
  STREAMML_CHECK(rows.labels != nullptr || rows.n == 0, InvalidInput,
                 "training needs labels: the batch of " << rows.n << " records has none");
  if (rows.labels == nullptr) return;
  STREAMML_CHECK(rows.label_count == rows.n, InvalidInput,
                 "the batch has " << rows.label_count << " labels for " << rows.n << " records");
  for (std::size_t r = 0; r < rows.n; ++r)
    STREAMML_CHECK(rows.labels[r] == 0.0 || rows.labels[r] == 1.0, InvalidInput,
                   "label of row " << r << " is " << rows.labels[r] << "; logistic regression needs 0 or 1");
}

void LogisticRegressionSGD::partial_fit(const Batch& batch) { fit_rows(RowView::of(batch)); }

void LogisticRegressionSGD::partial_fit(const Eigen::Ref<const RowMatrix>& x,
                                        const Eigen::Ref<const Eigen::VectorXd>& y) {
  STREAMML_CHECK(y.size() == x.rows(), InvalidInput, "y has " << y.size() << " labels for " << x.rows() << " rows of X");
  Rows rows = RowView::of(x);
  rows.labels = y.data();
  rows.label_count = std::size_t(y.size());
  fit_rows(rows);
}

void LogisticRegressionSGD::fit_rows(const Rows& rows) {
  // Dense online training finds NaN/Inf from each row's margin (a non-finite x makes w.x
  // non-finite) instead of a separate pass over the batch, which costs about a third of the
  // update itself; a snapshot of the state, O(d) and small beside the batch, keeps a rejected
  // batch all-or-nothing. Spark mode and hashed features are scanned first, as before.
  const bool inline_check = settings_.mode == LogisticMode::Online && !rows.sparse;
  check_rows(rows, true, /*scan_dense=*/!inline_check);
  // An empty batch changes nothing (Spark's runMiniBatchSGD returns its initial weights).
  if (rows.n == 0) return;
  std::optional<LogisticRegressionSGDState> before;
  if (inline_check) before = state_;
  try {
    if (!sized()) size_model(std::int64_t(rows.d), rows.hashed());
    if (settings_.mode == LogisticMode::Spark) {
      fit_spark(rows);
    } else {
      fit_online(rows);
    }
  } catch (...) {
    if (before) state_ = std::move(*before);
    throw;
  }
  state_.examples_seen += std::int64_t(rows.n);
  state_.batches_seen += 1;
}

// ---------------------------------------------------------------------------------------------
// Spark mode

double LogisticRegressionSGD::loss_and_gradient(const Batch& batch, const Eigen::VectorXd& wb,
                                                Eigen::VectorXd& gradient) const {
  const Rows rows = RowView::of(batch);
  check_rows(rows, true);
  const std::int64_t dim = std::int64_t(rows.d) + rows.hashed();
  const std::int64_t total = dim + (settings_.fit_intercept ? 1 : 0);
  STREAMML_CHECK(wb.size() == total, InvalidInput, "point has " << wb.size() << " entries, expected " << total);
  gradient = Eigen::VectorXd::Zero(total);
  double loss = 0;
  const double b = settings_.fit_intercept ? wb[dim] : 0.0;
  for (std::size_t r = 0; r < rows.n; ++r) {
    const double margin = -(row_dot(rows, r, wb.data()) + b);
    const double mult = 1.0 / (1.0 + std::exp(margin)) - rows.labels[r];
    for_each_coordinate(rows, r, [&](std::int64_t i, double x) { gradient[i] += mult * x; });
    if (settings_.fit_intercept) gradient[dim] += mult;
    loss += rows.labels[r] > 0 ? log1p_exp(margin) : log1p_exp(margin) - margin;
  }
  if (rows.n) {
    gradient /= double(rows.n);
    loss /= double(rows.n);
  }
  return loss;
}

void LogisticRegressionSGD::fit_spark(const Rows& rows) {
  const auto& s = settings_;
  auto& st = state_;
  const std::int64_t dim = dimension();
  const std::int64_t total = dim + (s.fit_intercept ? 1 : 0);
  const std::size_t d = rows.d;
  const bool sample = s.mini_batch_fraction < 1.0;

  // Weights with the intercept appended as the constant-1 feature's weight.
  Eigen::VectorXd w(total);
  w.head(dim) = st.weight_scale * st.weights;
  if (s.fit_intercept) w[dim] = st.intercept;
  const Eigen::VectorXd w_before = w;

  auto reg_value = [&](const Eigen::VectorXd& v) {
    if (s.penalty == Penalty::L2) return 0.5 * s.reg_param * v.squaredNorm();
    if (s.penalty == Penalty::L1) return s.reg_param * v.lpNorm<1>();
    return 0.0;
  };
  double reg_val = reg_value(w);

  // Per block: the dense part of the gradient (and the intercept's, last), its loss and rows.
  const std::size_t blocks = block_count(rows.n);
  const std::size_t dense_cols = d + (s.fit_intercept ? 1 : 0);
  RowMatrix block_grad{Eigen::Index(blocks), Eigen::Index(dense_cols)};
  Eigen::VectorXd block_loss(blocks);
  std::vector<std::size_t> block_count(blocks);
  // Per-row multipliers for the hashed part, which is added serially in row order (a dense
  // partial per block would cost the full bucket count per block).
  std::vector<double> mult(rows.sparse ? rows.n : 0);

  Eigen::VectorXd previous, current, gradient(total);
  bool have_previous = false, have_current = false, converged = false;
  int iterations = 0;
  double last_loss = st.last_loss;
  for (int i = 1; i <= s.num_iterations && !converged; ++i) {
    ++iterations;
    const double b = s.fit_intercept ? w[dim] : 0.0;
    for_each_block(rows.n, [&](std::size_t k, std::size_t begin, std::size_t end) {
      double* g = block_grad.row(Eigen::Index(k)).data();
      std::fill(g, g + dense_cols, 0.0);
      double loss = 0;
      std::size_t count = 0;
      for (std::size_t r = begin; r < end; ++r) {
        if (sample && !(sample_uniform(s.seed, st.batches_seen, i, r) < s.mini_batch_fraction)) {
          if (rows.sparse) mult[r] = 0.0;
          continue;
        }
        // Spark's LogisticGradient (binary): margin = -w.x, multiplier = sigmoid(w.x) - y.
        const double margin = -(row_dot(rows, r, w.data()) + b);
        const double m = 1.0 / (1.0 + std::exp(margin)) - rows.labels[r];
        const double* x = rows.row(r);
        for (std::size_t j = 0; j < d; ++j) g[j] += m * x[j];
        if (s.fit_intercept) g[d] += m;
        if (rows.sparse) mult[r] = m;
        loss += rows.labels[r] > 0 ? log1p_exp(margin) : log1p_exp(margin) - margin;
        ++count;
      }
      block_loss[Eigen::Index(k)] = loss;
      block_count[k] = count;
    });
    gradient.setZero();
    double loss_sum = 0;
    std::size_t batch_size = 0;
    for (std::size_t k = 0; k < blocks; ++k) {
      const double* g = block_grad.row(Eigen::Index(k)).data();
      for (std::size_t j = 0; j < d; ++j) gradient[Eigen::Index(j)] += g[j];
      if (s.fit_intercept) gradient[dim] += g[d];
      loss_sum += block_loss[Eigen::Index(k)];
      batch_size += block_count[k];
    }
    if (rows.sparse) {
      const auto& sp = *rows.sparse;
      for (std::size_t r = 0; r < rows.n; ++r) {
        if (mult[r] == 0.0) continue;
        for (std::int32_t k = sp.indptr[r]; k < sp.indptr[r + 1]; ++k)
          gradient[Eigen::Index(d) + sp.indices[k]] += mult[r] * sp.values[k];
      }
    }
    if (batch_size == 0) continue;  // Spark: "the size of sampled batch is zero", no update
    last_loss = loss_sum / double(batch_size) + reg_val;
    gradient /= double(batch_size);
    const double eta = s.step_size / std::sqrt(double(i));
    if (s.penalty == Penalty::L2) {
      w *= (1.0 - eta * s.reg_param);
      w -= eta * gradient;
    } else if (s.penalty == Penalty::L1) {
      w -= eta * gradient;
      const double shrink = s.reg_param * eta;
      for (Eigen::Index j = 0; j < w.size(); ++j) w[j] = soft_threshold(w[j], shrink);
    } else {
      w -= eta * gradient;
    }
    reg_val = reg_value(w);
    if (have_current) {
      previous.swap(current);
      have_previous = true;
    }
    current = w;
    have_current = true;
    if (have_previous)
      converged = (previous - current).norm() < s.convergence_tol * std::max(current.norm(), 1.0);
  }

  if (s.forgetting()) {
    const double n = double(rows.n);
    const double a = s.time_unit == TimeUnit::Points ? std::pow(s.effective_decay(), n) : s.effective_decay();
    const double past = a * st.effective_examples;
    if (past > 0) w = (past * w_before + n * w) / (past + n);
    st.effective_examples = past + n;
  }
  st.weights = w.head(dim);
  st.weight_scale = 1.0;
  if (s.fit_intercept) st.intercept = w[dim];
  st.last_iterations = iterations;
  st.last_converged = converged;
  st.last_loss = last_loss;
}

// ---------------------------------------------------------------------------------------------
// Online mode

// Folds the lazy scale (and the lazy average) into the stored vectors, as sklearn's
// WeightVector.reset_wscale does when the scale gets small.
void LogisticRegressionSGD::fold_scale() {
  auto& st = state_;
  if (st.avg_weights.size()) {
    st.avg_weights += st.avg_a * st.weights;
    st.avg_weights /= st.avg_b;
    st.avg_a = 0.0;
    st.avg_b = 1.0;
  }
  st.weights *= st.weight_scale;
  st.weight_scale = 1.0;
}

void LogisticRegressionSGD::forget_online(double a) {
  const auto& s = settings_;
  auto& st = state_;
  if (s.optimizer == OnlineOptimizer::Sgd) {
    st.t = 1.0 + a * (st.t - 1.0);
  } else if (s.optimizer == OnlineOptimizer::AdaGrad) {
    st.grad_sq_sum *= a;
    st.intercept_grad_sq_sum *= a;
  } else {
    st.ftrl_z *= a;
    st.ftrl_n *= a;
    st.ftrl_z_intercept *= a;
    st.ftrl_n_intercept *= a;
    for (Eigen::Index i = 0; i < st.weights.size(); ++i)
      st.weights[i] = ftrl_weight(st.ftrl_z[i], st.ftrl_n[i], s.ftrl_alpha, s.ftrl_beta, s.ftrl_l1, s.ftrl_l2);
    if (s.fit_intercept)
      st.intercept = ftrl_weight(st.ftrl_z_intercept, st.ftrl_n_intercept, s.ftrl_alpha, s.ftrl_beta, 0, 0);
  }
}

void LogisticRegressionSGD::fit_online(const Rows& rows) {
  const auto& s = settings_;
  auto& st = state_;
  if (s.forgetting() && st.examples_seen > 0) {
    const double a = s.time_unit == TimeUnit::Points ? std::pow(s.effective_decay(), double(rows.n)) : s.effective_decay();
    forget_online(a);
  }
  const double alpha = alpha_of(s);
  const double rho = l1_share(s);
  double* v = st.weights.data();

  if (s.optimizer == OnlineOptimizer::Sgd) {
    // scikit-learn's _plain_sgd, one example at a time, in its order of operations.
    const LearningRate rule = s.learning_rate;
    const bool l2 = s.penalty == Penalty::L2 || s.penalty == Penalty::ElasticNet;
    const bool l1 = s.penalty == Penalty::L1 || s.penalty == Penalty::ElasticNet;
    double* q = st.l1_q.data();
    double* aw = st.avg_weights.data();
    for (std::size_t r = 0; r < rows.n; ++r) {
      const double eta = sgd_learning_rate(rule, s.step_size, s.power_t, alpha, st.t);
      const double p = row_dot(rows, r, v) * st.weight_scale + st.intercept;
      if (!std::isfinite(p)) reject_non_finite(rows, r);
      const double update = -eta * sklearn_log_dloss(p, rows.labels[r] > 0 ? 1.0 : -1.0);
      if (l2) {
        st.weight_scale *= std::max(0.0, 1.0 - (1.0 - rho) * eta * alpha);
        if (st.weight_scale < 1e-9) fold_scale();
      }
      if (update != 0.0) {
        const double c = update / st.weight_scale;
        for_each_coordinate(rows, r, [&](std::int64_t i, double x) { v[i] += x * c; });
      }
      if (s.fit_intercept) st.intercept += update;
      if (s.average > 0 && double(s.average) <= st.t) {
        // Xu (2011)'s lazy averaging, as sklearn's WeightVector.add_average.
        const double seen = st.t - double(s.average) + 1.0;
        const double mu = 1.0 / seen;
        const double c = st.avg_a * (-update / st.weight_scale);
        for_each_coordinate(rows, r, [&](std::int64_t i, double x) { aw[i] += c * x; });
        if (seen > 1) st.avg_b /= (1.0 - mu);
        st.avg_a += mu * st.avg_b * st.weight_scale;
        st.avg_intercept += (st.intercept - st.avg_intercept) / seen;
      }
      if (l1) {
        // Tsuruoka, Tsujii & Ananiadou (2009): clip each touched weight by the penalty it has
        // not yet received (u - q), never across zero.
        st.l1_u += rho * eta * alpha;
        const double ws = st.weight_scale;
        for_each_coordinate(rows, r, [&](std::int64_t i, double) {
          const double z = v[i];
          if (ws * z > 0.0) {
            v[i] = std::max(0.0, v[i] - (st.l1_u + q[i]) / ws);
          } else if (ws * z < 0.0) {
            v[i] = std::min(0.0, v[i] + (st.l1_u - q[i]) / ws);
          }
          q[i] += ws * (v[i] - z);
        });
      }
      st.t += 1.0;
    }
    return;
  }

  if (s.optimizer == OnlineOptimizer::AdaGrad) {
    double* G = st.grad_sq_sum.data();
    const double eta = s.step_size, eps = s.adagrad_epsilon;
    for (std::size_t r = 0; r < rows.n; ++r) {
      const double p = row_dot(rows, r, v) + st.intercept;
      if (!std::isfinite(p)) reject_non_finite(rows, r);
      const double dl = sigmoid(p) - rows.labels[r];
      for_each_coordinate(rows, r, [&](std::int64_t i, double x) {
        const double g = dl * x + alpha * (1.0 - rho) * v[i];
        G[i] += g * g;
        const double h = std::sqrt(G[i]) + eps;
        v[i] -= eta * g / h;
        if (rho > 0 && alpha > 0) v[i] = soft_threshold(v[i], eta * alpha * rho / h);
      });
      if (s.fit_intercept) {
        st.intercept_grad_sq_sum += dl * dl;
        st.intercept -= eta * dl / (std::sqrt(st.intercept_grad_sq_sum) + eps);
      }
    }
    return;
  }

  // FTRL-Proximal. weights[i] always holds the closed form of (z_i, n_i).
  double* z = st.ftrl_z.data();
  double* n = st.ftrl_n.data();
  const double fa = s.ftrl_alpha, fb = s.ftrl_beta, l1 = s.ftrl_l1, l2 = s.ftrl_l2;
  for (std::size_t r = 0; r < rows.n; ++r) {
    const double p = row_dot(rows, r, v) + st.intercept;
    if (!std::isfinite(p)) reject_non_finite(rows, r);
    const double dl = sigmoid(p) - rows.labels[r];
    for_each_coordinate(rows, r, [&](std::int64_t i, double x) {
      const double g = dl * x;
      const double sigma = (std::sqrt(n[i] + g * g) - std::sqrt(n[i])) / fa;
      z[i] += g - sigma * v[i];
      n[i] += g * g;
      v[i] = ftrl_weight(z[i], n[i], fa, fb, l1, l2);
    });
    if (s.fit_intercept) {
      const double sigma = (std::sqrt(st.ftrl_n_intercept + dl * dl) - std::sqrt(st.ftrl_n_intercept)) / fa;
      st.ftrl_z_intercept += dl - sigma * st.intercept;
      st.ftrl_n_intercept += dl * dl;
      st.intercept = ftrl_weight(st.ftrl_z_intercept, st.ftrl_n_intercept, fa, fb, 0, 0);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Prediction

static bool averaging_active(const LogisticRegressionSGDSettings& s, const LogisticRegressionSGDState& st) {
  return s.mode == LogisticMode::Online && s.average > 0 && double(s.average) <= st.t - 1.0;
}

Eigen::VectorXd LogisticRegressionSGD::coef() const {
  const auto& st = state_;
  if (!sized())
    return Eigen::Map<const Eigen::VectorXd>(settings_.initial_weights.data(),
                                             Eigen::Index(settings_.initial_weights.size()));
  if (averaging_active(settings_, st)) return (st.avg_weights + st.avg_a * st.weights) / st.avg_b;
  return st.weight_scale * st.weights;
}

double LogisticRegressionSGD::intercept() const {
  if (sized() && averaging_active(settings_, state_)) return state_.avg_intercept;
  return state_.intercept;
}

Eigen::VectorXd LogisticRegressionSGD::margins(const Rows& rows) const {
  check_rows(rows, false);
  Eigen::VectorXd out(Eigen::Index(rows.n));
  const Eigen::VectorXd w = coef();
  const double b = intercept();
  if (w.size() == 0) {
    out.setConstant(b);  // nothing learned and no initial weights: every weight is 0
    return out;
  }
  for_each_block(rows.n, [&](std::size_t, std::size_t begin, std::size_t end) {
    for (std::size_t r = begin; r < end; ++r) out[Eigen::Index(r)] = row_dot(rows, r, w.data()) + b;
  });
  return out;
}

Eigen::VectorXd LogisticRegressionSGD::decision_function(const Batch& batch) const { return margins(RowView::of(batch)); }
Eigen::VectorXd LogisticRegressionSGD::decision_function(const Eigen::Ref<const RowMatrix>& x) const {
  return margins(RowView::of(x));
}

Eigen::VectorXd LogisticRegressionSGD::predict_proba(const Batch& batch) const {
  return decision_function(batch).unaryExpr([](double m) { return sigmoid(m); });
}
Eigen::VectorXd LogisticRegressionSGD::predict_proba(const Eigen::Ref<const RowMatrix>& x) const {
  return decision_function(x).unaryExpr([](double m) { return sigmoid(m); });
}

Eigen::VectorXd LogisticRegressionSGD::predict(const Batch& batch) const {
  const double t = settings_.threshold;
  return predict_proba(batch).unaryExpr([t](double p) { return p > t ? 1.0 : 0.0; });
}
Eigen::VectorXd LogisticRegressionSGD::predict(const Eigen::Ref<const RowMatrix>& x) const {
  const double t = settings_.threshold;
  return predict_proba(x).unaryExpr([t](double p) { return p > t ? 1.0 : 0.0; });
}

void LogisticRegressionSGD::write_summary(JsonWriter& out) const {
  const Eigen::VectorXd w = coef();
  out.key("mode").value(settings_table().text(settings_, "mode"));
  if (settings_.mode == LogisticMode::Online) out.key("optimizer").value(settings_table().text(settings_, "optimizer"));
  out.key("examples_seen").value(state_.examples_seen);
  out.key("batches_seen").value(state_.batches_seen);
  out.key("dimension").value(dimension());
  out.key("weights_l2_norm").value(w.size() ? w.norm() : 0.0);
  out.key("nonzero_weights").value(std::int64_t((w.array() != 0.0).count()));
  out.key("intercept").value(intercept());
  if (settings_.mode == LogisticMode::Spark) {
    out.key("last_iterations").value(state_.last_iterations);
    out.key("last_converged").value(state_.last_converged);
    out.key("last_loss").value(state_.last_loss);
  }
}

// ---------------------------------------------------------------------------------------------
// Checkpoints. Layout 2 (state_version): the model as users see it at the root — `coef` (dense
// coordinates, then hashed buckets) and `intercept`, exactly what predictions use — and under
// `optimizer/` only the memory of the optimizer in use, which a resume needs to continue bit
// for bit: sgd's iterate (its weights are weight_scale * weights, lazily scaled, and with ASGD
// coef is the average, not the iterate), its step counter and its L1 / averaging memory;
// adagrad's squared-gradient sums; ftrl's z and n; spark mode's forgetting count and its last
// batch's figures. Layout 1 (every field of the state struct, coef not stored) still loads.

void LogisticRegressionSGD::save_state(StateWriter& out) const {
  const auto& st = state_;
  const auto& s = settings_;
  out.write_int("dense_features", st.dense_features);
  out.write_int("hashed_features", st.hashed_features);
  out.write_vector("coef", sized() ? coef() : Eigen::VectorXd());
  out.write_double("intercept", intercept());
  out.write_int("examples_seen", st.examples_seen);
  out.write_int("batches_seen", st.batches_seen);  // also the mini-batch sampler's whole state
  StateWriter opt = out.group("optimizer");
  if (s.mode == LogisticMode::Spark) {
    opt.write_double("effective_examples", st.effective_examples);
    opt.write_int("last_iterations", st.last_iterations);
    opt.write_bool("last_converged", st.last_converged);
    opt.write_double("last_loss", st.last_loss);
    return;
  }
  switch (s.optimizer) {
    case OnlineOptimizer::Sgd:
      opt.write_double("t", st.t);
      opt.write_vector("weights", st.weights);
      opt.write_double("weight_scale", st.weight_scale);
      opt.write_double("intercept", st.intercept);
      if (l1_share(s) > 0) {
        opt.write_double("l1_u", st.l1_u);
        opt.write_vector("l1_q", st.l1_q);
      }
      if (s.average > 0) {
        opt.write_vector("avg_weights", st.avg_weights);
        opt.write_double("avg_a", st.avg_a);
        opt.write_double("avg_b", st.avg_b);
        opt.write_double("avg_intercept", st.avg_intercept);
      }
      break;
    case OnlineOptimizer::AdaGrad:
      opt.write_vector("grad_sq_sum", st.grad_sq_sum);
      opt.write_double("intercept_grad_sq_sum", st.intercept_grad_sq_sum);
      break;
    case OnlineOptimizer::Ftrl:
      opt.write_vector("ftrl_z", st.ftrl_z);
      opt.write_vector("ftrl_n", st.ftrl_n);
      opt.write_double("ftrl_z_intercept", st.ftrl_z_intercept);
      opt.write_double("ftrl_n_intercept", st.ftrl_n_intercept);
      break;
  }
}

namespace {

// Layout 1: every field of the state struct as it was named.
LogisticRegressionSGDState read_layout_1(const StateReader& in) {
  LogisticRegressionSGDState s;
  s.dense_features = in.read_int("dense_features");
  s.hashed_features = in.read_int("hashed_features");
  s.weights = in.read_vector("weights");
  s.weight_scale = in.read_double("weight_scale");
  s.intercept = in.read_double("intercept");
  s.examples_seen = in.read_int("examples_seen");
  s.batches_seen = in.read_int("batches_seen");
  s.effective_examples = in.read_double("effective_examples");
  s.last_iterations = int(in.read_int("last_iterations"));
  s.last_converged = in.read_bool("last_converged");
  s.last_loss = in.read_double("last_loss");
  const StateReader opt = in.group("optimizer");
  s.t = opt.read_double("t");
  s.l1_u = opt.read_double("l1_u");
  s.l1_q = opt.read_vector("l1_q");
  s.avg_weights = opt.read_vector("avg_weights");
  s.avg_a = opt.read_double("avg_a");
  s.avg_b = opt.read_double("avg_b");
  s.avg_intercept = opt.read_double("avg_intercept");
  s.grad_sq_sum = opt.read_vector("grad_sq_sum");
  s.intercept_grad_sq_sum = opt.read_double("intercept_grad_sq_sum");
  s.ftrl_z = opt.read_vector("ftrl_z");
  s.ftrl_n = opt.read_vector("ftrl_n");
  s.ftrl_z_intercept = opt.read_double("ftrl_z_intercept");
  s.ftrl_n_intercept = opt.read_double("ftrl_n_intercept");
  return s;
}

// Layout 2 (see save_state); the fields the optimizer in use does not keep stay at their
// fresh values, as set_state expects.
LogisticRegressionSGDState read_layout_2(const StateReader& in, const LogisticRegressionSGDSettings& s) {
  LogisticRegressionSGDState st;
  st.dense_features = in.read_int("dense_features");
  st.hashed_features = in.read_int("hashed_features");
  const std::int64_t dim = st.dense_features < 0 ? 0 : st.dense_features + std::max<std::int64_t>(st.hashed_features, 0);
  const Eigen::VectorXd coef = in.read_vector("coef", dim);
  st.intercept = in.read_double("intercept");
  st.examples_seen = in.read_int("examples_seen");
  st.batches_seen = in.read_int("batches_seen");
  st.weights = coef;
  const StateReader opt = in.group("optimizer");
  if (s.mode == LogisticMode::Spark) {
    st.effective_examples = opt.read_double("effective_examples");
    st.last_iterations = int(opt.read_int("last_iterations"));
    st.last_converged = opt.read_bool("last_converged");
    st.last_loss = opt.read_double("last_loss");
    return st;
  }
  switch (s.optimizer) {
    case OnlineOptimizer::Sgd:
      st.t = opt.read_double("t");
      st.weights = opt.read_vector("weights", dim);
      st.weight_scale = opt.read_double("weight_scale");
      st.intercept = opt.read_double("intercept");
      if (l1_share(s) > 0) {
        st.l1_u = opt.read_double("l1_u");
        st.l1_q = opt.read_vector("l1_q", dim);
      }
      if (s.average > 0) {
        st.avg_weights = opt.read_vector("avg_weights", dim);
        st.avg_a = opt.read_double("avg_a");
        st.avg_b = opt.read_double("avg_b");
        st.avg_intercept = opt.read_double("avg_intercept");
      }
      break;
    case OnlineOptimizer::AdaGrad:
      st.grad_sq_sum = opt.read_vector("grad_sq_sum", dim);
      st.intercept_grad_sq_sum = opt.read_double("intercept_grad_sq_sum");
      break;
    case OnlineOptimizer::Ftrl:
      st.ftrl_z = opt.read_vector("ftrl_z", dim);
      st.ftrl_n = opt.read_vector("ftrl_n", dim);
      st.ftrl_z_intercept = opt.read_double("ftrl_z_intercept");
      st.ftrl_n_intercept = opt.read_double("ftrl_n_intercept");
      break;
  }
  return st;
}

}  // namespace

void LogisticRegressionSGD::load_state(const std::string& params, const StateReader& in) {
  LogisticRegressionSGD fresh(settings_table().from_json(params));
  if (in.state_version() == 1) {
    fresh.set_state(read_layout_1(in));  // its errors get the file's name from the checkpoint loader
  } else {
    fresh.set_state(read_layout_2(in, fresh.settings_));
    // coef and intercept are what users read: they must be what the restored model predicts with.
    if (fresh.sized()) {
      const Eigen::VectorXd coef = in.read_vector("coef", fresh.dimension());
      STREAMML_CHECK(coef.cwiseEqual(fresh.coef()).all() && in.read_double("intercept") == fresh.intercept(),
                     InvalidInput,
                     in.where("coef") << ": coef and intercept disagree with the optimizer's state under optimizer/");
    }
  }
  settings_ = std::move(fresh.settings_);
  state_ = std::move(fresh.state_);
}

}  // namespace streamml
