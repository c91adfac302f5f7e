#include "algorithms/optimize/autoscale.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "algorithms/optimize/service_records.h"
#include "algorithms/optimize/solve.h"
#include "core/error.h"
#include "core/json.h"
#include "core/state_io.h"

namespace streamml {

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

std::int64_t clamp_count(std::int64_t n, const AutoscaleSettings& s) {
  return std::clamp(n, s.min_instances, s.max_instances);
}

void check_per_service(const Eigen::Ref<const Eigen::VectorXd>& v, std::int64_t services, const char* what,
                       bool non_negative) {
  STREAMML_CHECK(v.size() == services, InvalidInput,
                 "autoscale: " << what << " has " << v.size() << " entries, there are " << services << " services");
  for (Eigen::Index j = 0; j < v.size(); ++j)
    STREAMML_CHECK(std::isfinite(v[j]) && (!non_negative || v[j] >= 0), InvalidInput,
                   "autoscale: " << what << " of service " << j << " is " << v[j] << ", expected a finite rate"
                                 << (non_negative ? " >= 0" : ""));
}

}  // namespace

std::int64_t ds2_instances(double arrivals, double rate_per_instance, double utilization) {
  if (arrivals <= 0) return 0;
  return std::int64_t(std::ceil(arrivals / (utilization * rate_per_instance) - 1e-9));
}

const SettingsTable<AutoscaleSettings>& Autoscaler::settings_table() {
  static const auto t = add_forecast_settings(
      SettingsTable<AutoscaleSettings>(kType)
          .integer("services", &AutoscaleSettings::services, "services (ids 0 .. services - 1)", Range::at_least(1))
          .real("target_utilization", &AutoscaleSettings::target_utilization,
                "share of an instance's true processing rate to plan for", Range::open_closed(0, 1))
          .integer("min_instances", &AutoscaleSettings::min_instances, "fewest instances per service",
                   Range::at_least(0))
          .integer("max_instances", &AutoscaleSettings::max_instances, "most instances per service", Range::at_least(1))
          .reals("instance_cost", &AutoscaleSettings::instance_cost, "cost of one instance per service; empty: 1 each")
          .reals("instance_cpu", &AutoscaleSettings::instance_cpu, "shared capacity one instance uses; empty: 1 each")
          .real("budget", &AutoscaleSettings::budget, "most total instance cost; 0: none", Range::non_negative())
          .real("cpu_capacity", &AutoscaleSettings::cpu_capacity, "shared capacity all instances use at most; 0: none",
                Range::non_negative())
          .real("scale_change_cost", &AutoscaleSettings::scale_change_cost,
                "cost per instance started or stopped (MIP)", Range::non_negative())
          .real("shortfall_penalty", &AutoscaleSettings::shortfall_penalty,
                "cost per record/s of arrivals planned beyond capacity (MIP)", Range::positive())
          .integer("stabilization_window", &AutoscaleSettings::stabilization_window,
                   "batches whose highest forecast a count is sized for (scale down only after a whole window)",
                   Range::at_least(1))
          .real("utilization_boundary", &AutoscaleSettings::utilization_boundary,
                "scale down only while planned utilisation is below target_utilization minus this",
                Range::closed(0, 1))
          .choice("mode", &AutoscaleSettings::mode,
                  {{AutoscaleMode::Auto, "auto"}, {AutoscaleMode::Ds2, "ds2"}, {AutoscaleMode::Mip, "mip"}},
                  "auto: DS2's rule, the MIP when a budget or shared capacity couples services")
          .real("mip_rel_gap", &AutoscaleSettings::mip_rel_gap, "relative gap at which CBC stops", Range::non_negative())
          .real("time_limit", &AutoscaleSettings::time_limit, "seconds per MIP; 0: none", Range::non_negative())
          .integer("arrival_feature", &AutoscaleSettings::arrival_feature, "dense feature holding the arrival rate",
                   Range::at_least(0))
          .integer("rate_feature", &AutoscaleSettings::rate_feature,
                   "dense feature holding the true processing rate per instance", Range::at_least(0)));
  return t;
}

void AutoscaleSettings::validate() const {
  Autoscaler::settings_table().validate(*this);
  if (min_instances > max_instances)
    settings_error("autoscale", "min_instances " + std::to_string(min_instances) + " > max_instances " +
                                    std::to_string(max_instances));
  // The state is stabilization_window x services forecasts: bounded before it is allocated
  // (fuzz_settings: services=30020000 took 720 MB).
  if (services > kMaxHistoryCells / stabilization_window)
    settings_error("autoscale", "services x stabilization_window is " + std::to_string(services) + " x " +
                                    std::to_string(stabilization_window) + ", at most " +
                                    std::to_string(kMaxHistoryCells) + " forecasts are kept");
  for (const auto* list : {&instance_cost, &instance_cpu}) {
    const char* name = list == &instance_cost ? "instance_cost" : "instance_cpu";
    if (!list->empty() && std::int64_t(list->size()) != services)
      settings_error("autoscale", std::string(name) + " has " + std::to_string(list->size()) + " entries, expected " +
                                      std::to_string(services) + " (one per service) or none");
    for (double v : *list)
      if (!(v > 0)) settings_error("autoscale", std::string(name) + " entries must be > 0, got " + real_text(v));
  }
  double least_cost = 0, least_cpu = 0;
  for (std::int64_t j = 0; j < services; ++j) least_cost += cost(j) * double(min_instances), least_cpu += cpu(j) * double(min_instances);
  if (budget > 0 && least_cost > budget)
    settings_error("autoscale", "budget " + real_text(budget) + " is below the cost of min_instances everywhere (" +
                                    real_text(least_cost) + ")");
  if (cpu_capacity > 0 && least_cpu > cpu_capacity)
    settings_error("autoscale", "cpu_capacity " + real_text(cpu_capacity) +
                                    " is below what min_instances everywhere use (" + real_text(least_cpu) + ")");
}

bool hold_count(const AutoscaleSettings& s, double planned, double rate, std::int64_t current) {
  return current > 0 && rate > 0 && planned / (double(current) * rate) >= s.target_utilization - s.utilization_boundary;
}

LpModel autoscale_mip(const AutoscaleSettings& s, const Eigen::Ref<const Eigen::VectorXd>& arrivals,
                      const Eigen::Ref<const Eigen::VectorXd>& rates, const std::vector<std::int64_t>& current,
                      bool hold) {
  const Eigen::Index J = s.services;
  check_per_service(arrivals, J, "arrivals", true);
  check_per_service(rates, J, "processing rate", false);
  STREAMML_CHECK(Eigen::Index(current.size()) == J, InvalidInput,
                 "autoscale: " << current.size() << " current counts for " << J << " services");
  // Columns: n (j), up (J + j), down (2J + j), shortfall (3J + j).
  const Eigen::Index cols = 4 * J;
  const Eigen::Index rows = 2 * J + (s.budget > 0) + (s.cpu_capacity > 0);
  LpModel m;
  m.name = "autoscale";
  std::vector<Eigen::Triplet<double, int>> entries;
  m.objective.resize(cols);
  m.col_lower = Eigen::VectorXd::Zero(cols);
  m.col_upper = Eigen::VectorXd::Constant(cols, kInf);
  m.row_lower.resize(rows);
  m.row_upper.resize(rows);
  m.integrality.assign(std::size_t(cols), 0);
  for (Eigen::Index j = 0; j < J; ++j) {
    const bool known = rates[j] > 0;
    const double now = double(clamp_count(current[std::size_t(j)], s));
    m.objective[j] = s.cost(j);
    m.objective[J + j] = m.objective[2 * J + j] = s.scale_change_cost;
    m.objective[3 * J + j] = s.shortfall_penalty;
    m.integrality[std::size_t(j)] = 1;
    // Not over-provisioned: no scale-down (autoscale.h).
    const double floor = hold && hold_count(s, arrivals[j], rates[j], std::int64_t(now)) ? now : double(s.min_instances);
    m.col_lower[j] = known ? floor : now;
    m.col_upper[j] = known ? double(s.max_instances) : now;
    // Coverage: ρ μ n + shortfall >= λ (nothing to cover when μ is unknown).
    if (known) entries.emplace_back(int(j), int(j), s.target_utilization * rates[j]);
    entries.emplace_back(int(j), int(3 * J + j), 1.0);
    m.row_lower[j] = known ? arrivals[j] : 0.0;
    m.row_upper[j] = kInf;
    // Change: n - up + down = current.
    entries.emplace_back(int(J + j), int(j), 1.0);
    entries.emplace_back(int(J + j), int(J + j), -1.0);
    entries.emplace_back(int(J + j), int(2 * J + j), 1.0);
    m.row_lower[J + j] = m.row_upper[J + j] = double(current[std::size_t(j)]);
  }
  Eigen::Index row = 2 * J;
  if (s.budget > 0) {
    for (Eigen::Index j = 0; j < J; ++j) entries.emplace_back(int(row), int(j), s.cost(j));
    m.row_lower[row] = -kInf;
    m.row_upper[row++] = s.budget;
  }
  if (s.cpu_capacity > 0) {
    for (Eigen::Index j = 0; j < J; ++j) entries.emplace_back(int(row), int(j), s.cpu(j));
    m.row_lower[row] = -kInf;
    m.row_upper[row++] = s.cpu_capacity;
  }
  m.A.resize(rows, cols);
  m.A.setFromTriplets(entries.begin(), entries.end());
  return m;
}

Autoscaler::Autoscaler(AutoscaleSettings settings) : settings_(std::move(settings)) {
  settings_.validate();
  const std::int64_t J = settings_.services;
  forecast_ = DemandForecast(settings_, J);
  rates_ = Eigen::VectorXd::Zero(J);
  history_ = RowMatrix::Zero(settings_.stabilization_window, J);
  decision_.instances.assign(std::size_t(J), settings_.min_instances);
  decision_.planned = Eigen::VectorXd::Zero(J);
  direction_.assign(std::size_t(J), 0);
}

std::vector<std::int64_t> Autoscaler::mip_counts(const Eigen::VectorXd& planned, const Eigen::VectorXd& rates) {
  SolveSettings s;
  s.mip_rel_gap = settings_.mip_rel_gap;
  s.time_limit = settings_.time_limit;
  SolveResult r = solve_mip(autoscale_mip(settings_, planned, rates, decision_.instances), s);
  // Holding counts that no longer fit the budget or capacity (counts from before a settings
  // change, or clamped): decide without holding.
  if (r.status == SolveStatus::Infeasible)
    r = solve_mip(autoscale_mip(settings_, planned, rates, decision_.instances, false), s);
  STREAMML_CHECK(r.has_solution(), Runtime, "autoscale: CBC found no instance counts: " << r.message);
  std::vector<std::int64_t> counts(std::size_t(settings_.services));
  for (std::size_t j = 0; j < counts.size(); ++j) counts[j] = std::int64_t(std::llround(r.x[Eigen::Index(j)]));
  decision_.mip_gap = r.gap;
  decision_.nodes = r.nodes;
  return counts;
}

const AutoscaleDecision& Autoscaler::decide(const Eigen::Ref<const Eigen::VectorXd>& arrivals,
                                            const Eigen::Ref<const Eigen::VectorXd>& rates) {
  const std::int64_t J = settings_.services, W = settings_.stabilization_window;
  check_per_service(arrivals, J, "arrivals", true);
  check_per_service(rates, J, "processing rate", false);
  history_.row(filled_ % W) = arrivals.transpose();
  ++filled_;
  const Eigen::Index used = Eigen::Index(std::min(filled_, W));
  const Eigen::VectorXd planned = history_.topRows(used).colwise().maxCoeff().transpose();

  const bool mip = settings_.mode == AutoscaleMode::Mip || (settings_.mode == AutoscaleMode::Auto && settings_.coupled());
  std::vector<std::int64_t> counts;
  decision_.mip_gap = 0;
  decision_.nodes = 0;
  if (mip) {
    counts = mip_counts(planned, rates);
  } else {
    counts = decision_.instances;
    for (std::int64_t j = 0; j < J; ++j) {
      if (rates[j] <= 0) continue;
      const std::int64_t now = counts[std::size_t(j)];
      const std::int64_t target = clamp_count(ds2_instances(planned[j], rates[j], settings_.target_utilization), settings_);
      counts[std::size_t(j)] = target < now && hold_count(settings_, planned[j], rates[j], now) ? now : target;
    }
  }
  decision_.started = decision_.stopped = decision_.reversals = 0;
  for (std::size_t j = 0; j < counts.size(); ++j) {
    const std::int64_t change = counts[j] - decision_.instances[j];
    if (change == 0) continue;
    (change > 0 ? decision_.started : decision_.stopped) += std::abs(change);
    const std::int64_t direction = change > 0 ? 1 : -1;
    decision_.reversals += direction_[j] != 0 && direction_[j] != direction;
    direction_[j] = direction;
  }
  scale_events_ += decision_.started + decision_.stopped;
  decision_.instances = std::move(counts);
  decision_.planned = planned;
  decision_.mip = mip;
  ++batches_;
  return decision_;
}

void Autoscaler::observe(const std::vector<std::int64_t>& services, const std::vector<double>& arrivals,
                         const std::vector<double>& rates) {
  STREAMML_CHECK(services.size() == arrivals.size() && services.size() == rates.size(), InvalidInput,
                 "autoscale: " << services.size() << " services, " << arrivals.size() << " arrival rates and "
                               << rates.size() << " processing rates");
  for (std::size_t r = 0; r < services.size(); ++r) {
    STREAMML_CHECK(services[r] >= 0 && services[r] < settings_.services, InvalidInput,
                   "autoscale: observation " << r << " is of service " << services[r] << ", expected 0 .. "
                                             << settings_.services - 1);
    STREAMML_CHECK(std::isfinite(arrivals[r]) && arrivals[r] >= 0 && std::isfinite(rates[r]) && rates[r] >= 0,
                   InvalidInput,
                   "autoscale: observation " << r << " has arrivals " << arrivals[r] << " and processing rate "
                                             << rates[r] << ", expected finite rates >= 0");
  }
  // The processing rate: the mean of this call's observations per service, in record order.
  Eigen::VectorXd sum = Eigen::VectorXd::Zero(settings_.services);
  std::vector<std::int64_t> count(std::size_t(settings_.services), 0);
  for (std::size_t r = 0; r < services.size(); ++r) {
    forecast_.observe(services[r], arrivals[r]);
    sum[services[r]] += rates[r];
    ++count[std::size_t(services[r])];
  }
  for (std::int64_t j = 0; j < settings_.services; ++j)
    if (count[std::size_t(j)] > 0 && sum[j] > 0) rates_[j] = sum[j] / double(count[std::size_t(j)]);
}

std::string Autoscaler::params_json() const { return settings_table().to_json(settings_); }

void Autoscaler::partial_fit(const Batch& batch) {
  const std::vector<std::int64_t> services = record_services(batch, settings_.services, kType);
  observe(services, record_rates(batch, settings_.arrival_feature, kType, "arrival rate"),
          record_rates(batch, settings_.rate_feature, kType, "processing rate"));
  decide(forecast_.forecast(), rates_);
}

Eigen::VectorXd Autoscaler::score(const Batch& batch) const {
  const std::vector<std::int64_t> services = record_services(batch, settings_.services, kType);
  const std::vector<double> arrivals = record_rates(batch, settings_.arrival_feature, kType, "arrival rate");
  const std::vector<double> rates = record_rates(batch, settings_.rate_feature, kType, "processing rate");
  Eigen::VectorXd out(Eigen::Index(services.size()));
  for (std::size_t r = 0; r < services.size(); ++r)
    out[Eigen::Index(r)] =
        std::max(0.0, arrivals[r] - rates[r] * double(decision_.instances[std::size_t(services[r])]));
  return out;
}

void Autoscaler::write_summary(JsonWriter& out) const {
  std::int64_t total = 0;
  for (auto n : decision_.instances) total += n;
  out.key("batches").value(batches_);
  out.key("services").value(settings_.services);
  out.key("instances").value(total);
  out.key("scale_events").value(scale_events_);
  out.key("mip").value(decision_.mip);
  out.key("mip_gap").value(decision_.mip_gap);
}

std::string Autoscaler::metrics_json() const {
  JsonWriter w;
  w.begin_object();  // write_summary writes members (the Learner contract)
  write_summary(w);
  w.end_object();
  return w.str();
}

std::vector<OutputColumn> Autoscaler::output_columns(const Batch& batch) const {
  const std::vector<std::int64_t> services = record_services(batch, settings_.services, kType);
  std::vector<std::int64_t> instances(services.size());
  std::vector<double> planned(services.size());
  for (std::size_t r = 0; r < services.size(); ++r) {
    instances[r] = decision_.instances[std::size_t(services[r])];
    planned[r] = decision_.planned[services[r]];
  }
  return {{"instances", std::move(instances)}, {"planned_arrivals", std::move(planned)}};
}

DecisionFigures Autoscaler::decision_figures() const {
  DecisionFigures f;
  for (std::int64_t j = 0; j < settings_.services; ++j) f.cost += settings_.cost(j) * double(decision_.instances[std::size_t(j)]);
  f.changed = double(decision_.started + decision_.stopped);
  f.cost += settings_.scale_change_cost * f.changed;
  f.reversals = decision_.reversals;
  return f;
}

void Autoscaler::save_state(StateWriter& out) const {
  out.write_int("state_version", kStateVersion);
  out.write_int("batches_seen", batches_);
  out.write_int("scale_events", scale_events_);
  StateWriter f = out.group("forecast");
  forecast_.save(f);
  out.write_vector("processing_rates", rates_);
  out.write_matrix("forecast_window", history_);
  out.write_int("forecasts_in_window", filled_);
  out.write_ints("instances", decision_.instances);
  out.write_vector("planned", decision_.planned);
  out.write_bool("mip", decision_.mip);
  out.write_double("mip_gap", decision_.mip_gap);
  out.write_int("nodes", decision_.nodes);
  out.write_int("started", decision_.started);
  out.write_int("stopped", decision_.stopped);
  out.write_int("reversals", decision_.reversals);
  out.write_ints("last_direction", direction_);
}

void Autoscaler::load_state(const std::string& params, const StateReader& in) {
  Autoscaler fresh(settings_table().from_json(params));
  const std::int64_t version = in.read_int("state_version");
  STREAMML_CHECK(version == 1 || version == kStateVersion, InvalidInput,
                 in.where("state_version") << " is " << version << ", this streamml reads versions 1 to "
                                           << kStateVersion);
  const std::int64_t J = fresh.settings_.services, W = fresh.settings_.stabilization_window;
  fresh.batches_ = in.read_int("batches_seen");
  fresh.scale_events_ = in.read_int("scale_events");
  fresh.forecast_.load(in.group("forecast"));
  fresh.rates_ = in.read_vector("processing_rates", J);
  fresh.history_ = in.read_matrix("forecast_window", W, J);
  fresh.filled_ = in.read_int("forecasts_in_window");
  AutoscaleDecision& d = fresh.decision_;
  d.instances = in.read_ints("instances", J);
  d.planned = in.read_vector("planned", J);
  d.mip = in.read_bool("mip");
  d.mip_gap = in.read_double("mip_gap");
  d.nodes = in.read_int("nodes");
  d.started = in.read_int("started");
  d.stopped = in.read_int("stopped");
  if (version >= 2) {  // layout 1 knew no directions: fresh ones (zeros) stand
    d.reversals = in.read_int("reversals");
    fresh.direction_ = in.read_ints("last_direction", J);
    for (std::int64_t j = 0; j < J; ++j)
      STREAMML_CHECK(std::abs(fresh.direction_[std::size_t(j)]) <= 1, InvalidInput,
                     in.where("last_direction") << "[" << j << "] is " << fresh.direction_[std::size_t(j)]
                                                << ", expected -1, 0 or 1");
  }
  STREAMML_CHECK(fresh.batches_ >= 0 && fresh.filled_ >= 0 && fresh.scale_events_ >= 0, InvalidInput,
                 in.where("batches_seen") << ": counters must be >= 0");
  for (std::int64_t j = 0; j < J; ++j) {
    STREAMML_CHECK(d.instances[std::size_t(j)] >= 0, InvalidInput,
                   in.where("instances") << "[" << j << "] is " << d.instances[std::size_t(j)]);
    STREAMML_CHECK(std::isfinite(fresh.rates_[j]) && fresh.rates_[j] >= 0, InvalidInput,
                   in.where("processing_rates") << "[" << j << "] is " << fresh.rates_[j]);
  }
  STREAMML_CHECK(fresh.history_.allFinite() && d.planned.allFinite(), InvalidInput,
                 in.where("forecast_window") << " or " << in.where("planned") << " holds a value that is not finite");
  *this = std::move(fresh);
}

}  // namespace streamml
