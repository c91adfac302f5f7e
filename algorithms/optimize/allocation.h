// Allocation: services' forecast demand placed on servers (or regions) at least cost, re-solved
// warm every micro-batch. A decision learner ("allocate").
//
// Services j = 0..J-1 with demand forecasts d_j (requests/s; demand_forecast.h, times
// 1 + headroom), servers i = 0..I-1 with capacity C_i (requests/s) and a cost c_ij per
// request/s of j served on i. The allocation x_ij >= 0 (requests/s of j on i) minimises
//   Σ c_ij x_ij + unmet_penalty Σ u_j + move_cost Σ |x_ij - x_prev_ij|
//   subject to  Σ_j x_ij <= C_i (capacity),  Σ_i x_ij + u_j >= d_j (demand),  u_j >= 0,
// x_prev being the previous batch's allocation (0 at first). With a move cost the LP is written
// in the moves p_ij, m_ij >= 0 with x = x_prev + p - m (so |x - x_prev| = p + m, m_ij <= x_prev_ij):
//   columns  p_ij (i J + j), then m_ij (I J + i J + j), then u_j (2 I J + j)
//   rows     capacity i (i), then demand j (I + j)
//   min Σ (c_ij + move) p_ij + Σ (move - c_ij) m_ij + penalty Σ u_j   [+ Σ c_ij x_prev_ij]
//   capacity i:  Σ_j (p_ij - m_ij) <= C_i - Σ_j x_prev_ij
//   demand j:    Σ_i (p_ij - m_ij) + u_j >= d_j - Σ_i x_prev_ij
// With move_cost 0 it is the transportation LP in x itself (columns x_ij then u_j; capacity
// Σ_j x_ij <= C_i, demand Σ_i x_ij + u_j >= d_j), I J + J columns.
// Batch to batch only bounds change (row right-hand sides, and m's upper bounds x_prev), never
// the matrix or the objective, so LPSolver re-solves by the dual simplex from the last basis.
// Without moves a demand change is mostly absorbed by the basic x_ij of its row: a few pivots.
// With moves every x_ij sits at its kink x_prev after a batch (p = m = 0), so each service
// whose demand changes costs about one pivot (measured 216 per re-solve at 50 x 200 for ±10 %
// on every service, against 276 for a cold solve): the price of the move cost.
// The LP is always feasible and bounded (u absorbs any demand; p = m = 0 fits the capacity rows
// since x_prev did), so every decision is an optimum.
//
// A batch (service_records.h): one record per service and monitoring window, the service id
// from the "service" id column or the key, the window's request rate in dense feature
// `rate_feature`. partial_fit feeds every record to the forecast in order, then re-solves once
// for the batch; score gives each record's demand the current allocation leaves unserved,
// max(0, rate - Σ_i x_ij).
//
// As a pipeline stage (streaming/stages/decision_stage.h) each record gets its service's
// allocation as output columns: "served" (Σ_i x_ij, requests/s), "unmet" (u_j) and "placement"
// (text "i:x_ij" for every server with x_ij > 0, e.g. "0:120.5 3:40"). The decision's figures:
// its objective (serving + penalty · unmet + move cost · moved) and the requests/s moved.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <Eigen/Core>

#include "algorithms/optimize/demand_forecast.h"
#include "algorithms/optimize/lp_solver.h"
#include "core/batch.h"
#include "core/learner.h"
#include "core/settings.h"

namespace streamml {

struct AllocationSettings : ForecastSettings {
  std::vector<double> capacity;   // C_i, one per server
  std::vector<double> cost;       // c_ij, servers x services, row-major
  std::int64_t services = 0;      // J: the cost rows' length
  double unmet_penalty = 1000.0;  // per request/s of demand not served
  double move_cost = 0.1;         // per request/s moved (|x - x_prev|)
  double headroom = 0.0;          // plan for forecast * (1 + headroom)
  std::int64_t rate_feature = 0;  // the dense feature holding a record's request rate

  std::int64_t servers() const { return std::int64_t(capacity.size()); }
  void validate() const;
};

// The allocation LP for a previous allocation (servers x services) and a demand (services).
LpModel allocation_lp(const AllocationSettings& settings, const RowMatrix& previous,
                      const Eigen::Ref<const Eigen::VectorXd>& demand);

struct AllocationDecision {
  RowMatrix x;                // servers x services
  Eigen::VectorXd unmet;      // u_j
  Eigen::VectorXd demand;     // the d_j planned for
  double serving_cost = 0;    // Σ c_ij x_ij
  double moved = 0;           // Σ |x_ij - x_prev_ij|
  double objective = 0;       // serving cost + penalty · unmet + move cost · moved
  std::int64_t iterations = 0;
  bool warm = false;
};

class Allocator : public Learner {
 public:
  using Settings = AllocationSettings;
  static constexpr const char* kType = "allocate";
  static constexpr LearnerRole kRole = LearnerRole::Decision;
  static constexpr std::int64_t kStateVersion = 1;
  static const SettingsTable<AllocationSettings>& settings_table();

  // Validates the settings (throws Error(InvalidInput)).
  explicit Allocator(AllocationSettings settings = {});

  const AllocationSettings& settings() const { return settings_; }

  // The batch-first core: one allocation for the demand d (services, finite, >= 0), re-solved
  // warm from the last one.
  const AllocationDecision& decide(const Eigen::Ref<const Eigen::VectorXd>& demand);
  // Forecast updates, one window's rate per (service, rate) pair, in order.
  void observe(const std::vector<std::int64_t>& services, const std::vector<double>& rates);
  // What the next decision plans for: the forecast times 1 + headroom.
  Eigen::VectorXd planned_demand() const;

  const AllocationDecision& last_decision() const { return decision_; }
  bool decided() const { return batches_ > 0; }
  const DemandForecast& forecast() const { return forecast_; }
  std::int64_t batches_seen() const { return batches_; }
  // Per service: Σ_i x_ij.
  Eigen::VectorXd served() const;

  // Learner.
  std::string type() const override { return kType; }
  LearnerRole role() const override { return kRole; }
  std::string params_json() const override;
  void partial_fit(const Batch& batch) override;
  Eigen::VectorXd score(const Batch& batch) const override;
  void write_summary(JsonWriter& out) const override;
  std::string metrics_json() const override;
  std::vector<OutputColumn> output_columns(const Batch& batch) const override;
  DecisionFigures decision_figures() const override;
  void save_state(StateWriter& out) const override;
  void load_state(const std::string& params, const StateReader& in) override;

 private:
  AllocationSettings settings_;
  DemandForecast forecast_;
  LPSolver lp_;
  AllocationDecision decision_;
  std::int64_t batches_ = 0;
};

}  // namespace streamml
