#include "streaming/stages/retention_stage.h"

#include <algorithm>
#include <cstdio>

#include "core/error.h"
#include "core/json.h"

namespace streamml {

bool decides_at(const Batch& batch, EventTime every, const std::string& stage) {
  if (every <= 0) return !batch.empty();  // a quiet batch changes no risk
  STREAMML_CHECK(batch.interval_end != 0 || batch.interval_start != 0, InvalidInput,
                 "stage '" << stage << "' decides every " << every
                           << " us of event time, but batch " << batch.index
                           << " has no event-time interval (cut the stream by --batch-interval)");
  return batch.interval_end % every == 0;
}

RetentionStage::RetentionStage(std::string name, std::shared_ptr<const ChurnModel> churn, RetentionSettings settings,
                               EventTime every)
    : name_(std::move(name)), churn_(std::move(churn)), settings_(std::move(settings)), every_(every) {
  STREAMML_CHECK(churn_ != nullptr, InvalidInput, "stage '" << name_ << "' needs the churn model it follows, got null");
  STREAMML_CHECK(every_ >= 0, InvalidInput, "stage '" << name_ << "': every must be >= 0 us, got " << every_);
  settings_.validate();
}

void RetentionStage::process(Batch& batch) {
  if (!decides_at(batch, every_, name_)) {
    batch.add_output(name_ + ".offer", std::vector<std::int64_t>(batch.rows, -1));
    return;
  }
  plan_ = plan_retention(churn_->risks(), churn_->values(), churn_->idle_days(), settings_);
  customers_ = churn_->customers();
  std::vector<std::int64_t> offer(batch.rows, -1);
  if (batch.has_keys() && !plan_.customers.empty()) {
    std::vector<std::pair<std::string, std::int64_t>> given;  // sorted by customer
    for (std::size_t k = 0; k < plan_.customers.size(); ++k) given.emplace_back(customers_[plan_.customers[k]], plan_.offers[k]);
    std::sort(given.begin(), given.end());
    for (std::size_t i = 0; i < batch.rows; ++i) {
      const std::string id = std::holds_alternative<std::vector<std::string>>(batch.keys)
                                 ? std::get<std::vector<std::string>>(batch.keys)[i]
                                 : std::to_string(std::get<std::vector<std::int64_t>>(batch.keys)[i]);
      const auto it = std::lower_bound(given.begin(), given.end(), std::make_pair(id, std::int64_t{-1}));
      if (it != given.end() && it->first == id) offer[i] = it->second;
    }
  }
  batch.add_output(name_ + ".offer", std::move(offer));
  ResultTable table{name_, {"customer", "offer", "risk", "value", "expected_saved", "cost"}, {}};
  std::vector<std::string> ids;
  std::vector<std::int64_t> offers;
  std::vector<double> risk, value, saved, cost;
  for (std::size_t k = 0; k < plan_.customers.size(); ++k) {
    const std::size_t i = plan_.customers[k];
    const std::size_t j = std::size_t(plan_.offers[k]);
    ids.push_back(customers_[i]);
    offers.push_back(plan_.offers[k]);
    risk.push_back(churn_->risks()[i]);
    value.push_back(churn_->values()[i]);
    saved.push_back(plan_.shares[k] * churn_->risks()[i] * settings_.offer_uplift[j] * churn_->values()[i]);
    cost.push_back(plan_.shares[k] * settings_.offer_cost[j]);
  }
  table.values = {std::move(ids), std::move(offers), std::move(risk), std::move(value), std::move(saved), std::move(cost)};
  batch.add_table(std::move(table));
}

TopRiskStage::TopRiskStage(std::string name, std::shared_ptr<const ChurnModel> churn, std::size_t k, EventTime every)
    : name_(std::move(name)), churn_(std::move(churn)), k_(k), every_(every) {
  STREAMML_CHECK(churn_ != nullptr, InvalidInput, "stage '" << name_ << "' needs the churn model it follows, got null");
  STREAMML_CHECK(k_ >= 1, InvalidInput, "stage '" << name_ << "': k must be >= 1, got 0");
  STREAMML_CHECK(every_ >= 0, InvalidInput, "stage '" << name_ << "': every must be >= 0 us, got " << every_);
}

void TopRiskStage::process(Batch& batch) {
  if (!decides_at(batch, every_, name_)) return;
  std::vector<std::int64_t> rank;
  std::vector<std::string> ids;
  std::vector<double> risk, value, idle;
  const std::vector<double> idle_days = churn_->idle_days();
  for (std::size_t i : churn_->top(k_)) {
    rank.push_back(std::int64_t(rank.size()) + 1);
    ids.push_back(churn_->customers()[i]);
    risk.push_back(churn_->risks()[i]);
    value.push_back(churn_->values()[i]);
    idle.push_back(idle_days[i]);
  }
  batch.add_table({name_,
                   {"rank", "customer", "risk", "value", "idle_days"},
                   {std::move(rank), std::move(ids), std::move(risk), std::move(value), std::move(idle)}});
}

std::vector<std::string> RetentionStage::planned_customers() const {
  std::vector<std::string> ids;
  for (std::size_t i : plan_.customers) ids.push_back(customers_[i]);
  return ids;
}

void RetentionStage::write_summary(JsonWriter& out) const {
  out.key("status").value(status_name(plan_.status));
  out.key("offers").value(std::int64_t(plan_.customers.size()));
  out.key("expected_saved").value(plan_.expected_saved);
  out.key("spent").value(plan_.spent);
  out.key("budget").value(settings_.budget);
  out.key("customers").begin_array();
  for (const auto& id : planned_customers()) out.value(id);
  out.end_array();
  out.key("offer").begin_array();
  for (auto j : plan_.offers) out.value(j);
  out.end_array();
}

std::string RetentionStage::progress() const {
  char buf[128];
  std::snprintf(buf, sizeof buf, "offers %zu  spent %.1f  saved %.1f", plan_.customers.size(), plan_.spent,
                plan_.expected_saved);
  return buf;
}

}  // namespace streamml
