// ChurnModel ("churn"): churn risk per customer from a stream of purchases, learned from labels
// that arrive 30 days late. The reusable part of the churn pipeline (examples/churn_pipeline.cpp,
// the README's recipe, streamml.ChurnModel): a pipeline runs it as a decision stage (observe,
// then decide), so its risks reach later stages (a retention budget) and sinks.
//
// A batch is purchases: customers from the keys, categories from the "item" id column, the
// amount from the first dense feature, times from the event times. Each batch, in order:
//   1. every purchase updates its customer's activity (customer_activity.h: recency,
//      frequency, spend, trend, tenure; customers idle for idle_timeout days are dropped) and
//      settles the pending labels it falls within the horizon of (delayed_label_join.h);
//   2. with taste_rank > 0, the purchases fold into an implicit-feedback ALS over customer x
//      category (algorithms/recommend/als.h): each customer's taste factors, which the features
//      carry (tastes for categories whose quality drifts customers' satisfaction);
//   3. the clock moves to the batch's end; the snapshots taken `horizon` days ago mature into
//      labelled examples (1: no purchase in the horizon's last `silence` days), which train an
//      online logistic
//      regression (AdaGrad, L2; algorithms/linear);
//   4. at most once per snapshot_interval, every active customer's features are snapshotted
//      into the join, to mature later;
//   5. every active customer is scored with the model as it now stands: its risk, P(no purchase
//      within the next horizon days). Before the first examples mature the risks are NaN.
// Output column "risk": each record's customer's risk after its batch; top(k) the k riskiest.
// Decision figures: cost = the sum of the risks (expected churners), changed = customers new
// to the top_k list since the previous batch.
//
// Reference: the label is the observable churn of non-contractual settings (Fader & Hardie's
// "no purchase within a window"); the join is Spark's stream-stream join with a watermark,
// specialised to one delay. State: the activity and pending snapshots (both bounded, see their
// headers), the model, the taste ALS (its store bounded by taste_horizon) and the last risks.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "algorithms/churn/customer_activity.h"
#include "algorithms/churn/delayed_label_join.h"
#include "core/learner.h"
#include "core/settings.h"

namespace streamml {

class AlternatingLeastSquares;
class LogisticRegressionSGD;

struct ChurnModelSettings {
  double idle_timeout = 30;       // days
  double horizon = 30;            // days
  // Days at the end of the horizon without a purchase that count as churn. Not the whole
  // horizon: a leaving customer's purchases thin out over a week or two before it goes, so
  // "no purchase within 30 days" misses those who leave late in the horizon (on the generated
  // stream it flags half of those who leave, the last 14 days nine in ten; AUC against the
  // truth 0.797 vs 0.796: examples/churn_pipeline.cpp).
  double silence = 14;
  double snapshot_interval = 1;   // days
  std::int64_t max_pending = 2'000'000;
  double short_half_life = 7;     // days
  double long_half_life = 30;     // days
  std::int64_t taste_rank = 4;    // 0: no ALS factors
  double taste_reg_param = 0.1;
  double taste_alpha = 1.0;
  double taste_horizon = 90;      // days of purchases the ALS store keeps
  std::int64_t taste_sweep_interval = 7;
  std::int64_t seed = 0;
  double step_size = 0.05;
  double reg_param = 1e-5;
  std::int64_t top_k = 50;

  void validate() const;
};

class ChurnModel : public Learner {
 public:
  using Settings = ChurnModelSettings;
  static constexpr const char* kType = "churn";
  static constexpr LearnerRole kRole = LearnerRole::Decision;
  static const SettingsTable<Settings>& settings_table();

  explicit ChurnModel(Settings settings = {});
  ~ChurnModel() override;
  ChurnModel(ChurnModel&&) noexcept;
  ChurnModel& operator=(ChurnModel&&) noexcept;

  const Settings& settings() const { return settings_; }

  // Layout 2 (there is no 1): its nested learners are read through groups of this file, which
  // carry the file's layout number, and logreg picks its load path by it; so the number is the
  // logistic model's layout (logreg 2; als ignores it). Each nested layout is also saved beside
  // its state (nested_state_version) and checked on load: a change of either is a new layout.
  std::int64_t state_version() const override { return 2; }
  std::string type() const override { return kType; }
  LearnerRole role() const override { return kRole; }
  std::string params_json() const override;
  void partial_fit(const Batch& batch) override;
  // Each record's customer's current risk (NaN: unknown customer, or no model yet).
  Eigen::VectorXd score(const Batch& batch) const override;
  std::vector<OutputColumn> output_columns(const Batch& batch) const override;
  DecisionFigures decision_figures() const override { return figures_; }
  void write_summary(JsonWriter& out) const override;
  std::string metrics_json() const override;
  void save_state(StateWriter& out) const override;
  void load_state(const std::string& params, const StateReader& in) override;

  // The active customers (sorted), their features and their risks after the last batch.
  const std::vector<std::string>& customers() const { return customers_; }
  const std::vector<double>& features() const { return features_; }  // customers x feature_names()
  const std::vector<double>& risks() const { return risks_; }
  // What each would spend over the next horizon if it stays: its recent spend per day times
  // the horizon (the value a retention budget weighs; algorithms/optimize/retention.h).
  const std::vector<double>& values() const { return values_; }
  // Days since each one's last purchase, at clock() (the recency feature, unlogged).
  std::vector<double> idle_days() const;
  std::vector<std::string> feature_names() const;
  EventTime clock() const { return clock_; }
  // Indices into customers() of the k riskiest, riskiest first (ties by customer).
  std::vector<std::size_t> top(std::size_t k) const;

  const CustomerActivity& activity() const { return activity_; }
  const DelayedLabelJoin& join() const { return join_; }
  const LogisticRegressionSGD& model() const { return *model_; }
  const AlternatingLeastSquares* tastes() const { return tastes_.get(); }
  // The examples that matured in the last batch, as the model learned them (not checkpointed:
  // empty after a restore until the next batch).
  const MaturedExamples& last_examples() const { return last_examples_; }
  std::int64_t examples() const { return examples_; }
  std::int64_t positives() const { return positives_; }
  std::int64_t batches_seen() const { return batches_; }

 private:
  void score_customers();

  Settings settings_;
  CustomerActivity activity_;
  DelayedLabelJoin join_;
  std::unique_ptr<LogisticRegressionSGD> model_;
  std::unique_ptr<AlternatingLeastSquares> tastes_;
  EventTime clock_ = 0, next_snapshot_ = 0;
  std::int64_t batches_ = 0, examples_ = 0, positives_ = 0;
  std::vector<std::string> customers_;
  std::vector<double> features_, risks_, values_;
  std::vector<std::string> last_top_;  // sorted, for `changed`
  MaturedExamples last_examples_;
  DecisionFigures figures_;
};

}  // namespace streamml
