// SeasonalAnomalyStage: deviations from the same hour of the days before, worked out by hand;
// the clusterer's noise as flags; a checkpoint taken mid-stream resumes to the same outputs as
// an uninterrupted stage (oracle: the uninterrupted run).
#include <gtest/gtest.h>

#include <cmath>

#include "algorithms/clustering/windowed_dbscan.h"
#include "core/checkpoint_file.h"
#include "core/error.h"
#include "streaming/stages/seasonal_anomaly_stage.h"

namespace streamml {
namespace {

constexpr EventTime kHour = 3600 * kMicrosPerSecond;
constexpr EventTime kDay = 24 * kHour;

// One record per service at `t`, feature values given per service.
Batch hour_batch(std::int64_t index, EventTime t, const std::vector<double>& values) {
  Batch b;
  b.index = index;
  b.rows = values.size();
  b.cols = 1;
  b.features = values;
  std::vector<std::int64_t> keys;
  for (std::size_t s = 0; s < values.size(); ++s) keys.push_back(std::int64_t(s));
  b.keys = keys;
  b.event_times.assign(values.size(), t);
  return b;
}

std::shared_ptr<Learner> dbscan(double eps, std::int64_t min_samples, std::int64_t window) {
  WindowedDBSCANSettings s;
  s.eps = eps;
  s.min_samples = min_samples;
  s.window_batches = window;
  return std::make_shared<WindowedDBSCAN>(s);
}

const std::vector<double>& doubles(const Batch& b, const char* name) {
  return std::get<std::vector<double>>(b.output(name)->values);
}
const std::vector<std::int64_t>& ints(const Batch& b, const char* name) {
  return std::get<std::vector<std::int64_t>>(b.output(name)->values);
}

TEST(SeasonalAnomalyStage, DeviationIsFromTheMedianOfTheSameHour) {
  SeasonalAnomalySettings settings;
  settings.history = 3;
  SeasonalAnomalyStage stage("m", settings, dbscan(0.1, 2, 1));
  // Service 0 at 05:00 on days 0..2: 100, 200, 400 (and at 06:00 something else, ignored).
  // Day 3 at 05:00: 300 -> log(300 / median(100, 200, 400)) = log(1.5).
  std::int64_t i = 0;
  const std::vector<double> at5{100, 200, 400};
  for (std::int64_t d = 0; d < 3; ++d) {
    Batch a = hour_batch(i++, d * kDay + 5 * kHour, {at5[std::size_t(d)]});
    stage.process(a);
    if (d == 0) EXPECT_EQ(doubles(a, "m.deviation")[0], 0.0);  // no history yet
    Batch b = hour_batch(i++, d * kDay + 6 * kHour, {7});
    stage.process(b);
  }
  Batch day3 = hour_batch(i++, 3 * kDay + 5 * kHour + 59 * 60 * kMicrosPerSecond, {300});  // still the 05:00 slot
  stage.process(day3);
  EXPECT_NEAR(doubles(day3, "m.deviation")[0], std::log(1.5), 1e-15);
  // A window of one batch holds one point: DBSCAN with min_samples 2 calls it noise.
  EXPECT_EQ(ints(day3, "m.anomaly")[0], 1);
  // The 06:00 slot saw 7 three times: deviation log(7 / 7) = 0.
  Batch six = hour_batch(i++, 3 * kDay + 6 * kHour, {7});
  stage.process(six);
  EXPECT_EQ(doubles(six, "m.deviation")[0], 0.0);
  // History 3: day 3's 300 pushed day 0's 100 out: median(200, 400, 300) = 300.
  Batch day4 = hour_batch(i++, 4 * kDay + 5 * kHour, {600});
  stage.process(day4);
  EXPECT_NEAR(doubles(day4, "m.deviation")[0], std::log(2.0), 1e-15);
}

TEST(SeasonalAnomalyStage, FlagsTheOutlierAmongServices) {
  // Five services steady at their own levels for two days, then service 3 doubles: its
  // deviation is log 2, the others' 0; DBSCAN (eps 0.1, 4 neighbours) makes it the only noise.
  SeasonalAnomalyStage stage("m", {}, dbscan(0.1, 4, 2));
  const std::vector<double> level{10, 50, 100, 500, 1000};
  std::int64_t i = 0;
  for (EventTime t = 0; t < 2 * kDay; t += kHour) {
    Batch b = hour_batch(i++, t, level);
    stage.process(b);
  }
  auto spike = level;
  spike[3] *= 2;
  Batch b = hour_batch(i++, 2 * kDay, spike);
  stage.process(b);
  EXPECT_EQ(ints(b, "m.anomaly"), (std::vector<std::int64_t>{0, 0, 0, 1, 0}));
  EXPECT_NEAR(doubles(b, "m.deviation")[3], std::log(2.0), 1e-15);
  EXPECT_EQ(stage.anomalies(), 1);
}

TEST(SeasonalAnomalyStage, ResumesFromACheckpointExactly) {
  // A noisy week of 4 services; stage B is saved after day 4 and loaded into a fresh stage,
  // whose outputs for the rest must equal the uninterrupted stage A's.
  auto make = [] { return SeasonalAnomalyStage("m", {}, dbscan(0.15, 3, 6)); };
  SeasonalAnomalyStage a = make();
  auto b = std::make_unique<SeasonalAnomalyStage>(make());
  std::uint64_t state = 12345;
  auto noise = [&] {  // a small LCG: the values only need to vary
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    return double(state >> 11) / double(1ULL << 53);
  };
  std::int64_t i = 0;
  for (EventTime t = 0; t < 7 * kDay; t += kHour, ++i) {
    std::vector<double> v;
    for (int s = 0; s < 4; ++s) v.push_back((s + 1) * 100 * (1 + 0.05 * noise()) * (i == 130 && s == 2 ? 3 : 1));
    Batch x = hour_batch(i, t, v), y = hour_batch(i, t, v);
    a.process(x);
    b->process(y);
    EXPECT_EQ(ints(x, "m.anomaly"), ints(y, "m.anomaly")) << "batch " << i;
    EXPECT_EQ(doubles(x, "m.deviation"), doubles(y, "m.deviation")) << "batch " << i;
    if (t == 4 * kDay) {
      const auto bytes = checkpoint_bytes(*b);
      b = std::make_unique<SeasonalAnomalyStage>(make());
      load_checkpoint_bytes(bytes.data(), bytes.size(), *b);
    }
  }
  EXPECT_GE(a.anomalies(), 1);  // the tripled hour
  EXPECT_EQ(a.anomalies(), b->anomalies());
}

TEST(SeasonalAnomalyStage, RefusesBadSettingsAndInput) {
  SeasonalAnomalySettings bad;
  bad.slot_seconds = 0;
  EXPECT_THROW(SeasonalAnomalyStage("m", bad, dbscan(0.1, 2, 1)), Error);
  SeasonalAnomalyStage stage("m", {}, dbscan(0.1, 2, 1));
  Batch no_key = hour_batch(0, 0, {1.0});
  no_key.keys = std::monostate{};
  EXPECT_THROW(stage.process(no_key), Error);
}

}  // namespace
}  // namespace streamml
