// `streamml generate sensors` (IoT readings from a fleet of devices)
// columns: event_time, device, temperature, vibration, pressure, humidity
// device      "d0007", uniform over `devices` ids
// readings    from one of `clusters` Gaussian operating regimes (mixture weights in the
//             model file), diagonal noise with a fixed sd per reading (temperature 1.5 °C,
//             vibration 0.2 mm/s, pressure 2 hPa, humidity 2.5 %). Distances below are in
//             units of those sds ("sd units"). Start centres are at least 10 sd units
//             apart and stay at least 8 apart for twice the expected duration.
// drift       every centre moves on a straight line at a constant velocity; over the
//             expected duration of the stream (events / rate) it travels `drift` sd units.
//             The model file gives the velocity per hour of event time, and the centres at
//             the first and last event: centre(t) = start + velocity · (t − t_first) / 1 h.
// anomalies   each record independently with probability anomaly_rate: a regime reading
//             with a spike of 10–20 sd units on one or two readings, kept only if it lies at
//             least 8 sd units from every centre at its time.
// <out>.truth.csv: "line,cluster" — the line number of each record in the data file
// (CSV: the header is line 1, the first record line 2; JSON Lines: the first record is
// line 1) and its regime 0..K-1, or -1 for an anomaly.
// <out>.model.json: reading names, units and noise sds, mixture weights, start and end
// centres, velocities, the anomaly rule and counts.
#pragma once

#include <cstdint>

#include "core/settings.h"
#include "datasets/generator.h"

namespace streamml {

// The kind's own settings, declared once in settings_table(): the command line's flags
// (--anomaly-rate for anomaly_rate) and Python's keywords are the table's names.
struct SensorsSettings {
  static constexpr const char* kKind = "sensors";
  static constexpr double kDefaultRate = 5;  // events per second of event time
  std::int64_t devices = 200;   // ids drawn uniformly
  int clusters = 4;             // operating regimes, 1 to 8
  double anomaly_rate = 0.005;  // share of anomalous readings
  double drift = 3.0;           // sd units each centre travels over the stream

  static const SettingsTable<SensorsSettings>& settings_table();
};

// Writes the stream and its side files (see generator.h for the options every kind shares).
// Throws streamml::Error as generate_stream does.
GenerateReport generate_sensors(const StreamOptions& options, const SensorsSettings& settings = {});

}  // namespace streamml
