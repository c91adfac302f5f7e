// The decision system judged against the truth of its streams, from the decisions its sinks
// wrote (so a resumed run is judged by what it delivered, not by what one process remembers):
//   clicks      the exact ROC AUC of the scores against the clicks (ties one half, as
//               scikit-learn's roc_auc_score), beside the AUC of the true probabilities
//               (clicks.csv.model.json: the best any model can reach);
//   monitoring  anomaly flags against the injected bursts and incident (monitoring.csv.truth.csv):
//               precision and recall over service-hours, and the episodes (a burst, the incident)
//               with at least one flagged hour; the instance counts in effect (a decision made
//               after hour w runs hour w + 1; hour 0 runs on min_instances) priced as the
//               offline plan is (datasets/monitoring.h: plan_cost), against the optimal offline
//               plan's cost (monitoring.csv.model.json), and the hours whose demand the counts
//               did not meet, outside the incident and in it;
//   churn       each day's risks of every scored customer (churn_risks.csv) against the truth
//               (transactions.csv.truth_daily.csv: p30, the true probability that the customer
//               leaves within 30 days of that day's end, and left30, whether it did): the exact
//               ROC AUC against left30 per 30-day period and over the days from kChurnWarmupDays
//               on (the model has had 30 days of matured labels by then), beside the oracle AUC
//               of p30 on the same customer-days;
//   retention   each day's offers (churn_offers.csv) valued with the true probabilities: an
//               offer j to customer i is worth p30_i u_j v_i - c_j (v_i the value the plan saw;
//               a customer already gone, absent from the truth that day, has p30 = 0), summed
//               over the days, against the offline optimum (the same MIP over every customer
//               scored that day, given p30 instead of the risks) and a naive rule (the riskiest
//               first, each the offer of largest uplift, until the budget cannot pay the next).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "apps/decision_system.h"

namespace streamml {

// Days of the churn stream before the AUC over the stream counts (30 for the first labels to
// mature, 30 more for the model to learn from them).
constexpr std::int64_t kChurnWarmupDays = 60;

struct ChurnPeriod {
  std::int64_t first_day = 0, last_day = 0;  // days since the clock's origin
  std::int64_t customer_days = 0, left = 0;
  double auc = 0, oracle_auc = 0;
};

struct SystemJudgement {
  // clicks
  std::int64_t impressions = 0;
  double click_rate = 0;
  double auc = 0;
  double bayes_auc = 0;
  // monitoring: anomalies
  std::int64_t service_hours = 0;
  std::int64_t anomalous_hours = 0;  // injected (burst or incident)
  std::int64_t flagged_hours = 0;
  std::int64_t true_flags = 0;
  double precision = 0, recall = 0;
  std::int64_t episodes = 0, episodes_found = 0;
  // monitoring: scaling
  std::int64_t hours = 0;
  double scaling_cost = 0, offline_cost = 0;
  std::int64_t unmet_outside_incident = 0, unmet_in_incident = 0, incident_hours = 0;
  // churn: risks against the truth
  std::int64_t scored_days = 0;        // days with risks
  std::int64_t customer_days = 0;      // judged: from the warm-up on, outcome known
  std::int64_t churned = 0;            // of those, left within 30 days
  double churn_auc = 0, oracle_auc = 0;
  std::vector<ChurnPeriod> churn_periods;
  // retention: expected net value under the true probabilities, summed over the campaign days
  RetentionSettings retention;
  std::int64_t campaign_days = 0, offers = 0;
  double spent = 0;
  double planned_value = 0;            // what the plans expected (with the model's risks)
  double captured = 0, optimum = 0, naive = 0;
  std::int64_t naive_offers = 0;
  // ... and per campaign day (the report's plot)
  std::vector<std::int64_t> daily_day;
  std::vector<double> daily_captured, daily_optimum, daily_naive;

  double captured_share() const { return optimum > 0 ? captured / optimum : 0; }

  double cost_over_offline() const { return offline_cost > 0 ? scaling_cost / offline_cost - 1 : 0; }
  std::string to_json() const;
  std::string text() const;  // the short summary `streamml demo` prints
};

// Throws Error(Io) when a file is missing, Error(InvalidInput) when the decisions do not match
// their streams (row counts, columns).
SystemJudgement judge_decision_system(const DecisionSystemSettings& settings);

}  // namespace streamml
