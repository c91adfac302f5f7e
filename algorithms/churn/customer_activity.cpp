#include "algorithms/churn/customer_activity.h"

#include <cmath>

#include "core/error.h"
#include "core/state_io.h"

namespace streamml {

namespace {
constexpr double kMicrosPerDay = 86400.0 * double(kMicrosPerSecond);
double days(EventTime dt) { return double(dt) / kMicrosPerDay; }
double decay(EventTime dt, double half_life_days) { return std::exp2(-days(dt) / half_life_days); }
}  // namespace

const char* const CustomerActivity::kFeatureNames[kFeatures] = {"recency", "freq_short", "freq_long",
                                                                "spend_long", "trend", "tenure"};

void CustomerActivity::observe(const std::string& customer, EventTime time, double amount) {
  auto [it, fresh] = customers_.try_emplace(customer);
  Customer& c = it->second;
  if (fresh) {
    c.first = c.last = time;
  } else {
    STREAMML_CHECK(time >= c.last, InvalidInput,
                   "customer '" << customer << "': a purchase at " << format_event_time(time)
                                << " comes before its last one at " << format_event_time(c.last)
                                << " (purchases must arrive in time order per customer)");
    const EventTime dt = time - c.last;
    const double ds = decay(dt, settings_.short_half_life_days), dl = decay(dt, settings_.long_half_life_days);
    c.n_short *= ds;
    c.n_long *= dl;
    c.spend_long *= dl;
    c.last = time;
  }
  c.purchases += 1;
  c.n_short += 1;
  c.n_long += 1;
  c.spend_long += amount;
}

std::int64_t CustomerActivity::expire(EventTime clock) {
  const double limit = settings_.idle_timeout_days * kMicrosPerDay;
  std::int64_t n = 0;
  for (auto it = customers_.begin(); it != customers_.end();) {
    if (double(clock - it->second.last) > limit) {
      it = customers_.erase(it);
      ++n;
    } else {
      ++it;
    }
  }
  expired_ += n;
  return n;
}

std::vector<std::string> CustomerActivity::customers() const {
  std::vector<std::string> ids;
  ids.reserve(customers_.size());
  for (const auto& [id, c] : customers_) ids.push_back(id);
  return ids;
}

std::vector<double> CustomerActivity::features(EventTime clock) const {
  const double tau_s = settings_.short_half_life_days / std::log(2.0), tau_l = settings_.long_half_life_days / std::log(2.0);
  std::vector<double> out;
  out.reserve(customers_.size() * kFeatures);
  for (const auto& [id, c] : customers_) {
    const EventTime dt = clock > c.last ? clock - c.last : 0;
    const double ns = c.n_short * decay(dt, settings_.short_half_life_days);
    const double dl = decay(dt, settings_.long_half_life_days);
    const double nl = c.n_long * dl, spend = c.spend_long * dl;
    out.push_back(std::log1p(days(dt)));
    out.push_back(std::log1p(ns));
    out.push_back(std::log1p(nl));
    out.push_back(std::log1p(spend / 100.0));
    out.push_back(std::log((ns / tau_s + 0.01) / (nl / tau_l + 0.01)));
    out.push_back(std::log1p(days(clock > c.first ? clock - c.first : 0)));
  }
  return out;
}

std::vector<double> CustomerActivity::spend_per_day(EventTime clock) const {
  const double tau_l = settings_.long_half_life_days / std::log(2.0);
  std::vector<double> out;
  out.reserve(customers_.size());
  for (const auto& [id, c] : customers_)
    out.push_back(c.spend_long * decay(clock > c.last ? clock - c.last : 0, settings_.long_half_life_days) / tau_l);
  return out;
}

void CustomerActivity::save_state(StateWriter& out) const {
  std::vector<std::string> ids;
  std::vector<std::int64_t> ints;  // first, last, purchases per customer
  std::vector<double> sums;        // n_short, n_long, spend_long per customer
  for (const auto& [id, c] : customers_) {
    ids.push_back(id);
    ints.insert(ints.end(), {c.first, c.last, c.purchases});
    sums.insert(sums.end(), {c.n_short, c.n_long, c.spend_long});
  }
  out.write_strings("customers", ids);
  out.write_ints("times_and_counts", ints);
  out.write_vector("decayed_sums", sums);
  out.write_int("expired", expired_);
}

void CustomerActivity::load_state(const StateReader& in) {
  const std::vector<std::string> ids = in.read_strings("customers");
  const std::vector<std::int64_t> ints = in.read_ints("times_and_counts", std::int64_t(ids.size() * 3));
  const std::vector<double> sums = in.read_std_vector("decayed_sums", std::int64_t(ids.size() * 3));
  std::map<std::string, Customer> loaded;
  for (std::size_t i = 0; i < ids.size(); ++i) {
    Customer c{ints[3 * i], ints[3 * i + 1], ints[3 * i + 2], sums[3 * i], sums[3 * i + 1], sums[3 * i + 2]};
    STREAMML_CHECK(c.first <= c.last && c.purchases >= 1 && c.n_short >= 0 && c.n_long >= 0 && c.spend_long >= 0,
                   InvalidInput, in.where("times_and_counts") << ": customer '" << ids[i] << "' has an impossible state");
    STREAMML_CHECK(loaded.emplace(ids[i], c).second, InvalidInput,
                   in.where("customers") << ": customer '" << ids[i] << "' appears twice");
  }
  const std::int64_t expired = in.read_int("expired");
  STREAMML_CHECK(expired >= 0, InvalidInput, in.where("expired") << ": must be >= 0, got " << expired);
  customers_ = std::move(loaded);
  expired_ = expired;
}

}  // namespace streamml
