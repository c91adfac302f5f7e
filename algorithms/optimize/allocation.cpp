#include "algorithms/optimize/allocation.h"

#include <cmath>
#include <cstdio>
#include <limits>

#include "algorithms/optimize/service_records.h"
#include "core/error.h"
#include "core/json.h"
#include "core/state_io.h"

namespace streamml {

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

// The bounds that change from batch to batch (allocation.h): rows' right-hand sides and the
// upper bounds of the m columns.
struct Bounds {
  Eigen::VectorXd row_lower, row_upper, col_lower, col_upper;
};

// The two forms (allocation.h): in moves when move_cost > 0, else in the allocation itself.
bool in_moves(const AllocationSettings& s) { return s.move_cost > 0; }
Eigen::Index columns(const AllocationSettings& s) {
  const Eigen::Index IJ = s.servers() * s.services;
  return (in_moves(s) ? 2 * IJ : IJ) + s.services;
}

Bounds bounds_for(const AllocationSettings& s, const RowMatrix& previous, const Eigen::Ref<const Eigen::VectorXd>& demand) {
  const Eigen::Index I = s.servers(), J = s.services, IJ = I * J;
  const bool moves = in_moves(s);
  Bounds b;
  b.row_lower.resize(I + J);
  b.row_upper.resize(I + J);
  for (Eigen::Index i = 0; i < I; ++i) {
    b.row_lower[i] = -kInf;
    b.row_upper[i] = s.capacity[std::size_t(i)] - (moves ? previous.row(i).sum() : 0.0);
  }
  for (Eigen::Index j = 0; j < J; ++j) {
    b.row_lower[I + j] = demand[j] - (moves ? previous.col(j).sum() : 0.0);
    b.row_upper[I + j] = kInf;
  }
  b.col_lower = Eigen::VectorXd::Zero(columns(s));
  b.col_upper = Eigen::VectorXd::Constant(columns(s), kInf);
  if (moves)
    for (Eigen::Index i = 0; i < I; ++i)
      for (Eigen::Index j = 0; j < J; ++j) b.col_upper[IJ + i * J + j] = previous(i, j);
  return b;
}

void check_demand(const Eigen::Ref<const Eigen::VectorXd>& demand, std::int64_t services) {
  STREAMML_CHECK(demand.size() == services, InvalidInput,
                 "allocate: demand has " << demand.size() << " entries, there are " << services << " services");
  for (Eigen::Index j = 0; j < demand.size(); ++j)
    STREAMML_CHECK(std::isfinite(demand[j]) && demand[j] >= 0, InvalidInput,
                   "allocate: demand of service " << j << " is " << demand[j] << ", expected a finite rate >= 0");
}

}  // namespace

const SettingsTable<AllocationSettings>& Allocator::settings_table() {
  static const auto t = add_forecast_settings(
      SettingsTable<AllocationSettings>(kType)
          .reals("capacity", &AllocationSettings::capacity, "each server's capacity, requests/s (one per server)")
          .rows("cost", &AllocationSettings::cost, &AllocationSettings::services,
                "cost per request/s of service j on server i: one row per server, one column per service")
          .integer("services", &AllocationSettings::services, "services (the cost rows' length)", Range::at_least(0))
          .real("unmet_penalty", &AllocationSettings::unmet_penalty, "cost per request/s of demand left unserved",
                Range::non_negative())
          .real("move_cost", &AllocationSettings::move_cost, "cost per request/s moved between batches",
                Range::non_negative())
          .real("headroom", &AllocationSettings::headroom, "plan for forecast * (1 + headroom)", Range::non_negative())
          .integer("rate_feature", &AllocationSettings::rate_feature, "dense feature holding the request rate",
                   Range::at_least(0)));
  return t;
}

void AllocationSettings::validate() const {
  Allocator::settings_table().validate(*this);
  if (capacity.empty()) settings_error("allocate", "capacity is empty: give each server's capacity, e.g. capacity=100,80");
  if (services < 1) settings_error("allocate", "cost is empty: give a row of costs per server, e.g. cost=1,2;2,1");
  if (std::int64_t(cost.size()) != servers() * services)
    settings_error("allocate", "cost has " + std::to_string(cost.size()) + " entries, expected " +
                                   std::to_string(servers()) + " servers x " + std::to_string(services) + " services");
  for (std::size_t i = 0; i < capacity.size(); ++i)
    if (!(capacity[i] >= 0)) settings_error("allocate", "capacity of server " + std::to_string(i) + " must be >= 0");
  for (std::size_t k = 0; k < cost.size(); ++k)
    if (!(cost[k] >= 0))
      settings_error("allocate", "cost of server " + std::to_string(std::int64_t(k) / services) + ", service " +
                                     std::to_string(std::int64_t(k) % services) + " must be >= 0");
}

LpModel allocation_lp(const AllocationSettings& s, const RowMatrix& previous,
                      const Eigen::Ref<const Eigen::VectorXd>& demand) {
  s.validate();
  const Eigen::Index I = s.servers(), J = s.services, IJ = I * J;
  STREAMML_CHECK(previous.rows() == I && previous.cols() == J, InvalidInput,
                 "allocate: previous allocation is " << previous.rows() << " x " << previous.cols() << ", expected "
                                                     << I << " x " << J);
  check_demand(demand, J);
  LpModel m;
  m.name = "allocation";
  const bool moves = in_moves(s);
  const Eigen::Index n = columns(s), unmet = n - J;
  std::vector<Eigen::Triplet<double, int>> entries;
  entries.reserve(std::size_t((moves ? 4 : 2) * IJ + J));
  m.objective.resize(n);
  double offset = 0;
  for (Eigen::Index i = 0; i < I; ++i)
    for (Eigen::Index j = 0; j < J; ++j) {
      const int p = int(i * J + j), q = int(IJ + i * J + j);
      const double c = s.cost[std::size_t(i * J + j)];
      entries.emplace_back(int(i), p, 1.0);
      entries.emplace_back(int(I + j), p, 1.0);
      m.objective[p] = c + s.move_cost;
      if (!moves) continue;
      entries.emplace_back(int(i), q, -1.0);
      entries.emplace_back(int(I + j), q, -1.0);
      m.objective[q] = s.move_cost - c;
      offset += c * previous(i, j);
    }
  for (Eigen::Index j = 0; j < J; ++j) {
    entries.emplace_back(int(I + j), int(unmet + j), 1.0);
    m.objective[unmet + j] = s.unmet_penalty;
  }
  m.A.resize(I + J, n);
  m.A.setFromTriplets(entries.begin(), entries.end());
  m.objective_offset = offset;
  Bounds b = bounds_for(s, previous, demand);
  m.row_lower = std::move(b.row_lower);
  m.row_upper = std::move(b.row_upper);
  m.col_lower = std::move(b.col_lower);
  m.col_upper = std::move(b.col_upper);
  return m;
}

Allocator::Allocator(AllocationSettings settings) : settings_(std::move(settings)) {
  settings_.validate();
  forecast_ = DemandForecast(settings_, settings_.services);
  decision_.x = RowMatrix::Zero(settings_.servers(), settings_.services);
  decision_.unmet = Eigen::VectorXd::Zero(settings_.services);
  decision_.demand = Eigen::VectorXd::Zero(settings_.services);
}

const AllocationDecision& Allocator::decide(const Eigen::Ref<const Eigen::VectorXd>& demand) {
  check_demand(demand, settings_.services);
  const RowMatrix previous = decision_.x;
  if (!lp_.model().cols()) {
    lp_ = LPSolver(allocation_lp(settings_, previous, demand));
  } else {
    const Bounds b = bounds_for(settings_, previous, demand);
    lp_.set_row_bounds(b.row_lower, b.row_upper);
    lp_.set_col_bounds(b.col_lower, b.col_upper);
  }
  const SolveResult& r = lp_.solve();
  // Never other than optimal (allocation.h); anything else is a solver failure.
  STREAMML_CHECK(r.status == SolveStatus::Optimal, Runtime, "allocate: the allocation LP was not solved: " << r.message);
  const Eigen::Index I = settings_.servers(), J = settings_.services, IJ = I * J;
  AllocationDecision d;
  d.x.resize(I, J);
  d.moved = 0;
  d.serving_cost = 0;
  const bool moves = in_moves(settings_);
  for (Eigen::Index i = 0; i < I; ++i)
    for (Eigen::Index j = 0; j < J; ++j) {
      const double p = r.x[i * J + j];
      d.x(i, j) = moves ? std::max(0.0, previous(i, j) + p - r.x[IJ + i * J + j]) : std::max(0.0, p);
      d.moved += std::abs(d.x(i, j) - previous(i, j));
      d.serving_cost += settings_.cost[std::size_t(i * J + j)] * d.x(i, j);
    }
  d.unmet = r.x.tail(J);
  d.demand = demand;
  d.objective = d.serving_cost + settings_.unmet_penalty * d.unmet.sum() + settings_.move_cost * d.moved;
  d.iterations = r.iterations;
  d.warm = lp_.last_solve_warm();
  decision_ = std::move(d);
  ++batches_;
  return decision_;
}

void Allocator::observe(const std::vector<std::int64_t>& services, const std::vector<double>& rates) {
  STREAMML_CHECK(services.size() == rates.size(), InvalidInput,
                 "allocate: " << services.size() << " services for " << rates.size() << " rates");
  for (std::size_t r = 0; r < rates.size(); ++r) {
    STREAMML_CHECK(services[r] >= 0 && services[r] < settings_.services, InvalidInput,
                   "allocate: observation " << r << " is of service " << services[r] << ", expected 0 .. "
                                            << settings_.services - 1);
    STREAMML_CHECK(std::isfinite(rates[r]) && rates[r] >= 0, InvalidInput,
                   "allocate: observation " << r << " has rate " << rates[r] << ", expected a finite rate >= 0");
  }
  for (std::size_t r = 0; r < rates.size(); ++r) forecast_.observe(services[r], rates[r]);
}

Eigen::VectorXd Allocator::planned_demand() const { return forecast_.forecast() * (1.0 + settings_.headroom); }

Eigen::VectorXd Allocator::served() const { return decision_.x.colwise().sum().transpose(); }

std::string Allocator::params_json() const { return settings_table().to_json(settings_); }

void Allocator::partial_fit(const Batch& batch) {
  const std::vector<std::int64_t> services = record_services(batch, settings_.services, kType);
  const std::vector<double> rates = record_rates(batch, settings_.rate_feature, kType, "request rate");
  observe(services, rates);
  decide(planned_demand());
}

Eigen::VectorXd Allocator::score(const Batch& batch) const {
  const std::vector<std::int64_t> services = record_services(batch, settings_.services, kType);
  const std::vector<double> rates = record_rates(batch, settings_.rate_feature, kType, "request rate");
  const Eigen::VectorXd served_now = served();
  Eigen::VectorXd out(Eigen::Index(rates.size()));
  for (std::size_t r = 0; r < rates.size(); ++r) out[Eigen::Index(r)] = std::max(0.0, rates[r] - served_now[services[r]]);
  return out;
}

void Allocator::write_summary(JsonWriter& out) const {
  out.key("batches").value(batches_);
  out.key("servers").value(settings_.servers());
  out.key("services").value(settings_.services);
  out.key("objective").value(decision_.objective);
  out.key("serving_cost").value(decision_.serving_cost);
  out.key("unmet").value(decision_.unmet.sum());
  out.key("moved").value(decision_.moved);
  out.key("iterations").value(decision_.iterations);
  out.key("warm").value(decision_.warm);
}

std::string Allocator::metrics_json() const {
  JsonWriter w;
  w.begin_object();  // write_summary writes members (the Learner contract)
  write_summary(w);
  w.end_object();
  return w.str();
}

std::vector<OutputColumn> Allocator::output_columns(const Batch& batch) const {
  const std::vector<std::int64_t> services = record_services(batch, settings_.services, kType);
  const Eigen::VectorXd served_now = served();
  std::vector<double> served_col(services.size()), unmet(services.size());
  std::vector<std::string> placement(services.size());
  char part[64];
  for (std::size_t r = 0; r < services.size(); ++r) {
    const Eigen::Index j = services[r];
    served_col[r] = served_now[j];
    unmet[r] = decision_.unmet[j];
    std::string& text = placement[r];
    for (Eigen::Index i = 0; i < decision_.x.rows(); ++i) {
      if (!(decision_.x(i, j) > 0)) continue;
      std::snprintf(part, sizeof part, "%s%lld:%.10g", text.empty() ? "" : " ", (long long)i, decision_.x(i, j));
      text += part;
    }
  }
  return {{"served", std::move(served_col)}, {"unmet", std::move(unmet)}, {"placement", std::move(placement)}};
}

DecisionFigures Allocator::decision_figures() const {
  DecisionFigures f;
  f.cost = decision_.objective;
  f.changed = decision_.moved;
  return f;
}

void Allocator::save_state(StateWriter& out) const {
  out.write_int("state_version", kStateVersion);
  out.write_int("batches_seen", batches_);
  StateWriter f = out.group("forecast");
  forecast_.save(f);
  out.write_matrix("allocation", decision_.x);
  out.write_vector("unmet", decision_.unmet);
  out.write_vector("demand", decision_.demand);
  out.write_double("serving_cost", decision_.serving_cost);
  out.write_double("moved", decision_.moved);
  out.write_double("objective", decision_.objective);
  out.write_int("iterations", decision_.iterations);
  out.write_bool("warm", decision_.warm);
  StateWriter lp = out.group("lp");
  lp_.save_state(lp);
}

void Allocator::load_state(const std::string& params, const StateReader& in) {
  Allocator fresh(settings_table().from_json(params));
  const std::int64_t version = in.read_int("state_version");
  STREAMML_CHECK(version == kStateVersion, InvalidInput,
                 in.where("state_version") << " is " << version << ", this streamml reads version " << kStateVersion);
  const Eigen::Index I = fresh.settings_.servers(), J = fresh.settings_.services;
  fresh.batches_ = in.read_int("batches_seen");
  STREAMML_CHECK(fresh.batches_ >= 0, InvalidInput, in.where("batches_seen") << " is " << fresh.batches_);
  fresh.forecast_.load(in.group("forecast"));
  AllocationDecision& d = fresh.decision_;
  d.x = in.read_matrix("allocation", I, J);
  d.unmet = in.read_vector("unmet", J);
  d.demand = in.read_vector("demand", J);
  d.serving_cost = in.read_double("serving_cost");
  d.moved = in.read_double("moved");
  d.objective = in.read_double("objective");
  d.iterations = in.read_int("iterations");
  d.warm = in.read_bool("warm");
  for (Eigen::Index i = 0; i < I; ++i)
    for (Eigen::Index j = 0; j < J; ++j)
      STREAMML_CHECK(std::isfinite(d.x(i, j)) && d.x(i, j) >= 0, InvalidInput,
                     in.where("allocation") << "(" << i << ", " << j << ") is " << d.x(i, j));
  STREAMML_CHECK(d.unmet.allFinite() && d.demand.allFinite(), InvalidInput,
                 in.where("unmet") << " or " << in.where("demand") << " holds a value that is not finite");
  const StateReader lp = in.group("lp");
  fresh.lp_.load_state(LPSolver().params_json(), lp);
  if (fresh.batches_ > 0) {
    STREAMML_CHECK(fresh.lp_.model().rows() == I + J && fresh.lp_.model().cols() == columns(fresh.settings_),
                   InvalidInput,
                   in.where("lp") << " holds a " << fresh.lp_.model().rows() << " x " << fresh.lp_.model().cols()
                                  << " LP, this allocation's is " << I + J << " x " << columns(fresh.settings_));
  }
  *this = std::move(fresh);
}

}  // namespace streamml
