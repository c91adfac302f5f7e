// `streamml generate monitoring` (a service platform's monitoring stream, for auto-scaling and
// allocation)
// columns: event_time, service, requests, processing_rate
// One record per service and monitoring window, windows of window_seconds, event_time the
// window's end; service is an integer id 0..services-1 (replay with key_type int).
// requests         the window's arrival rate, records/s: service j's mean rate m_j (uniform in
//                  [min_rate, max_rate]) times a daily cycle 1 + amplitude sin(2π t / day_seconds
//                  + φ_j) (t: the window's middle since the first window's start, φ_j uniform),
//                  times 1 + burst_size while a burst lasts, times 1 + noise N(0, 1) (at least 0).
// bursts           each service independently starts one in a window with probability
//                  burst_probability; it lasts burst_windows windows.
// processing_rate  records per busy second of one instance (DS2's true processing rate):
//                  p_j (uniform in [min_processing_rate, max_processing_rate]) times
//                  1 + 0.02 N(0, 1); during the incident, service `incident.service`'s times
//                  1 - incident_severity (a degraded dependency slows every instance).
// the incident     one service, from window floor(incident_at · windows) for incident_windows
//                  windows.
// Values are rounded to 4 decimals before anything uses them.
//
// The truth is the optimal offline plan: with every window's true rates known in advance,
//   need_j(w) = ceil(requests / (target_utilization · processing_rate) - 1e-9), clamped to
//               [min_instances, max_instances] (DS2's count; the Autoscaler's own rule), and
//   the plan  = the counts n_j(w) >= need_j(w) minimising
//               Σ_w Σ_j instance_cost n_j(w) + scale_change_cost Σ_j Σ_w |n_j(w) - n_j(w-1)|
//               with n_j(-1) = min_instances, solved exactly per service by dynamic programming.
// When need is clamped at max_instances (the incident can ask for more), even the offline plan
// leaves demand unmet: "demand met" means instances · processing_rate >= requests.
// <out>.truth.csv: "window,service,need,offline_instances,burst,incident" (burst, incident: 1
// while the window is in one of the service's bursts, or in the incident; the anomalies an
// anomaly detector should find).
// <out>.model.json: the rates, phases, bursts, the incident, the plan's settings and its cost.
#pragma once

#include <cstdint>
#include <vector>

#include "core/batch.h"
#include "core/settings.h"
#include "datasets/generator.h"

namespace streamml {

struct MonitoringSettings {
  static constexpr const char* kKind = "monitoring";
  static constexpr double kDefaultRate = 8.0 / 60.0;  // 8 services every 60 s (from the settings)
  std::int64_t services = 8;
  double window_seconds = 60;
  double day_seconds = 86400;
  double min_rate = 50, max_rate = 500;  // records/s, per service
  double amplitude = 0.5;                // daily cycle
  double noise = 0.05;
  double burst_probability = 0.005;
  double burst_size = 0.3;
  std::int64_t burst_windows = 5;
  double min_processing_rate = 20, max_processing_rate = 60;
  double incident_at = 0.6;
  std::int64_t incident_windows = 30;
  double incident_severity = 0.5;
  // The plan's prices (the truth's).
  double target_utilization = 0.7;
  std::int64_t min_instances = 1;
  std::int64_t max_instances = 100;
  double instance_cost = 1.0;       // per instance per window
  double scale_change_cost = 0.5;   // per instance started or stopped

  static const SettingsTable<MonitoringSettings>& settings_table();
};

// The whole stream and its truth in memory (what generate_monitoring writes).
struct MonitoringTrace {
  std::int64_t services = 0, windows = 0;
  double window_seconds = 0;
  RowMatrix requests;         // windows x services, records/s
  RowMatrix processing_rate;  // windows x services, records per busy second per instance
  std::vector<std::uint8_t> burst;  // windows x services, row-major: 1 while a burst lasts
  std::int64_t incident_service = 0, incident_first = 0, incident_end = 0;  // windows [first, end)
  std::vector<std::int64_t> need;     // windows x services, row-major
  std::vector<std::int64_t> offline;  // windows x services: the optimal offline plan
  double offline_cost = 0;            // its cost (plan_cost)

  bool in_incident(std::int64_t window, std::int64_t service) const {
    return service == incident_service && window >= incident_first && window < incident_end;
  }
};

// Draws the stream (windows = options.events / services); the common rate must be 0 (records
// come one per service per window). Throws Error(InvalidInput) for settings out of range.
MonitoringTrace monitoring_trace(const StreamOptions& options, const MonitoringSettings& settings = {});

// The cost of counts (windows x services, row-major; the count in effect during each window)
// under the settings' prices, starting from min_instances.
double plan_cost(const MonitoringSettings& settings, std::int64_t services, const std::vector<std::int64_t>& counts);

// Window w's records as a batch: keys = services, features (requests, processing_rate).
Batch monitoring_window(const MonitoringTrace& trace, std::int64_t window);

// Writes the stream and its side files (see generator.h for the options every kind shares).
GenerateReport generate_monitoring(const StreamOptions& options, const MonitoringSettings& settings = {});

}  // namespace streamml
