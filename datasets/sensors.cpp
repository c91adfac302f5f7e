#include "datasets/sensors.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <iterator>
#include <numeric>
#include <string>
#include <vector>

#include "core/error.h"
#include "core/json.h"
#include "datasets/stream_setup.h"

namespace streamml {

namespace {

constexpr double kMicrosPerHour = 3.6e9;

struct Reading {
  const char* name;
  const char* unit;
  double sd;      // noise within a regime; the unit of distance ("sd units")
  double lo, hi;  // where regime centres live
};
constexpr Reading kReadings[] = {
    {"temperature", "degC", 1.5, 20, 80},
    {"vibration", "mm/s", 0.2, 0.5, 6.5},
    {"pressure", "hPa", 2.0, 980, 1040},
    {"humidity", "%", 2.5, 20, 80},
};
constexpr std::size_t kNumReadings = std::size(kReadings);
using Vec = std::array<double, kNumReadings>;
constexpr double kSensorScale = 1e4;  // 4 decimals
constexpr double kMinStartSeparation = 10;
constexpr double kMinSeparation = 8;
constexpr double kAnomalyMinDistance = 8;
constexpr int kMaxClusters = 8;

// Distance in sd units between two points given in reading units.
double sd_distance(const Vec& a, const Vec& b) {
  double s = 0;
  for (std::size_t j = 0; j < kNumReadings; ++j) {
    const double d = (a[j] - b[j]) / kReadings[j].sd;
    s += d * d;
  }
  return std::sqrt(s);
}

struct Regime {
  Vec start, velocity;  // reading units; velocity per hour
  Vec at(double hours) const {
    Vec c;
    for (std::size_t j = 0; j < kNumReadings; ++j) c[j] = start[j] + velocity[j] * hours;
    return c;
  }
};

// Smallest distance (sd units) between two regimes' centres over [0, horizon] hours: the
// difference moves on a line, so the closest point is a clamped projection.
double closest_approach(const Regime& a, const Regime& b, double horizon) {
  Vec d0, dv;
  double dot = 0, vv = 0;
  for (std::size_t j = 0; j < kNumReadings; ++j) {
    d0[j] = (a.start[j] - b.start[j]) / kReadings[j].sd;
    dv[j] = (a.velocity[j] - b.velocity[j]) / kReadings[j].sd;
    dot += d0[j] * dv[j];
    vv += dv[j] * dv[j];
  }
  const double t = vv > 0 ? std::clamp(-dot / vv, 0.0, horizon) : 0.0;
  double s = 0;
  for (std::size_t j = 0; j < kNumReadings; ++j) s += (d0[j] + dv[j] * t) * (d0[j] + dv[j] * t);
  return std::sqrt(s);
}

// Regimes placed by rejection: start centres inside the box and 10 sd units apart, end
// (after the expected duration) still inside it, and no two ever closer than 8 within twice
// the expected duration, so a long Poisson tail cannot make two regimes merge.
std::vector<Regime> place_regimes(Random& rng, int k, double speed_per_hour, double expected_hours) {
  std::vector<Regime> regimes;
  for (int attempt = 0; attempt < 100 && int(regimes.size()) < k; ++attempt) {
    regimes.clear();
    for (int tries = 0; tries < 10'000 && int(regimes.size()) < k; ++tries) {
      Regime r;
      Vec dir;
      double norm = 0;
      for (std::size_t j = 0; j < kNumReadings; ++j) {
        r.start[j] = kReadings[j].lo + (kReadings[j].hi - kReadings[j].lo) * rng.uniform();
        dir[j] = rng.normal();
        norm += dir[j] * dir[j];
      }
      norm = std::sqrt(norm);
      bool ok = true;
      for (std::size_t j = 0; j < kNumReadings; ++j) {
        r.velocity[j] = speed_per_hour * dir[j] / norm * kReadings[j].sd;
        const double end = r.start[j] + r.velocity[j] * expected_hours;
        ok = ok && end >= kReadings[j].lo && end <= kReadings[j].hi;
      }
      for (const Regime& other : regimes) {
        ok = ok && sd_distance(r.start, other.start) >= kMinStartSeparation &&
             closest_approach(r, other, 2 * expected_hours) >= kMinSeparation;
      }
      if (ok) regimes.push_back(r);
    }
  }
  STREAMML_CHECK(int(regimes.size()) == k, Runtime,
                 "could not place " << k << " regimes " << kMinStartSeparation
                                    << " sd units apart with drift; lower clusters or drift");
  return regimes;
}

void write_vec(JsonWriter& w, const Vec& v) {
  w.begin_object();
  for (std::size_t j = 0; j < kNumReadings; ++j) w.key(kReadings[j].name).value(v[j]);
  w.end_object();
}

}  // namespace

const SettingsTable<SensorsSettings>& SensorsSettings::settings_table() {
  static const auto t =
      SettingsTable<SensorsSettings>(kKind)
          .integer("devices", &SensorsSettings::devices, "number of devices", Range::closed(1, 1e8))
          .integer("clusters", &SensorsSettings::clusters, "operating regimes", Range::closed(1, kMaxClusters))
          .real("anomaly_rate", &SensorsSettings::anomaly_rate, "share of anomalous readings", Range::closed(0, 0.5))
          .real("drift", &SensorsSettings::drift, "sd units each centre travels over the stream", Range::closed(0, 20));
  return t;
}

GenerateReport generate_sensors(const StreamOptions& o, const SensorsSettings& settings) {
  const Stream s = begin_stream(o, settings);
  Random rng(o.seed);

  const double expected_hours = double(o.events) / s.rate / 3600.0;
  const double speed = settings.drift / expected_hours;  // sd units per hour
  const std::vector<Regime> regimes = place_regimes(rng, settings.clusters, speed, expected_hours);
  std::vector<double> weights(std::size_t(settings.clusters));
  for (double& wt : weights) wt = 1.0 + rng.uniform();
  const double weight_sum = std::accumulate(weights.begin(), weights.end(), 0.0);
  for (double& wt : weights) wt /= weight_sum;
  const std::vector<double> regime_cumulative = cumulative(weights);
  const int device_width = id_width(settings.devices, 4);

  std::vector<std::string> columns = {"event_time", "device"};
  for (const auto& r : kReadings) columns.push_back(r.name);
  OutputFile out(o.out);
  const std::string truth_path = side_path(s, ".truth.csv");
  OutputFile truth(truth_path);
  truth.text() += "line,cluster\n";
  RecordWriter rec(out, s.jsonl, columns);
  Arrivals arrivals(o.start, s.rate);
  std::vector<std::int64_t> counts(std::size_t(settings.clusters), 0);
  std::int64_t anomalies = 0, first_ms = 0, last_ms = 0;

  for (std::int64_t e = 0; e < o.events; ++e) {
    const std::int64_t ms = arrivals.next_millis(rng);
    if (e == 0) first_ms = ms;
    last_ms = ms;
    const double hours = double((ms - first_ms) * 1000) / kMicrosPerHour;
    const std::int64_t device = std::int64_t(rng.below(std::uint64_t(settings.devices)));
    const bool anomalous = rng.uniform() < settings.anomaly_rate;
    const std::size_t k = rng.pick(regime_cumulative);
    const Vec centre = regimes[k].at(hours);
    Vec noisy, value;
    for (std::size_t j = 0; j < kNumReadings; ++j) {
      noisy[j] = centre[j] + kReadings[j].sd * rng.normal();
      value[j] = on_grid(noisy[j], kSensorScale);
    }
    if (anomalous) {
      // A spike on one or two readings, redrawn until it is clear of every regime.
      bool clear = false;
      for (int tries = 0; tries < 1000 && !clear; ++tries) {
        Vec spiked = noisy;
        const int spikes = rng.uniform() < 0.3 ? 2 : 1;
        for (int s = 0; s < spikes; ++s) {
          const std::size_t j = std::size_t(rng.below(kNumReadings));
          const double sign = rng.uniform() < 0.5 ? -1.0 : 1.0;
          spiked[j] += sign * (10.0 + 10.0 * rng.uniform()) * kReadings[j].sd;
        }
        for (std::size_t j = 0; j < kNumReadings; ++j) value[j] = on_grid(spiked[j], kSensorScale);
        clear = true;
        for (const Regime& r : regimes) clear = clear && sd_distance(value, r.at(hours)) >= kAnomalyMinDistance;
      }
      STREAMML_CHECK(clear, Runtime, "no anomaly clear of every regime after 1000 spikes at record " << e);
      ++anomalies;
    } else {
      ++counts[k];
    }

    rec.time(0, ms);
    rec.id(1, 'd', device, device_width);
    for (std::size_t j = 0; j < kNumReadings; ++j) rec.fixed(2 + j, value[j], 4);
    rec.end();
    append_int(truth.text(), e + 1 + rec.header_lines());
    truth.text() += ',';
    append_int(truth.text(), anomalous ? -1 : std::int64_t(k));
    truth.text() += '\n';
    truth.maybe_flush();
  }
  out.close();
  truth.close();

  const double total_hours = double((last_ms - first_ms) * 1000) / kMicrosPerHour;
  JsonWriter w(true);
  w.begin_object();
  write_common_settings(w, s, s.format(), first_ms * 1000, last_ms * 1000);
  w.key("duration_hours").value(total_hours);
  w.key("readings").begin_array();
  for (const auto& r : kReadings) {
    w.begin_object().key("name").value(r.name).key("unit").value(r.unit).key("noise_sd").value(r.sd);
    w.end_object();
  }
  w.end_array();
  w.key("distance").value("Euclidean after dividing each reading by its noise_sd (sd units)");
  w.key("centre_at").value("start + velocity_per_hour * (event_time - first_event_time) / 1 hour");
  w.key("drift_sd_units").value(settings.drift);
  w.key("drift_sd_units_per_hour").value(speed);
  w.key("min_start_separation").value(kMinStartSeparation);
  w.key("min_separation").value(kMinSeparation);
  w.key("clusters").begin_array();
  for (std::size_t k = 0; k < regimes.size(); ++k) {
    w.begin_object();
    w.key("id").value(k);
    w.key("weight").value(weights[k]);
    w.key("records").value(counts[k]);
    w.key("start");
    write_vec(w, regimes[k].start);
    w.key("end");
    write_vec(w, regimes[k].at(total_hours));
    w.key("velocity_per_hour");
    write_vec(w, regimes[k].velocity);
    w.end_object();
  }
  w.end_array();
  w.key("anomaly_rate").value(settings.anomaly_rate);
  w.key("anomaly_min_distance").value(kAnomalyMinDistance);
  w.key("anomalies").value(anomalies);
  w.key("devices").value(settings.devices);
  w.key("truth_file").value(file_name(truth_path));
  w.key("truth_line_numbers").value(s.jsonl ? "first record is line 1" : "header is line 1, first record line 2");
  w.end_object();
  const std::string model_path = write_json_side_file(s, ".model.json", w);

  return make_report(s, s.format(), {truth_path, model_path}, first_ms * 1000, last_ms * 1000);
}

}  // namespace streamml
