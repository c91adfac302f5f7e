#include "algorithms/optimize/retention.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <stdexcept>
#include <string>

#include "algorithms/optimize/lp_model.h"
#include "core/error.h"

namespace streamml {

void RetentionSettings::validate() const {
  STREAMML_CHECK(!offer_cost.empty() && offer_cost.size() == offer_uplift.size(), InvalidInput,
                 "retention: offer_cost and offer_uplift need one value per offer, got " << offer_cost.size() << " and "
                                                                                        << offer_uplift.size());
  STREAMML_CHECK(offer_capacity.empty() || offer_capacity.size() == offer_cost.size(), InvalidInput,
                 "retention: offer_capacity needs one value per offer (" << offer_cost.size() << "), got "
                                                                         << offer_capacity.size());
  for (std::size_t j = 0; j < offer_cost.size(); ++j) {
    STREAMML_CHECK(std::isfinite(offer_cost[j]) && offer_cost[j] >= 0, InvalidInput,
                   "retention: offer_cost[" << j << "] must be a finite number >= 0, got " << offer_cost[j]);
    STREAMML_CHECK(offer_uplift[j] >= 0 && offer_uplift[j] <= 1, InvalidInput,
                   "retention: offer_uplift[" << j << "] must be in [0, 1], got " << offer_uplift[j]);
    STREAMML_CHECK(offer_capacity.empty() || (std::isfinite(offer_capacity[j]) && offer_capacity[j] >= 0),
                   InvalidInput, "retention: offer_capacity[" << j << "] must be >= 0, got " << offer_capacity[j]);
  }
  STREAMML_CHECK(std::isfinite(budget) && budget >= 0, InvalidInput, "retention: budget must be >= 0, got " << budget);
  STREAMML_CHECK(candidates >= 1, InvalidInput, "retention: candidates must be >= 1, got " << candidates);
  STREAMML_CHECK(std::isfinite(max_idle_days) && max_idle_days >= 0, InvalidInput,
                 "retention: max_idle_days must be a finite number >= 0 (0: no limit), got " << max_idle_days);
}

namespace {

double number_of(const std::string& key, const std::string& text) {
  std::size_t used = 0;
  double v = 0;
  try {
    v = std::stod(text, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  STREAMML_CHECK(!text.empty() && used == text.size(), InvalidInput, "retention: " << key << " must be a number, got '" << text << "'");
  return v;
}

std::vector<double> numbers_of(const std::string& key, const std::string& text) {
  std::vector<double> out;
  std::size_t start = 0;
  while (true) {
    const std::size_t comma = text.find(',', start);
    out.push_back(number_of(key, text.substr(start, comma == std::string::npos ? std::string::npos : comma - start)));
    if (comma == std::string::npos) return out;
    start = comma + 1;
  }
}

}  // namespace

void RetentionSettings::set(const std::string& key, const std::string& value) {
  if (key == "budget") {
    budget = number_of(key, value);
  } else if (key == "candidates") {
    const double c = number_of(key, value);
    STREAMML_CHECK(c == std::floor(c) && std::abs(c) < 1e15, InvalidInput, "retention: candidates must be an integer, got '" << value << "'");
    candidates = std::int64_t(c);
  } else if (key == "max_idle_days") {
    max_idle_days = number_of(key, value);
  } else if (key == "relax") {
    STREAMML_CHECK(value == "true" || value == "false", InvalidInput, "retention: relax must be true or false, got '" << value << "'");
    relax = value == "true";
  } else if (key == "offer_cost") {
    offer_cost = numbers_of(key, value);
  } else if (key == "offer_uplift") {
    offer_uplift = numbers_of(key, value);
  } else if (key == "offer_capacity") {
    offer_capacity = value.empty() ? std::vector<double>{} : numbers_of(key, value);
  } else {
    STREAMML_FAIL(InvalidInput, "retention has no setting '" << key
                                                             << "'; known: budget, candidates, max_idle_days, offer_capacity, offer_cost, "
                                                                "offer_uplift, relax");
  }
}

RetentionPlan plan_retention(const std::vector<double>& risk, const std::vector<double>& value,
                             const RetentionSettings& s) {
  return plan_retention(risk, value, {}, s);
}

RetentionPlan plan_retention(const std::vector<double>& risk, const std::vector<double>& value,
                             const std::vector<double>& idle_days, const RetentionSettings& s) {
  s.validate();
  STREAMML_CHECK(risk.size() == value.size(), InvalidInput,
                 "retention: " << risk.size() << " risks but " << value.size() << " values");
  STREAMML_CHECK(s.max_idle_days == 0 || idle_days.size() == risk.size(), InvalidInput,
                 "retention: max_idle_days " << s.max_idle_days << " needs each customer's days since the last purchase, got "
                                             << idle_days.size() << " for " << risk.size() << " customers");
  for (std::size_t i = 0; i < value.size(); ++i)
    STREAMML_CHECK(std::isfinite(value[i]) && value[i] >= 0, InvalidInput,
                   "retention: value of customer " << i << " must be a finite number >= 0, got " << value[i]);
  // The riskiest candidates, ties by index.
  std::vector<std::size_t> order;
  for (std::size_t i = 0; i < risk.size(); ++i)
    if (!std::isnan(risk[i]) && (s.max_idle_days == 0 || idle_days[i] <= s.max_idle_days)) order.push_back(i);
  const std::size_t n = std::min(order.size(), std::size_t(s.candidates));
  std::partial_sort(order.begin(), order.begin() + std::ptrdiff_t(n), order.end(),
                    [&](std::size_t a, std::size_t b) { return risk[a] != risk[b] ? risk[a] > risk[b] : a < b; });
  order.resize(n);
  // Columns: the pairs worth making.
  struct Pair {
    std::size_t row;  // position in order
    std::size_t offer;
    double saved;
  };
  std::vector<Pair> pairs;
  for (std::size_t r = 0; r < n; ++r)
    for (std::size_t j = 0; j < s.offer_cost.size(); ++j) {
      const double saved = risk[order[r]] * s.offer_uplift[j] * value[order[r]];
      if (saved - s.offer_cost[j] > 0) pairs.push_back({r, j, saved});
    }
  RetentionPlan plan;
  if (pairs.empty()) return plan;
  const std::size_t J = s.offer_cost.size();
  const Eigen::Index rows = Eigen::Index(n + 1 + J), cols = Eigen::Index(pairs.size());
  LpModel m;
  m.name = "retention";
  std::vector<Eigen::Triplet<double, int>> t;
  m.objective.resize(cols);
  for (Eigen::Index k = 0; k < cols; ++k) {
    const Pair& p = pairs[std::size_t(k)];
    m.objective[k] = -(p.saved - s.offer_cost[p.offer]);  // minimised
    t.emplace_back(int(p.row), int(k), 1.0);
    t.emplace_back(int(n), int(k), s.offer_cost[p.offer]);
    t.emplace_back(int(n + 1 + p.offer), int(k), 1.0);
  }
  m.A.resize(rows, cols);
  m.A.setFromTriplets(t.begin(), t.end());
  m.col_lower = Eigen::VectorXd::Zero(cols);
  m.col_upper = Eigen::VectorXd::Ones(cols);
  m.row_lower = Eigen::VectorXd::Constant(rows, -std::numeric_limits<double>::infinity());
  m.row_upper = Eigen::VectorXd::Ones(rows);
  m.row_upper[Eigen::Index(n)] = s.budget;
  for (std::size_t j = 0; j < J; ++j)
    m.row_upper[Eigen::Index(n + 1 + j)] = !s.offer_capacity.empty() && s.offer_capacity[j] > 0
                                               ? s.offer_capacity[j]
                                               : std::numeric_limits<double>::infinity();
  if (!s.relax) m.integrality.assign(std::size_t(cols), 1);
  const SolveResult r = solve(m);
  plan.status = r.status;
  plan.mip_gap = r.mip ? r.gap : 0.0;
  if (r.x.size() != cols) return plan;
  for (Eigen::Index k = 0; k < cols; ++k) {
    const double x = r.x[k];
    if (x <= 1e-9) continue;
    const Pair& p = pairs[std::size_t(k)];
    const double share = s.relax ? x : std::round(x);
    if (share <= 0) continue;
    plan.customers.push_back(order[p.row]);
    plan.offers.push_back(std::int64_t(p.offer));
    plan.shares.push_back(share);
    plan.expected_saved += share * p.saved;
    plan.spent += share * s.offer_cost[p.offer];
  }
  return plan;
}

}  // namespace streamml
