#include "datasets/monitoring.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "core/error.h"
#include "core/json.h"
#include "datasets/stream_setup.h"

namespace streamml {

namespace {

constexpr double kScale = 1e4;  // 4 decimals
constexpr double kRateJitter = 0.02;

std::int64_t need_of(const MonitoringSettings& s, double requests, double rate) {
  const double exact = requests > 0 ? std::ceil(requests / (s.target_utilization * rate) - 1e-9) : 0.0;
  return std::clamp(std::int64_t(exact), s.min_instances, s.max_instances);
}

// The least-cost counts n(w) >= need(w) for one service (monitoring.h): dynamic programming
// over counts min..max, the |change| term by a forward and a backward pass per window.
std::vector<std::int64_t> offline_plan(const MonitoringSettings& s, const std::vector<std::int64_t>& need) {
  const std::int64_t lo = s.min_instances, n = s.max_instances - lo + 1, T = std::int64_t(need.size());
  constexpr double inf = std::numeric_limits<double>::infinity();
  const auto size = static_cast<std::size_t>(n);
  std::vector<double> value(size, inf), best(size);
  std::vector<std::int32_t> from(std::size_t(T * n));
  value[0] = 0;  // n(-1) = min_instances
  for (std::int64_t w = 0; w < T; ++w) {
    // best[k] = min_k' value[k'] + c |k - k'|, with the k' reached.
    std::int32_t* arg = &from[std::size_t(w * n)];
    for (std::int64_t k = 0; k < n; ++k) best[std::size_t(k)] = value[std::size_t(k)], arg[k] = std::int32_t(k);
    for (std::int64_t k = 1; k < n; ++k)
      if (best[std::size_t(k - 1)] + s.scale_change_cost < best[std::size_t(k)])
        best[std::size_t(k)] = best[std::size_t(k - 1)] + s.scale_change_cost, arg[k] = arg[k - 1];
    for (std::int64_t k = n - 2; k >= 0; --k)
      if (best[std::size_t(k + 1)] + s.scale_change_cost < best[std::size_t(k)])
        best[std::size_t(k)] = best[std::size_t(k + 1)] + s.scale_change_cost, arg[k] = arg[k + 1];
    for (std::int64_t k = 0; k < n; ++k)
      value[std::size_t(k)] = k + lo >= need[std::size_t(w)] ? best[std::size_t(k)] + s.instance_cost * double(k + lo) : inf;
  }
  std::vector<std::int64_t> plan(static_cast<std::size_t>(T));
  std::int64_t k = std::int64_t(std::min_element(value.begin(), value.end()) - value.begin());
  for (std::int64_t w = T - 1; w >= 0; --w) {
    plan[std::size_t(w)] = k + lo;
    k = from[std::size_t(w * n + k)];
  }
  return plan;
}

}  // namespace

const SettingsTable<MonitoringSettings>& MonitoringSettings::settings_table() {
  using S = MonitoringSettings;
  static const auto t =
      SettingsTable<S>(kKind)
          .integer("services", &S::services, "services, one record each per window", Range::closed(1, 100000))
          .real("window_seconds", &S::window_seconds, "monitoring window (seconds of event time)", Range::positive())
          .real("day_seconds", &S::day_seconds, "period of the daily cycle (seconds)", Range::positive())
          .real("min_rate", &S::min_rate, "smallest mean arrival rate of a service (records/s)", Range::non_negative())
          .real("max_rate", &S::max_rate, "largest mean arrival rate of a service (records/s)", Range::non_negative())
          .real("amplitude", &S::amplitude, "relative amplitude of the daily cycle", Range::closed(0, 1))
          .real("noise", &S::noise, "relative sd of a window's arrival rate", Range::closed(0, 1))
          .real("burst_probability", &S::burst_probability, "chance a service starts a burst in a window",
                Range::closed(0, 1))
          .real("burst_size", &S::burst_size, "relative extra arrivals during a burst", Range::non_negative())
          .integer("burst_windows", &S::burst_windows, "windows a burst lasts", Range::at_least(1))
          .real("min_processing_rate", &S::min_processing_rate, "smallest true processing rate per instance",
                Range::positive())
          .real("max_processing_rate", &S::max_processing_rate, "largest true processing rate per instance",
                Range::positive())
          .real("incident_at", &S::incident_at, "where the incident starts, as a share of the windows",
                Range::closed(0, 1))
          .integer("incident_windows", &S::incident_windows, "windows the incident lasts", Range::at_least(0))
          .real("incident_severity", &S::incident_severity, "share of processing rate the incident takes away",
                Range::closed_open(0, 1))
          .real("target_utilization", &S::target_utilization, "the plan's target utilisation",
                Range::open_closed(0, 1))
          .integer("min_instances", &S::min_instances, "the plan's fewest instances per service", Range::at_least(0))
          .integer("max_instances", &S::max_instances, "the plan's most instances per service",
                   Range::closed(1, 100000))
          .real("instance_cost", &S::instance_cost, "cost of an instance per window", Range::non_negative())
          .real("scale_change_cost", &S::scale_change_cost, "cost per instance started or stopped",
                Range::non_negative());
  return t;
}

MonitoringTrace monitoring_trace(const StreamOptions& o, const MonitoringSettings& s) {
  MonitoringSettings::settings_table().validate(s);
  STREAMML_CHECK(o.rate == 0, InvalidInput,
                 "monitoring: records come one per service per window; set window_seconds, not rate (got rate "
                     << o.rate << ")");
  STREAMML_CHECK(s.min_rate <= s.max_rate && s.min_processing_rate <= s.max_processing_rate &&
                     s.min_instances <= s.max_instances,
                 InvalidInput, "monitoring: min_rate, min_processing_rate and min_instances must not exceed their max");
  STREAMML_CHECK(o.events >= s.services && o.events % s.services == 0, InvalidInput,
                 "monitoring: events " << o.events << " is not a whole number of windows of " << s.services
                                       << " services (one record per service per window)");
  Random rng(o.seed);
  const std::int64_t J = s.services, T = o.events / J;
  const auto count = static_cast<std::size_t>(J);
  std::vector<double> mean(count), phase(count), rate(count);
  for (std::int64_t j = 0; j < J; ++j) {
    mean[std::size_t(j)] = s.min_rate + (s.max_rate - s.min_rate) * rng.uniform();
    phase[std::size_t(j)] = 2 * kPi * rng.uniform();
    rate[std::size_t(j)] = s.min_processing_rate + (s.max_processing_rate - s.min_processing_rate) * rng.uniform();
  }
  MonitoringTrace t;
  t.services = J;
  t.windows = T;
  t.window_seconds = s.window_seconds;
  t.incident_service = std::int64_t(rng.below(std::uint64_t(J)));
  t.incident_first = std::min(T, std::int64_t(std::floor(s.incident_at * double(T))));
  t.incident_end = std::min(T, t.incident_first + s.incident_windows);
  t.requests.resize(T, J);
  t.processing_rate.resize(T, J);
  t.burst.assign(std::size_t(T * J), 0);
  t.need.resize(std::size_t(T * J));
  std::vector<std::int64_t> burst_left(count, 0);
  for (std::int64_t w = 0; w < T; ++w) {
    const double middle = (double(w) + 0.5) * s.window_seconds;
    for (std::int64_t j = 0; j < J; ++j) {
      const std::size_t k = std::size_t(j);
      if (burst_left[k] == 0 && rng.uniform() < s.burst_probability) burst_left[k] = s.burst_windows;
      const bool burst = burst_left[k] > 0;
      if (burst) --burst_left[k];
      const double cycle = 1 + s.amplitude * std::sin(2 * kPi * middle / s.day_seconds + phase[k]);
      const double requests = mean[k] * cycle * (burst ? 1 + s.burst_size : 1.0) * (1 + s.noise * rng.normal());
      double processing = rate[k] * (1 + kRateJitter * rng.normal());
      if (t.in_incident(w, j)) processing *= 1 - s.incident_severity;
      t.requests(w, j) = on_grid(std::max(0.0, requests), kScale);
      t.processing_rate(w, j) = on_grid(std::max(1e-4, processing), kScale);
      t.burst[std::size_t(w * J + j)] = burst;
      t.need[std::size_t(w * J + j)] = need_of(s, t.requests(w, j), t.processing_rate(w, j));
    }
  }
  t.offline.resize(std::size_t(T * J));
  std::vector<std::int64_t> column(static_cast<std::size_t>(T));
  for (std::int64_t j = 0; j < J; ++j) {
    for (std::int64_t w = 0; w < T; ++w) column[std::size_t(w)] = t.need[std::size_t(w * J + j)];
    const std::vector<std::int64_t> plan = offline_plan(s, column);
    for (std::int64_t w = 0; w < T; ++w) t.offline[std::size_t(w * J + j)] = plan[std::size_t(w)];
  }
  t.offline_cost = plan_cost(s, J, t.offline);
  return t;
}

double plan_cost(const MonitoringSettings& s, std::int64_t services, const std::vector<std::int64_t>& counts) {
  STREAMML_CHECK(services > 0 && counts.size() % std::size_t(services) == 0, InvalidInput,
                 "monitoring: " << counts.size() << " counts are not whole windows of " << services << " services");
  double cost = 0;
  for (std::size_t k = 0; k < counts.size(); ++k) {
    const std::int64_t before = k < std::size_t(services) ? s.min_instances : counts[k - std::size_t(services)];
    cost += s.instance_cost * double(counts[k]) + s.scale_change_cost * double(std::abs(counts[k] - before));
  }
  return cost;
}

Batch monitoring_window(const MonitoringTrace& t, std::int64_t w) {
  STREAMML_CHECK(w >= 0 && w < t.windows, InvalidInput, "monitoring: window " << w << " of " << t.windows);
  Batch b;
  b.index = w;
  b.rows = std::size_t(t.services);
  b.cols = 2;
  std::vector<std::int64_t> keys(std::size_t(t.services));
  for (std::int64_t j = 0; j < t.services; ++j) {
    keys[std::size_t(j)] = j;
    b.features.push_back(t.requests(w, j));
    b.features.push_back(t.processing_rate(w, j));
  }
  b.keys = std::move(keys);
  return b;
}

GenerateReport generate_monitoring(const StreamOptions& o, const MonitoringSettings& settings) {
  const Stream s = begin_stream(MonitoringSettings::kKind, o, double(settings.services) / settings.window_seconds);
  const MonitoringTrace t = monitoring_trace(o, settings);
  const auto window_end_ms = [&](std::int64_t w) {
    return floor_div(o.start + std::llround(double(w + 1) * settings.window_seconds * 1e6), 1000);
  };
  OutputFile out(o.out);
  const std::string truth_path = side_path(s, ".truth.csv");
  OutputFile truth(truth_path);
  truth.text() += "window,service,need,offline_instances,burst,incident\n";
  RecordWriter rec(out, s.jsonl, {"event_time", "service", "requests", "processing_rate"});
  for (std::int64_t w = 0; w < t.windows; ++w) {
    const std::int64_t ms = window_end_ms(w);
    for (std::int64_t j = 0; j < t.services; ++j) {
      rec.time(0, ms);
      rec.integer(1, j);
      rec.fixed(2, t.requests(w, j), 4);
      rec.fixed(3, t.processing_rate(w, j), 4);
      rec.end();
      const std::size_t k = std::size_t(w * t.services + j);
      std::string& line = truth.text();
      append_int(line, w);
      line += ',';
      append_int(line, j);
      line += ',';
      append_int(line, t.need[k]);
      line += ',';
      append_int(line, t.offline[k]);
      line += t.burst[k] ? ",1" : ",0";
      line += t.in_incident(w, j) ? ",1\n" : ",0\n";
      truth.maybe_flush();
    }
  }
  out.close();
  truth.close();

  const EventTime first = window_end_ms(0) * 1000, last = window_end_ms(t.windows - 1) * 1000;
  JsonWriter w(true);
  w.begin_object();
  write_common_settings(w, s, s.format(), first, last);
  MonitoringSettings::settings_table().write_members(settings, w);
  w.key("windows").value(t.windows);
  w.key("incident").begin_object();
  w.key("service").value(t.incident_service);
  w.key("first_window").value(t.incident_first);
  w.key("end_window").value(t.incident_end);
  w.end_object();
  std::int64_t burst_windows = 0, changes = 0;
  for (auto b : t.burst) burst_windows += b;
  for (std::size_t k = std::size_t(t.services); k < t.offline.size(); ++k)
    changes += t.offline[k] != t.offline[k - std::size_t(t.services)];
  w.key("burst_windows").value(burst_windows);
  w.key("need").value("ceil(requests / (target_utilization * processing_rate) - 1e-9), in [min_instances, max_instances]");
  w.key("offline_plan").value("least instance + scale-change cost with counts >= need, from min_instances");
  w.key("offline_cost").value(t.offline_cost);
  w.key("offline_count_changes").value(changes);
  w.key("truth_file").value(file_name(truth_path));
  w.end_object();
  const std::string model_path = write_json_side_file(s, ".model.json", w);
  return make_report(s, s.format(), {truth_path, model_path}, first, last);
}

}  // namespace streamml
