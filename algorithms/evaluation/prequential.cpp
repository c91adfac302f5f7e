#include "algorithms/evaluation/prequential.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#include "core/error.h"
#include "core/json.h"
#include "core/state_io.h"

namespace streamml {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
// sklearn 1.2 log_loss(eps="auto") on float64: np.finfo(np.float64).eps.
constexpr double kLogLossEps = 2.220446049250313e-16;

double clipped_log_loss(double p, double y) {
  p = std::clamp(p, kLogLossEps, 1.0 - kLogLossEps);
  return y > 0 ? -std::log(p) : -std::log1p(-p);
}

void write_metrics(JsonWriter& out, const char* name, const PrequentialMetrics& m) {
  out.key(name).begin_object();
  out.key("count").value(m.count);
  out.key("log_loss").value(m.log_loss);
  out.key("accuracy").value(m.accuracy);
  out.key("auc").value(m.auc);
  out.end_object();
}

}  // namespace

const SettingsTable<PrequentialSettings>& PrequentialEvaluator::settings_table() {
  using S = PrequentialSettings;
  static const SettingsTable<S> table = [] {
    SettingsTable<S> t(kType);
    t.integer("window", &S::window, "predictions in the sliding window", Range::at_least(1))
        .integer("auc_bins", &S::auc_bins, "histogram bins of the whole-stream AUC", Range::at_least(1))
        .real("threshold", &S::threshold, "class 1 iff score > threshold (accuracy)", Range::closed(0, 1))
        .integer("curve_recent", &S::curve_recent, "learning-curve points kept exactly: the last N batches",
                 Range::at_least(1))
        .integer("curve_points", &S::curve_points, "points of the downsampled whole-stream learning curve",
                 Range::at_least(2));
    return t;
  }();
  return table;
}

void PrequentialSettings::validate() const { PrequentialEvaluator::settings_table().validate(*this); }

PrequentialEvaluator::PrequentialEvaluator(PrequentialSettings settings)
    : settings_(settings), curve_(HistoryBounds{settings.curve_recent, settings.curve_points}) {
  settings_.validate();
  pos_hist_.assign(settings_.auc_bins, 0);
  neg_hist_.assign(settings_.auc_bins, 0);
}

double PrequentialEvaluator::exact_auc(const double* scores, const double* labels, std::size_t n) {
  std::vector<std::size_t> order(n);
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return scores[a] < scores[b]; });
  // Mann-Whitney U: sum of the positives' ranks, tied scores sharing their mean rank.
  double rank_sum = 0;
  double positives = 0;
  for (std::size_t i = 0; i < n;) {
    std::size_t j = i;
    while (j < n && scores[order[j]] == scores[order[i]]) ++j;
    const double mean_rank = 0.5 * double(i + 1 + j);  // ranks i+1 .. j
    for (std::size_t k = i; k < j; ++k)
      if (labels[order[k]] > 0) {
        rank_sum += mean_rank;
        positives += 1;
      }
    i = j;
  }
  const double negatives = double(n) - positives;
  if (positives == 0 || negatives == 0) return kNaN;
  return (rank_sum - positives * (positives + 1) / 2) / (positives * negatives);
}

PrequentialMetrics PrequentialEvaluator::metrics(const double* scores, const double* labels, std::size_t n,
                                                 double threshold) {
  PrequentialMetrics m;
  m.count = std::int64_t(n);
  if (n == 0) {
    m.log_loss = m.accuracy = m.auc = kNaN;
    return m;
  }
  double loss = 0;
  std::int64_t correct = 0;
  for (std::size_t i = 0; i < n; ++i) {
    loss += clipped_log_loss(scores[i], labels[i]);
    correct += ((scores[i] > threshold) == (labels[i] > 0)) ? 1 : 0;
  }
  m.log_loss = loss / double(n);
  m.accuracy = double(correct) / double(n);
  m.auc = exact_auc(scores, labels, n);
  return m;
}

void PrequentialEvaluator::update(const Eigen::Ref<const Eigen::VectorXd>& scores,
                                  const Eigen::Ref<const Eigen::VectorXd>& labels) {
  STREAMML_CHECK(scores.size() == labels.size(), InvalidInput,
                 "prequential update: " << scores.size() << " scores for " << labels.size() << " labels");
  const std::size_t n = std::size_t(scores.size());
  for (std::size_t i = 0; i < n; ++i) {
    STREAMML_CHECK(scores[i] >= 0 && scores[i] <= 1, InvalidInput,
                   "prequential update: score of row " << i << " is " << scores[i] << ", expected a probability in [0, 1]");
    STREAMML_CHECK(labels[i] == 0 || labels[i] == 1, InvalidInput,
                   "prequential update: label of row " << i << " is " << labels[i] << ", expected 0 or 1");
  }
  // Contiguous copies: Ref may have a stride, and the exact AUC sorts indices into them.
  const Eigen::VectorXd s = scores, y = labels;

  PrequentialPoint point;
  point.batch = curve_.count();
  point.batch_metrics = metrics(s.data(), y.data(), n, settings_.threshold);

  const std::size_t bins = settings_.auc_bins;
  for (std::size_t i = 0; i < n; ++i) {
    log_loss_sum_ += clipped_log_loss(s[i], y[i]);
    correct_ += ((s[i] > settings_.threshold) == (y[i] > 0)) ? 1 : 0;
    const std::size_t bin = std::min(bins - 1, std::size_t(s[i] * double(bins)));
    (y[i] > 0 ? pos_hist_ : neg_hist_)[bin] += 1;
    if (ring_scores_.size() < settings_.window) {
      ring_scores_.push_back(s[i]);
      ring_labels_.push_back(y[i]);
    } else {
      ring_scores_[next_] = s[i];
      ring_labels_[next_] = y[i];
    }
    next_ = (next_ + 1) % settings_.window;
  }
  count_ += std::int64_t(n);
  point.window_metrics = window();
  point.cumulative_metrics = cumulative();
  curve_.add(point);
}

PrequentialMetrics PrequentialEvaluator::last_batch() const {
  if (curve_.empty()) return metrics(nullptr, nullptr, 0, settings_.threshold);
  return curve_.last().batch_metrics;
}

std::vector<PrequentialPoint> PrequentialEvaluator::curve() const {
  std::vector<PrequentialPoint> out;
  for (const auto& p : curve_.kept()) out.push_back(p.second);
  return out;
}

std::vector<double> PrequentialEvaluator::window_scores() const {
  std::vector<double> out(ring_scores_.size());
  const std::size_t start = ring_scores_.size() < settings_.window ? 0 : next_;
  for (std::size_t i = 0; i < out.size(); ++i) out[i] = ring_scores_[(start + i) % ring_scores_.size()];
  return out;
}

std::vector<double> PrequentialEvaluator::window_labels() const {
  std::vector<double> out(ring_labels_.size());
  const std::size_t start = ring_labels_.size() < settings_.window ? 0 : next_;
  for (std::size_t i = 0; i < out.size(); ++i) out[i] = ring_labels_[(start + i) % ring_labels_.size()];
  return out;
}

PrequentialMetrics PrequentialEvaluator::window() const {
  return metrics(ring_scores_.data(), ring_labels_.data(), ring_scores_.size(), settings_.threshold);
}

PrequentialMetrics PrequentialEvaluator::cumulative() const {
  PrequentialMetrics m;
  m.count = count_;
  if (count_ == 0) {
    m.log_loss = m.accuracy = m.auc = kNaN;
    return m;
  }
  m.log_loss = log_loss_sum_ / double(count_);
  m.accuracy = double(correct_) / double(count_);
  // Histogram AUC: each positive beats the negatives in lower bins, ties within its own bin.
  double pairs = 0, negatives_below = 0, positives = 0;
  for (std::size_t b = 0; b < pos_hist_.size(); ++b) {
    pairs += double(pos_hist_[b]) * (negatives_below + 0.5 * double(neg_hist_[b]));
    negatives_below += double(neg_hist_[b]);
    positives += double(pos_hist_[b]);
  }
  m.auc = (positives == 0 || negatives_below == 0) ? kNaN : pairs / (positives * negatives_below);
  return m;
}

double PrequentialEvaluator::cumulative_auc_error_bound() const {
  double shared = 0, positives = 0, negatives = 0;
  for (std::size_t b = 0; b < pos_hist_.size(); ++b) {
    shared += double(pos_hist_[b]) * double(neg_hist_[b]);
    positives += double(pos_hist_[b]);
    negatives += double(neg_hist_[b]);
  }
  if (positives == 0 || negatives == 0) return kNaN;
  return 0.5 * shared / (positives * negatives);
}

void PrequentialEvaluator::write_summary(JsonWriter& out) const {
  out.key("batches").value(batches());
  out.key("predictions").value(count_);
  out.key("window_size").value(settings_.window);
  out.key("auc_bins").value(settings_.auc_bins);
  write_metrics(out, "last_batch", last_batch());
  write_metrics(out, "window", window());
  write_metrics(out, "cumulative", cumulative());
  out.key("cumulative_auc_error_bound").value(cumulative_auc_error_bound());
}

std::string PrequentialEvaluator::params_json() const { return settings_table().to_json(settings_); }

std::string PrequentialEvaluator::metrics_json() const {
  JsonWriter w;
  w.begin_object();
  write_summary(w);
  w.end_object();
  return w.str();
}

void PrequentialEvaluator::load_state(const std::string& /*params: the datasets hold them*/, const StateReader& in) {
  load_state(in);
}

// Curve points as rows of 13: batch, then count, log_loss, accuracy, auc of the batch, the
// window and the whole stream (the columns of learning_curve_csv).
constexpr Eigen::Index kCurveColumns = 13;

namespace {

template <class Points, class Get>
RowMatrix curve_rows(const Points& points, Get get) {
  RowMatrix rows(Eigen::Index(points.size()), kCurveColumns);
  Eigen::Index i = 0;
  for (const auto& item : points) {
    const PrequentialPoint& p = get(item);
    Eigen::Index c = 0;
    rows(i, c++) = double(p.batch);
    for (const auto* m : {&p.batch_metrics, &p.window_metrics, &p.cumulative_metrics}) {
      rows(i, c++) = double(m->count);
      rows(i, c++) = m->log_loss;
      rows(i, c++) = m->accuracy;
      rows(i, c++) = m->auc;
    }
    ++i;
  }
  return rows;
}

PrequentialPoint point_of(const RowMatrix& rows, Eigen::Index i) {
  PrequentialPoint p;
  Eigen::Index c = 0;
  p.batch = std::int64_t(rows(i, c++));
  for (auto* m : {&p.batch_metrics, &p.window_metrics, &p.cumulative_metrics}) {
    m->count = std::int64_t(rows(i, c++));
    m->log_loss = rows(i, c++);
    m->accuracy = rows(i, c++);
    m->auc = rows(i, c++);
  }
  return p;
}

}  // namespace

void PrequentialEvaluator::save_state(StateWriter& out) const {
  out.write_int("window", std::int64_t(settings_.window));
  out.write_int("auc_bins", std::int64_t(settings_.auc_bins));
  out.write_double("threshold", settings_.threshold);
  out.write_int("curve_recent", std::int64_t(settings_.curve_recent));
  out.write_int("curve_points", std::int64_t(settings_.curve_points));
  out.write_int("count", count_);
  out.write_double("log_loss_sum", log_loss_sum_);
  out.write_int("correct", correct_);
  out.write_ints("positive_histogram", pos_hist_);
  out.write_ints("negative_histogram", neg_hist_);
  out.write_vector("ring_scores", ring_scores_);
  out.write_vector("ring_labels", ring_labels_);
  out.write_int("ring_next", std::int64_t(next_));
  out.write_int("batches", curve_.count());
  out.write_int("curve_stride", curve_.stride());
  out.write_matrix("recent_curve", curve_rows(curve_.recent(), [](const PrequentialPoint& p) -> const PrequentialPoint& { return p; }));
  out.write_matrix("whole_curve", curve_rows(curve_.whole(), [](const auto& p) -> const PrequentialPoint& { return p.second; }));
}

void PrequentialEvaluator::load_state(const StateReader& in) {
  const std::int64_t layout = in.state_version();
  STREAMML_CHECK(layout == 1 || layout == 2, InvalidInput,
                 in.where("") << ": prequential state of layout " << layout << ", this streamml reads layouts 1 and 2");
  PrequentialSettings settings;
  const std::int64_t window = in.read_int("window"), bins = in.read_int("auc_bins");
  STREAMML_CHECK(window >= 1 && bins >= 1, InvalidInput,
                 in.where("window") << ": window " << window << " and auc_bins " << bins << " must be >= 1");
  settings.window = std::size_t(window);
  settings.auc_bins = std::size_t(bins);
  settings.threshold = in.read_double("threshold");
  if (layout >= 2) {
    const std::int64_t recent = in.read_int("curve_recent"), points = in.read_int("curve_points");
    STREAMML_CHECK(recent >= 1 && points >= 2, InvalidInput,
                   in.where("curve_recent") << ": curve_recent " << recent << " must be >= 1 and curve_points " << points << " >= 2");
    settings.curve_recent = std::size_t(recent);
    settings.curve_points = std::size_t(points);
  }
  PrequentialEvaluator fresh(settings);
  fresh.count_ = in.read_int("count");
  fresh.log_loss_sum_ = in.read_double("log_loss_sum");
  fresh.correct_ = in.read_int("correct");
  fresh.pos_hist_ = in.read_ints("positive_histogram", bins);
  fresh.neg_hist_ = in.read_ints("negative_histogram", bins);
  const Eigen::VectorXd scores = in.read_vector("ring_scores");
  const Eigen::VectorXd labels = in.read_vector("ring_labels", scores.size());
  STREAMML_CHECK(scores.size() <= window, InvalidInput,
                 in.where("ring_scores") << ": " << scores.size() << " predictions in a window of " << window);
  fresh.ring_scores_.assign(scores.data(), scores.data() + scores.size());
  fresh.ring_labels_.assign(labels.data(), labels.data() + labels.size());
  const std::int64_t next = in.read_int("ring_next");
  STREAMML_CHECK(next >= 0 && next < window, InvalidInput, in.where("ring_next") << ": " << next << " is outside the window");
  fresh.next_ = std::size_t(next);
  if (layout == 1) {
    // Every point was kept: the bounded curve is what adding them one by one keeps.
    const RowMatrix curve = in.read_matrix("curve", -1, kCurveColumns);
    for (Eigen::Index i = 0; i < curve.rows(); ++i) fresh.curve_.add(point_of(curve, i));
  } else {
    const RowMatrix recent = in.read_matrix("recent_curve", -1, kCurveColumns);
    const RowMatrix whole = in.read_matrix("whole_curve", -1, kCurveColumns);
    std::deque<PrequentialPoint> recent_points;
    for (Eigen::Index i = 0; i < recent.rows(); ++i) recent_points.push_back(point_of(recent, i));
    std::vector<std::pair<std::int64_t, PrequentialPoint>> whole_points;
    for (Eigen::Index i = 0; i < whole.rows(); ++i) {
      const PrequentialPoint p = point_of(whole, i);
      whole_points.emplace_back(p.batch, p);
    }
    fresh.curve_.restore(in.read_int("batches"), in.read_int("curve_stride"), std::move(whole_points),
                         std::move(recent_points), in.where("whole_curve"));
  }
  *this = std::move(fresh);
}

}  // namespace streamml
