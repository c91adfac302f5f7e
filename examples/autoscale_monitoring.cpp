// Auto-scaling a service platform from its monitoring stream, end to end: a generated stream
// (8 services, ten one-hour "days" of one-minute windows, bursts, an incident that halves one
// service's processing rate) replayed from its file through the pipeline, one batch per window,
// into the autoscale learner; the instance counts it decides arrive as the output column
// "autoscale.instances", and everything below is computed from that column and the records.
//
// The decision made after window w is in effect during window w + 1 (window 0 runs on
// min_instances, before any rate is known, and is not judged). Judged against the generator's
// truth, the optimal offline plan that knew every window's rates in advance
// (datasets/monitoring.h):
//   - cost (instances per window + 0.5 per instance started or stopped) within 15 % of the
//     offline optimum's;
//   - no oscillation: direction changes of the counts (a rise after a fall or the reverse,
//     summed over services) at most 200, where a smooth plan turns twice a day per service
//     (160);
//   - demand met (instances * processing_rate >= requests) in every window outside the
//     incident, and not in all of the incident's (no forecast sees it coming).
#include <cstdio>
#include <iostream>
#include <vector>

#include "algorithms/optimize/autoscale.h"
#include "datasets/monitoring.h"
#include "example_util.h"
#include "streaming/file_source.h"
#include "streaming/pipeline.h"

using namespace streamml;

// Sign changes of each service's count steps (flat steps skipped), summed over services.
std::int64_t direction_changes(const std::vector<std::int64_t>& counts, std::int64_t services) {
  std::int64_t changes = 0;
  for (std::int64_t j = 0; j < services; ++j) {
    int last = 0;
    for (std::size_t k = std::size_t(services + j); k < counts.size(); k += std::size_t(services)) {
      const std::int64_t step = counts[k] - counts[k - std::size_t(services)];
      const int dir = step > 0 ? 1 : step < 0 ? -1 : 0;
      if (dir != 0 && last != 0 && dir != last) ++changes;
      if (dir != 0) last = dir;
    }
  }
  return changes;
}

int main() {
  const auto dir = examples::scratch("autoscale");
  StreamOptions gen;
  gen.out = (dir / "monitoring.csv").string();
  gen.events = 8 * 600;
  gen.seed = 42;
  MonitoringSettings platform;
  platform.day_seconds = 3600;
  platform.burst_probability = 0.01;
  generate_monitoring(gen, platform);
  const MonitoringTrace truth = monitoring_trace(gen, platform);  // what the side files hold

  // `streamml replay -i monitoring.csv --time event_time --key service --key-type int
  //  --features requests,processing_rate --batch-interval 60s --learner autoscale ...`
  FileSourceOptions file;
  file.schema.time = "event_time";
  file.schema.key = "service";
  file.schema.key_type = KeyType::Int64;
  file.schema.features = {"requests", "processing_rate"};
  PipelineSettings settings;
  settings.batching.interval_us = 60 * kMicrosPerSecond;
  Pipeline pipeline(open_file_source(gen.out, file), settings);
  AutoscaleSettings scaling;  // DS2 at 70 % utilisation, Holt forecasts, a 3-window stabilisation
  scaling.services = platform.services;
  scaling.min_instances = platform.min_instances;
  scaling.max_instances = platform.max_instances;
  scaling.scale_change_cost = platform.scale_change_cost;
  pipeline.add_learner("autoscale", std::make_shared<Autoscaler>(scaling));

  const std::int64_t J = platform.services;
  std::vector<std::int64_t> current(std::size_t(J), platform.min_instances);  // in effect now
  std::vector<std::int64_t> in_effect;  // windows x services
  std::int64_t unmet_outside = 0, unmet_inside = 0, windows = 0;
  bool one_window_per_batch = true;
  pipeline.add_stage("judge", [&](Batch& b) {
    one_window_per_batch = one_window_per_batch && b.rows == std::size_t(J) && b.index == windows;
    const auto& service = std::get<std::vector<std::int64_t>>(b.keys);
    const auto& decided = std::get<std::vector<std::int64_t>>(b.output("autoscale.instances")->values);
    for (std::size_t r = 0; r < b.rows; ++r) {
      const std::int64_t j = service[r];
      const double requests = b.features[r * b.cols], rate = b.features[r * b.cols + 1];
      in_effect.push_back(current[std::size_t(j)]);
      if (b.index > 0 && double(current[std::size_t(j)]) * rate < requests)
        ++(truth.in_incident(b.index, j) ? unmet_inside : unmet_outside);
    }
    for (std::size_t r = 0; r < b.rows; ++r) current[std::size_t(service[r])] = decided[r];  // from the next window
    ++windows;
  }, StageState::Stateless);
  const PipelineReport report = pipeline.run();

  const double cost = plan_cost(platform, J, in_effect);
  const std::int64_t turns = direction_changes(in_effect, J), offline_turns = direction_changes(truth.offline, J);
  std::printf("%lld windows of %lld services in %lld batches (%.3f s)\n", (long long)windows, (long long)J,
              (long long)report.batches, report.wall_seconds);
  std::printf("cost %.1f vs the offline optimum %.1f: +%.1f %%\n", cost, truth.offline_cost,
              100 * (cost / truth.offline_cost - 1));
  std::printf("direction changes %lld (the offline plan: %lld; a smooth plan: %lld)\n", (long long)turns,
              (long long)offline_turns, (long long)(2 * 10 * J));
  std::printf("windows with unmet demand: %lld outside the incident, %lld of its %lld in it (service %lld)\n",
              (long long)unmet_outside, (long long)unmet_inside,
              (long long)(truth.incident_end - truth.incident_first), (long long)truth.incident_service);

  examples::check(one_window_per_batch && windows == truth.windows && in_effect.size() == truth.offline.size(),
                  "one batch per monitoring window");
  examples::check(cost <= 1.15 * truth.offline_cost, "cost within 15 % of the offline optimum");
  examples::check(turns <= 200, "at most 200 direction changes: no oscillation");
  examples::check(unmet_outside == 0 && unmet_inside > 0, "demand met except during the incident");
  return 0;
}
