// Demand forecasts per service from a stream of windowed rates (requests per second in each
// monitoring window), for the decision stages (allocation.h, autoscale.h).
//
// Two methods, chosen by a setting:
//   ewma: level_t = α r_t + (1 - α) level_{t-1};                 forecast = level_t
//   holt (Holt's linear trend, "double exponential smoothing"):
//         level_t = α r_t + (1 - α)(level_{t-1} + trend_{t-1})
//         trend_t = β (level_t - level_{t-1}) + (1 - β) trend_{t-1}
//         forecast h windows ahead = level_t + h trend_t
// Start: the first rate of a service is its level, its trend 0 (statsmodels' Holt with
// initialization_method="known", initial_level = r_0, initial_trend = 0). A service not seen yet
// forecasts 0; a forecast below 0 (a falling trend) is 0.
//
// Each observation updates its service's state in order, so a batch of n records is exactly n
// batches of one (the stage is a thin adapter over observe()).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <Eigen/Core>

#include "core/settings.h"

namespace streamml {

class StateReader;
class StateWriter;

enum class ForecastMethod { Ewma, Holt };

struct ForecastSettings {
  ForecastMethod forecast = ForecastMethod::Holt;
  double alpha = 0.5;    // level smoothing, (0, 1]
  double beta = 0.2;     // trend smoothing (holt), [0, 1]
  double horizon = 1.0;  // windows ahead (holt), >= 0
};

// Adds the forecast settings to the table of a struct that derives from ForecastSettings, so
// every decision stage declares them once, here.
template <class S>
SettingsTable<S>& add_forecast_settings(SettingsTable<S>& table) {
  return table
      .choice("forecast", static_cast<ForecastMethod S::*>(&ForecastSettings::forecast),
              {{ForecastMethod::Holt, "holt"}, {ForecastMethod::Ewma, "ewma"}},
              "demand forecast per service: Holt's linear trend or an EWMA of the windowed rates")
      .real("alpha", static_cast<double S::*>(&ForecastSettings::alpha), "level smoothing of the forecast",
            Range::open_closed(0, 1))
      .real("beta", static_cast<double S::*>(&ForecastSettings::beta), "trend smoothing of the forecast (holt)",
            Range::closed(0, 1))
      .real("horizon", static_cast<double S::*>(&ForecastSettings::horizon),
            "windows ahead the forecast looks (holt: level + horizon * trend)", Range::non_negative());
}

class DemandForecast {
 public:
  DemandForecast() = default;
  DemandForecast(ForecastSettings settings, std::int64_t services);

  // One window's rate of one service (service in [0, services), rate finite and >= 0: the
  // caller checks, naming the record).
  void observe(std::int64_t service, double rate);
  // The forecast of every service, >= 0.
  Eigen::VectorXd forecast() const;
  double forecast(std::int64_t service) const;

  std::int64_t services() const { return std::int64_t(level_.size()); }
  const Eigen::VectorXd& level() const { return level_; }
  const Eigen::VectorXd& trend() const { return trend_; }
  const std::vector<std::int64_t>& observations() const { return seen_; }

  // State as datasets level, trend, observations; loading checks their lengths.
  void save(StateWriter& out) const;
  void load(const StateReader& in);

 private:
  ForecastSettings settings_;
  Eigen::VectorXd level_, trend_;
  std::vector<std::int64_t> seen_;
};

}  // namespace streamml
