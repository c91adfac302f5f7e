// Retention budget: which at-risk customers get which offer, under a budget, maximising the
// expected value saved — the decision after churn scoring (algorithms/churn/churn_model.h).
//
// Customers i with risk p_i (P(churn within the horizon)) and value v_i (what they would spend
// over the horizon if they stay); offers j with cost c_j and uplift u_j (the probability that
// the offer keeps a customer who was going to leave). Offering j to i saves p_i u_j v_i in
// expectation and costs c_j. The plan is the multiple-choice knapsack
//
//   maximise    sum_ij x_ij (p_i u_j v_i - c_j)
//   subject to  sum_j x_ij <= 1                      (at most one offer per customer)
//               sum_ij c_j x_ij <= budget
//               sum_i x_ij <= capacity_j             (when capacity_j > 0)
//               x_ij in {0, 1}  (a CBC MIP; `relax` solves the LP relaxation with CLP instead)
//
// over the `candidates` riskiest customers (the others are not offered anything), pairs whose
// net gain p_i u_j v_i - c_j is not positive left out (never worth it). With max_idle_days,
// customers whose last purchase is older than that are not candidates: a churn risk is the
// chance of no purchase over the horizon, highest for customers who have already left, and an
// offer cannot keep a customer who is gone (in the demo's stream half the offers went to them;
// a 14-day limit doubles the value saved). Reference: the uplift /
// budget formulation of retention campaigns (Verbeke et al., "New insights into churn
// prediction in the telecommunication sector: a profit driven data mining approach", 2012).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "algorithms/optimize/solve.h"

namespace streamml {

struct RetentionSettings {
  std::vector<double> offer_cost = {5.0, 25.0};
  std::vector<double> offer_uplift = {0.1, 0.35};
  std::vector<double> offer_capacity;  // empty, or per offer (0: no limit)
  double budget = 500.0;
  std::int64_t candidates = 200;
  double max_idle_days = 0;  // > 0: only customers who bought within this many days are offered anything
  bool relax = false;

  // Throws Error(InvalidInput) naming the setting ("retention: offer_uplift[1] must be in [0, 1], got 2").
  void validate() const;
  // One setting from text, as the command line's `--retention key=value` gives it: budget,
  // candidates, max_idle_days, relax (true/false), and offer_cost, offer_uplift, offer_capacity as
  // comma-separated lists ("5,25"). Throws Error(InvalidInput) naming an unknown key (with the
  // known ones) or a value that is not a number. validate() checks the ranges.
  void set(const std::string& key, const std::string& value);
};

struct RetentionPlan {
  SolveStatus status = SolveStatus::Optimal;
  std::vector<std::size_t> customers;  // indices into the inputs, riskiest first
  std::vector<std::int64_t> offers;    // the offer each got
  std::vector<double> shares;          // x_ij (1 in a MIP; fractions in a relaxation)
  double expected_saved = 0;           // sum p_i u_j v_i x_ij
  double spent = 0;                    // sum c_j x_ij
  double mip_gap = 0;
};

// risk and value: one per customer (NaN risk: not a candidate). Throws Error(InvalidInput) for
// lengths that differ or a negative or non-finite value.
RetentionPlan plan_retention(const std::vector<double>& risk, const std::vector<double>& value,
                             const RetentionSettings& settings);
// The same, with each customer's days since the last purchase (ChurnModel::idle_days()), which
// settings.max_idle_days needs; empty when max_idle_days is 0.
RetentionPlan plan_retention(const std::vector<double>& risk, const std::vector<double>& value,
                             const std::vector<double>& idle_days, const RetentionSettings& settings);

}  // namespace streamml
