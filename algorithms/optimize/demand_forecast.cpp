#include "algorithms/optimize/demand_forecast.h"

#include <algorithm>
#include <cmath>

#include "core/error.h"
#include "core/state_io.h"

namespace streamml {

DemandForecast::DemandForecast(ForecastSettings settings, std::int64_t services)
    : settings_(settings),
      level_(Eigen::VectorXd::Zero(services)),
      trend_(Eigen::VectorXd::Zero(services)),
      seen_(std::size_t(services), 0) {}

void DemandForecast::observe(std::int64_t service, double rate) {
  const auto j = Eigen::Index(service);
  const double a = settings_.alpha, b = settings_.beta;
  if (seen_[std::size_t(j)]++ == 0) {
    level_[j] = rate;
    trend_[j] = 0.0;
    return;
  }
  if (settings_.forecast == ForecastMethod::Ewma) {
    level_[j] = a * rate + (1.0 - a) * level_[j];
    return;
  }
  const double previous = level_[j];
  level_[j] = a * rate + (1.0 - a) * (previous + trend_[j]);
  trend_[j] = b * (level_[j] - previous) + (1.0 - b) * trend_[j];
}

double DemandForecast::forecast(std::int64_t service) const {
  const auto j = Eigen::Index(service);
  const double ahead = settings_.forecast == ForecastMethod::Holt ? level_[j] + settings_.horizon * trend_[j] : level_[j];
  return std::max(0.0, ahead);
}

Eigen::VectorXd DemandForecast::forecast() const {
  Eigen::VectorXd f(level_.size());
  for (Eigen::Index j = 0; j < f.size(); ++j) f[j] = forecast(j);
  return f;
}

void DemandForecast::save(StateWriter& out) const {
  out.write_vector("level", level_);
  out.write_vector("trend", trend_);
  out.write_ints("observations", seen_);
}

void DemandForecast::load(const StateReader& in) {
  const std::int64_t n = services();
  Eigen::VectorXd level = in.read_vector("level", n), trend = in.read_vector("trend", n);
  std::vector<std::int64_t> seen = in.read_ints("observations", n);
  for (Eigen::Index j = 0; j < n; ++j)
    STREAMML_CHECK(std::isfinite(level[j]) && std::isfinite(trend[j]) && seen[std::size_t(j)] >= 0, InvalidInput,
                   in.where("level") << ": service " << j << " has level " << level[j] << ", trend " << trend[j]
                                     << " and " << seen[std::size_t(j)] << " observations");
  level_ = std::move(level);
  trend_ = std::move(trend);
  seen_ = std::move(seen);
}

}  // namespace streamml
