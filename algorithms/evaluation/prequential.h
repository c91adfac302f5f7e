// Prequential (test-then-train) evaluation of a binary classifier on a stream.
//
// The caller scores each batch with the model as it stands, hands the scores (P(y = 1)) and
// the true labels to update(), and only then trains on the batch, so every prediction counted
// here was made on data the model had not seen (Dawid 1984; Gama et al. 2013).
//
// Metrics, each for the last batch, over a window of the last `window` predictions, and over
// the whole stream (cumulative):
//   log loss   mean of -[y log p + (1 - y) log(1 - p)], p clipped to [eps, 1 - eps] with
//              eps = 2^-52 (scikit-learn 1.2's log_loss, eps="auto", on float64)
//   accuracy   share of records with (p > threshold) == y (strict, as Spark's predict)
//   ROC AUC    batch and window: exact, the Mann-Whitney statistic with tied scores counted
//              one half (equal to sklearn.metrics.roc_auc_score); NaN when only one class is
//              present. Cumulative: a streaming approximation from fixed histograms of the
//              scores of each class over [0, 1] (auc_bins equal bins): pairs in different bins
//              are ordered exactly, pairs sharing a bin count one half. The error against the
//              exact AUC of all predictions is therefore at most
//                  0.5 * sum_b pos_b * neg_b / (P * N)
//              (the share of positive-negative pairs that share a bin, halved), which
//              cumulative_auc_error_bound() reports; it is <= 0.5 / auc_bins when the scores of
//              one class are spread evenly, and 0 when no bin holds both classes.
//
// The learning curve (one point per update: the batch's, window's and cumulative figures) is
// kept bounded (core/bounded_history.h): the last `curve_recent` points exactly, and a
// whole-stream curve of at most `curve_points` points spread evenly over the whole stream
// (every point until it is full; then points 2s and, newer, s updates apart, the stride s
// doubling as the stream grows). So the state and its checkpoints do not grow with the stream.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <Eigen/Core>

#include "core/bounded_history.h"
#include "core/learner.h"
#include "core/settings.h"

namespace streamml {

class JsonWriter;

struct PrequentialSettings {
  std::size_t window = 1000;   // predictions in the sliding window (>= 1)
  std::size_t auc_bins = 1000; // histogram bins of the streaming AUC (>= 1)
  double threshold = 0.5;      // class 1 iff score > threshold
  std::size_t curve_recent = 1000;  // learning-curve points kept exactly: the last N (>= 1)
  std::size_t curve_points = 1000;  // points of the downsampled whole-stream curve (>= 2)
  void validate() const;       // throws Error(InvalidInput)
};

struct PrequentialMetrics {
  std::int64_t count = 0;   // predictions these figures cover
  double log_loss = 0.0;    // NaN when count == 0
  double accuracy = 0.0;    // NaN when count == 0
  double auc = 0.0;         // NaN when one class is missing
};

// One line of the learning curve.
struct PrequentialPoint {
  std::int64_t batch = 0;          // 0, 1, 2, ... in update() order
  PrequentialMetrics batch_metrics;
  PrequentialMetrics window_metrics;
  PrequentialMetrics cumulative_metrics;
};

// Stateful as type "prequential" (its own checkpoint, e.g. a pickled Python evaluator); the
// pipeline's PrequentialStage saves one under its learner's `evaluation/` group instead.
class PrequentialEvaluator : public Stateful {
 public:
  using Settings = PrequentialSettings;
  static const SettingsTable<Settings>& settings_table();

  explicit PrequentialEvaluator(PrequentialSettings settings = {});

  // Scores are probabilities of class 1, labels 0 or 1, one of each per record. Throws
  // Error(InvalidInput) naming the row for a count mismatch, a score outside [0, 1] or NaN,
  // or a label that is not 0/1; nothing is counted then.
  void update(const Eigen::Ref<const Eigen::VectorXd>& scores, const Eigen::Ref<const Eigen::VectorXd>& labels);

  const PrequentialSettings& settings() const { return settings_; }
  std::int64_t batches() const { return curve_.count(); }
  std::int64_t count() const { return count_; }
  PrequentialMetrics last_batch() const;
  PrequentialMetrics window() const;      // exact, over the last `window` predictions
  PrequentialMetrics cumulative() const;  // auc: the histogram approximation
  double cumulative_auc_error_bound() const;
  // The learning curve as kept: the whole-stream points, then the recent ones, by batch
  // (PrequentialPoint::batch), each once. Every batch's until curve_recent + curve_points.
  std::vector<PrequentialPoint> curve() const;
  const BoundedHistory<PrequentialPoint>& history() const { return curve_; }

  // State for checkpoints: running sums, the per-class score histograms and the window
  // (oldest first).
  double log_loss_sum() const { return log_loss_sum_; }
  std::int64_t correct() const { return correct_; }
  const std::vector<std::int64_t>& positive_histogram() const { return pos_hist_; }
  const std::vector<std::int64_t>& negative_histogram() const { return neg_hist_; }
  std::vector<double> window_scores() const;
  std::vector<double> window_labels() const;

  // Checkpoints: the settings and the whole state (sums, histograms, window, kept curve), so a
  // restored evaluator reports exactly what an uninterrupted one would. load_state replaces
  // both and throws Error(InvalidInput) naming the dataset that does not fit (then nothing
  // changes). Layout 2 (state_version): the curve as `recent_curve` and `whole_curve` with
  // `batches`, `curve_stride` and the two bounds; layout 1 (every point in `curve`) still
  // loads, its points kept as layout 2 would have kept them. in.state_version() says which.
  void save_state(StateWriter& out) const override;
  void load_state(const StateReader& in);
  std::int64_t state_version() const override { return 2; }

  // Stateful. The datasets hold the settings too (window, auc_bins, threshold); params_json
  // gives them as JSON for readers, and load_state(params, in) takes them from the datasets.
  static constexpr const char* kType = "prequential";
  static constexpr LearnerRole kRole = LearnerRole::Evaluator;
  std::string type() const override { return kType; }
  std::string params_json() const override;
  std::string metrics_json() const override;
  void load_state(const std::string& params, const StateReader& in) override;

  // The figures as members of an open JSON object: counts, then "last_batch", "window" and
  // "cumulative" objects, and the streaming AUC's error bound.
  void write_summary(JsonWriter& out) const;

  // Exact ROC AUC (ties count one half); NaN when either class is missing.
  static double exact_auc(const double* scores, const double* labels, std::size_t n);
  // Mean clipped log loss and accuracy of n predictions.
  static PrequentialMetrics metrics(const double* scores, const double* labels, std::size_t n, double threshold);

 private:
  PrequentialSettings settings_;
  std::int64_t count_ = 0;
  double log_loss_sum_ = 0.0;
  std::int64_t correct_ = 0;
  std::vector<std::int64_t> pos_hist_, neg_hist_;
  // Ring buffer of the last `window` predictions; next_ is where the next one goes.
  std::vector<double> ring_scores_, ring_labels_;
  std::size_t next_ = 0;
  BoundedHistory<PrequentialPoint> curve_;
};

}  // namespace streamml
