// Auto-scaling: integer instance counts per service from observed arrival and processing
// rates. A decision learner ("autoscale").
//
// The fast path is DS2's rule (Kalavri et al., OSDI 2018): an instance of service j truly
// processes μ_j records per second of useful (busy) time, so serving λ_j records/s at a target
// utilisation ρ takes
//   n_j = ceil(λ_j / (ρ μ_j))      clamped to [min_instances, max_instances]
// (ceil of the ratio less 1e-9, so a ratio that is an integer up to rounding is not bumped).
// When services are coupled — a budget Σ cost_j n_j <= budget, or shared capacity
// Σ cpu_j n_j <= cpu_capacity — the counts come from a small MIP solved by CBC instead:
//   min Σ cost_j n_j + scale_change_cost Σ (up_j + down_j) + shortfall_penalty Σ s_j
//   ρ μ_j n_j + s_j >= λ_j        (capacity planned for the arrivals; s_j >= 0 is the shortfall)
//   n_j - up_j + down_j = n_prev_j  (up, down >= 0: instances started and stopped)
//   budget and cpu rows as above;  n_j integer in [min_instances, max_instances]
// (mode "ds2" or "mip" forces one path; "auto" takes the MIP only when services are coupled).
//
// Stabilisation, as the Flink autoscaler does it (a stabilisation interval and a utilisation
// boundary) and Kubernetes' HPA (a scale-down window):
//   - λ_j is the highest arrival forecast of the last stabilization_window batches, so a count
//     goes up as soon as the forecast does and down only after it has stayed lower for the
//     whole window;
//   - a count goes down only when the planned utilisation at the current count,
//     λ_j / (n_j μ_j), is below target_utilization - utilization_boundary (the MIP gets
//     n_j >= its current count otherwise: feasible, since the current counts are).
// Together they keep counts from following noise down and up again.
//
// A batch (service_records.h): one record per service and monitoring window, the service id
// from the "service" id column or the key, its arrival rate (records/s) in dense feature
// `arrival_feature` and its true processing rate per instance (records per busy second) in
// `rate_feature`. Arrivals feed the forecast (demand_forecast.h); the processing rate is the
// batch's mean per service (the last one known when a batch has none). A service whose
// processing rate was never observed keeps its count. score gives each record's arrivals
// that the current counts leave unprocessed, max(0, λ - μ n_j), at full utilisation.
//
// As a pipeline stage (streaming/stages/decision_stage.h) each record gets its service's
// decision as output columns: "instances" (the count from the next window on) and
// "planned_arrivals" (λ_j it was sized for). The decision's figures: its cost for one window,
// Σ cost_j n_j + scale_change_cost (started + stopped) (the offline plan's prices,
// datasets/monitoring.h), the instances started + stopped, and the services whose count turned
// direction (went down after last going up, or up after down): the oscillation to keep down.
//
// Checkpoint layout 2 adds each service's last direction and the last decision's turns; a
// layout-1 checkpoint loads with no direction known (the next turn is not counted).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <Eigen/Core>

#include "algorithms/optimize/demand_forecast.h"
#include "algorithms/optimize/lp_model.h"
#include "core/batch.h"
#include "core/learner.h"
#include "core/settings.h"

namespace streamml {

enum class AutoscaleMode { Auto, Ds2, Mip };

struct AutoscaleSettings : ForecastSettings {
  std::int64_t services = 1;
  double target_utilization = 0.7;    // ρ, the Flink autoscaler's default
  std::int64_t min_instances = 1;
  std::int64_t max_instances = 100;
  std::vector<double> instance_cost;  // per service; empty: 1 each
  std::vector<double> instance_cpu;   // per service; empty: 1 each
  double budget = 0;                  // Σ cost n <= budget; 0: none
  double cpu_capacity = 0;            // Σ cpu n <= cpu_capacity; 0: none
  double scale_change_cost = 0.5;     // per instance started or stopped (MIP)
  double shortfall_penalty = 100.0;   // per record/s planned beyond capacity (MIP)
  std::int64_t stabilization_window = 3;  // batches
  // services x stabilization_window at most (80 MB of forecasts); validate() refuses more.
  static constexpr std::int64_t kMaxHistoryCells = 10'000'000;
  double utilization_boundary = 0.2;      // scale down only below target_utilization - this
  AutoscaleMode mode = AutoscaleMode::Auto;
  double mip_rel_gap = 1e-4;
  double time_limit = 0;              // seconds per MIP; 0: none
  std::int64_t arrival_feature = 0;
  std::int64_t rate_feature = 1;

  double cost(std::int64_t j) const { return instance_cost.empty() ? 1.0 : instance_cost[std::size_t(j)]; }
  double cpu(std::int64_t j) const { return instance_cpu.empty() ? 1.0 : instance_cpu[std::size_t(j)]; }
  bool coupled() const { return budget > 0 || cpu_capacity > 0; }
  void validate() const;
};

// DS2's count for arrivals λ and a true processing rate μ per instance at utilisation ρ,
// unclamped (0 for λ = 0).
std::int64_t ds2_instances(double arrivals, double rate_per_instance, double utilization);
// Whether a service keeps its current count rather than scale down: its planned utilisation
// there is at least target_utilization - utilization_boundary.
bool hold_count(const AutoscaleSettings& settings, double planned, double rate, std::int64_t current);

// The coupled MIP above (columns n_j, then up_j, down_j, s_j; rows coverage j, change j, then
// budget and cpu when set), for planned arrivals, processing rates (<= 0: unknown, the count is
// fixed) and current counts; with `hold`, n_j >= current where hold_count says so.
LpModel autoscale_mip(const AutoscaleSettings& settings, const Eigen::Ref<const Eigen::VectorXd>& arrivals,
                      const Eigen::Ref<const Eigen::VectorXd>& rates, const std::vector<std::int64_t>& current,
                      bool hold = true);

struct AutoscaleDecision {
  std::vector<std::int64_t> instances;  // per service
  Eigen::VectorXd planned;              // λ_j planned for (the window's highest forecast)
  bool mip = false;
  double mip_gap = 0;                   // the MIP's proven gap
  std::int64_t nodes = 0;
  std::int64_t started = 0, stopped = 0;  // instances, this decision
  std::int64_t reversals = 0;           // services whose count turned direction, this decision
};

class Autoscaler : public Learner {
 public:
  using Settings = AutoscaleSettings;
  static constexpr const char* kType = "autoscale";
  static constexpr LearnerRole kRole = LearnerRole::Decision;
  static constexpr std::int64_t kStateVersion = 2;
  static const SettingsTable<AutoscaleSettings>& settings_table();

  explicit Autoscaler(AutoscaleSettings settings = {});

  const AutoscaleSettings& settings() const { return settings_; }

  // The batch-first core: counts for an arrival forecast (services) and processing rates per
  // instance (services; <= 0: unknown, the service keeps its count).
  const AutoscaleDecision& decide(const Eigen::Ref<const Eigen::VectorXd>& arrivals,
                                  const Eigen::Ref<const Eigen::VectorXd>& rates);
  // One window per (service, arrivals, rate) triple, in order: forecasts and processing rates.
  void observe(const std::vector<std::int64_t>& services, const std::vector<double>& arrivals,
               const std::vector<double>& rates);

  const AutoscaleDecision& last_decision() const { return decision_; }
  const std::vector<std::int64_t>& instances() const { return decision_.instances; }
  const DemandForecast& forecast() const { return forecast_; }
  const Eigen::VectorXd& processing_rates() const { return rates_; }
  std::int64_t batches_seen() const { return batches_; }

  // Learner.
  std::string type() const override { return kType; }
  LearnerRole role() const override { return kRole; }
  std::string params_json() const override;
  std::int64_t state_version() const override { return kStateVersion; }
  void partial_fit(const Batch& batch) override;
  Eigen::VectorXd score(const Batch& batch) const override;
  void write_summary(JsonWriter& out) const override;
  std::string metrics_json() const override;
  std::vector<OutputColumn> output_columns(const Batch& batch) const override;
  DecisionFigures decision_figures() const override;
  void save_state(StateWriter& out) const override;
  void load_state(const std::string& params, const StateReader& in) override;

 private:
  std::vector<std::int64_t> mip_counts(const Eigen::VectorXd& planned, const Eigen::VectorXd& rates);

  AutoscaleSettings settings_;
  DemandForecast forecast_;
  Eigen::VectorXd rates_;   // last known processing rate per instance (0: never observed)
  RowMatrix history_;       // stabilization_window x services: the last forecasts, a ring
  std::int64_t filled_ = 0; // forecasts in the ring
  AutoscaleDecision decision_;
  std::int64_t batches_ = 0;
  std::int64_t scale_events_ = 0;  // instances started + stopped over the stream
  std::vector<std::int64_t> direction_;  // per service: the sign of its last count change (0: none yet)
};

}  // namespace streamml
