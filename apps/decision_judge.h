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
//               did not meet, outside the incident and in it.
#pragma once

#include <cstdint>
#include <string>

#include "apps/decision_system.h"

namespace streamml {

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

  double cost_over_offline() const { return offline_cost > 0 ? scaling_cost / offline_cost - 1 : 0; }
  std::string to_json() const;
  std::string text() const;  // the short summary `streamml demo` prints
};

// Throws Error(Io) when a file is missing, Error(InvalidInput) when the decisions do not match
// their streams (row counts, columns).
SystemJudgement judge_decision_system(const DecisionSystemSettings& settings);

}  // namespace streamml
