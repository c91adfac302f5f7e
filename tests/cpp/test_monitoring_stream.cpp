// The monitoring stream (datasets/monitoring.h) and the Autoscaler on it.
//
// Oracles: the stream's own truth, its optimal offline plan, checked first against a brute-force
// enumeration of every count sequence on a small stream; the file against the trace it was
// written from.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <functional>
#include <limits>
#include <sstream>
#include <string>
#include <vector>

#include "algorithms/optimize/autoscale.h"
#include "datasets/generator.h"
#include "datasets/monitoring.h"
#include "test_helpers.h"

namespace streamml {
namespace {

StreamOptions options(std::int64_t events, std::uint64_t seed, const std::string& out = "") {
  StreamOptions o;
  o.events = events;
  o.seed = seed;
  o.out = out;
  return o;
}

// 8 services, one-hour "days" of 60 one-minute windows, 10 days.
MonitoringSettings ten_short_days() {
  MonitoringSettings s;
  s.services = 8;
  s.day_seconds = 3600;
  s.burst_probability = 0.01;
  return s;
}

TEST(MonitoringStream, OfflinePlanIsOptimalAgainstBruteForce) {
  MonitoringSettings s;
  s.services = 1;
  s.min_rate = s.max_rate = 60;
  s.min_processing_rate = s.max_processing_rate = 20;
  s.amplitude = 0.8;
  s.day_seconds = 8 * 60;  // one cycle over the 8 windows
  s.noise = 0.1;
  s.min_instances = 1;
  s.max_instances = 5;  // counts 1..5: 5^8 = 390,625 sequences
  s.instance_cost = 1;
  s.scale_change_cost = 1.7;
  s.incident_windows = 0;
  for (std::uint64_t seed : {1, 2, 3}) {
    const MonitoringTrace t = monitoring_trace(options(8, seed), s);
    double best = std::numeric_limits<double>::infinity();
    std::vector<std::int64_t> n(8);
    std::function<void(std::size_t)> walk = [&](std::size_t w) {
      if (w == 8) {
        best = std::min(best, plan_cost(s, 1, n));
        return;
      }
      for (std::int64_t k = t.need[w]; k <= 5; ++k) n[w] = k, walk(w + 1);
    };
    walk(0);
    EXPECT_NEAR(t.offline_cost, best, 1e-12) << "seed " << seed;
    for (std::size_t w = 0; w < 8; ++w) EXPECT_GE(t.offline[w], t.need[w]);
  }
}

TEST(MonitoringStream, FileHoldsTheTraceAndItsTruth) {
  const auto dir = testing::temp_dir("monitoring_file");
  const std::string path = (dir / "m.csv").string();
  GenerateOptions o;
  o.kind = "monitoring";
  o.out = path;
  o.events = 8 * 50;
  o.seed = 7;
  o.settings = {{"day_seconds", "3600"}};
  const GenerateReport r = generate_stream(o);
  EXPECT_EQ(r.events, 400);
  MonitoringSettings s;
  s.day_seconds = 3600;
  const MonitoringTrace t = monitoring_trace(options(400, 7), s);
  std::ifstream data(path), truth(path + ".truth.csv");
  std::string line;
  std::getline(data, line);
  EXPECT_EQ(line, "event_time,service,requests,processing_rate");
  std::getline(truth, line);
  EXPECT_EQ(line, "window,service,need,offline_instances,burst,incident");
  for (std::int64_t w = 0; w < t.windows; ++w)
    for (std::int64_t j = 0; j < t.services; ++j) {
      ASSERT_TRUE(std::getline(data, line));
      std::stringstream fields(line);
      std::string time, service, requests, rate;
      std::getline(fields, time, ',');
      std::getline(fields, service, ',');
      std::getline(fields, requests, ',');
      std::getline(fields, rate, ',');
      EXPECT_EQ(std::stoll(service), j);
      EXPECT_EQ(std::stod(requests), t.requests(w, j)) << line;
      EXPECT_EQ(std::stod(rate), t.processing_rate(w, j)) << line;
      ASSERT_TRUE(std::getline(truth, line));
      const std::size_t k = std::size_t(w * t.services + j);
      EXPECT_EQ(line, std::to_string(w) + "," + std::to_string(j) + "," + std::to_string(t.need[k]) + "," +
                          std::to_string(t.offline[k]) + "," + std::to_string(int(t.burst[k])) + "," +
                          std::to_string(int(t.in_incident(w, j))));
    }
  EXPECT_FALSE(std::getline(data, line));
  // The first window ends one window after the start: 2026-01-01T00:01:00.000Z.
  std::ifstream again(path);
  std::getline(again, line);
  std::getline(again, line);
  EXPECT_EQ(line.substr(0, 24), "2026-01-01T00:01:00.000Z");
  // Same options, same bytes.
  const std::string path2 = (dir / "m2.csv").string();
  o.out = path2;
  generate_stream(o);
  std::ifstream a(path), b(path2);
  EXPECT_EQ(std::string(std::istreambuf_iterator<char>(a), {}), std::string(std::istreambuf_iterator<char>(b), {}));
  o.settings["services"] = "7";
  EXPECT_NE(testing::error_of([&] { generate_stream(o); }).find("not a whole number of windows of 7 services"),
            std::string::npos);
}

// Sign changes of the count's steps (flat steps skipped), summed over services.
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

// The Autoscaler with its defaults (Holt α 0.5, β 0.2; window 3; utilisation boundary 0.2),
// the stream's target utilisation, bounds and change cost, on 10 short days. Measured on seed 42:
// +8.6 % over the offline optimum, 181 direction changes, unmet demand in 1 window, the
// incident's first (the counts for a window are decided before its rates are seen, and the
// incident halves a service's processing rate without warning).
TEST(MonitoringStream, AutoscalerCostOscillationAndUnmetDemand) {
  const MonitoringSettings ms = ten_short_days();
  for (std::uint64_t seed : {42, 7}) {
    const MonitoringTrace t = monitoring_trace(options(8 * 600, seed), ms);
    AutoscaleSettings s;
    s.services = ms.services;
    s.target_utilization = ms.target_utilization;
    s.min_instances = ms.min_instances;
    s.max_instances = ms.max_instances;
    s.scale_change_cost = ms.scale_change_cost;
    Autoscaler a(s);
    // The counts in effect in window w were decided after window w - 1 (min_instances at first,
    // before any rate is known: window 0 is not judged).
    std::vector<std::int64_t> online;
    std::int64_t unmet_outside_incident = 0, unmet_in_incident = 0;
    for (std::int64_t w = 0; w < t.windows; ++w) {
      for (std::int64_t j = 0; j < t.services; ++j) {
        const std::int64_t n = a.instances()[std::size_t(j)];
        online.push_back(n);
        const bool met = double(n) * t.processing_rate(w, j) >= t.requests(w, j);
        if (!met && w > 0) (t.in_incident(w, j) ? unmet_in_incident : unmet_outside_incident) += 1;
      }
      a.partial_fit(monitoring_window(t, w));
    }
    const double cost = plan_cost(ms, t.services, online);
    const std::int64_t changes = direction_changes(online, t.services);
    std::printf("seed %llu: autoscaler cost %.0f vs offline optimum %.0f (+%.1f %%); direction changes %lld "
                "(offline %lld); unmet windows %lld outside the incident, %lld in it\n",
                (unsigned long long)seed, cost, t.offline_cost, 100 * (cost / t.offline_cost - 1), (long long)changes,
                (long long)direction_changes(t.offline, t.services), (long long)unmet_outside_incident,
                (long long)unmet_in_incident);
    // Within 15 % of the offline optimum.
    EXPECT_LT(cost, 1.15 * t.offline_cost) << "seed " << seed;
    // No oscillation: a smooth plan turns twice per daily cycle (10 cycles x 8 services = 160
    // turns); at most 25 % more.
    EXPECT_LE(changes, 200) << "seed " << seed;
    // Demand met except during the incident.
    EXPECT_EQ(unmet_outside_incident, 0) << "seed " << seed;
    EXPECT_GT(unmet_in_incident, 0) << "seed " << seed;
  }
}

}  // namespace
}  // namespace streamml
