#include "streaming/stages/seasonal_anomaly_stage.h"

#include <algorithm>
#include <cmath>

#include "core/error.h"
#include "core/json.h"
#include "core/state_io.h"

namespace streamml {

void SeasonalAnomalySettings::validate() const {
  STREAMML_CHECK(period_seconds > 0 && std::isfinite(period_seconds), InvalidInput,
                 "seasonal anomaly: period_seconds must be > 0, got " << period_seconds);
  STREAMML_CHECK(slot_seconds > 0 && slot_seconds <= period_seconds, InvalidInput,
                 "seasonal anomaly: slot_seconds must be in (0, period_seconds = " << period_seconds << "], got "
                                                                                  << slot_seconds);
  STREAMML_CHECK(history >= 1 && history <= 1000, InvalidInput,
                 "seasonal anomaly: history must be in [1, 1000], got " << history);
}

std::int64_t SeasonalAnomalySettings::slots() const {
  return std::int64_t(std::ceil(period_seconds / slot_seconds - 1e-9));
}

SeasonalAnomalyStage::SeasonalAnomalyStage(std::string name, SeasonalAnomalySettings settings,
                                           std::shared_ptr<Learner> clusterer)
    : name_(std::move(name)), settings_(settings), clusterer_(std::move(clusterer)) {
  settings_.validate();
  STREAMML_CHECK(clusterer_ != nullptr, InvalidInput, "stage '" << name_ << "' needs a clusterer, got null");
  STREAMML_CHECK(clusterer_->role() == LearnerRole::Clusterer, InvalidInput,
                 "stage '" << name_ << "' needs a clusterer (noise labelled -1), got a '" << clusterer_->type() << "'");
}

std::int64_t SeasonalAnomalyStage::slot_of(EventTime t) const {
  const auto period = std::int64_t(std::llround(settings_.period_seconds * 1e6));
  const auto width = std::int64_t(std::llround(settings_.slot_seconds * 1e6));
  const std::int64_t into = ((t % period) + period) % period;
  return std::min(into / width, settings_.slots() - 1);
}

SeasonalAnomalyStage::History& SeasonalAnomalyStage::history_of(const std::string& key, std::size_t features) {
  History& h = history_[key];
  if (h.values.empty()) {
    const auto slots = std::size_t(settings_.slots());
    h.values.assign(slots * std::size_t(settings_.history) * features, 0.0);
    h.filled.assign(slots, 0);
    h.next.assign(slots, 0);
  }
  return h;
}

namespace {

std::string key_text(const KeyColumn& keys, std::size_t row) {
  if (const auto* s = std::get_if<std::vector<std::string>>(&keys)) return (*s)[row];
  return std::to_string(std::get<std::vector<std::int64_t>>(keys)[row]);
}

double median(std::vector<double>& v) {
  const std::size_t mid = v.size() / 2;
  std::nth_element(v.begin(), v.begin() + std::ptrdiff_t(mid), v.end());
  const double upper = v[mid];
  if (v.size() % 2) return upper;
  return 0.5 * (upper + *std::max_element(v.begin(), v.begin() + std::ptrdiff_t(mid)));
}

}  // namespace

void SeasonalAnomalyStage::process(Batch& batch) {
  if (batch.empty()) return;
  STREAMML_CHECK(batch.has_keys() && batch.has_event_times(), InvalidInput,
                 "stage '" << name_ << "' needs a key (the entity, e.g. the service) and event times");
  STREAMML_CHECK(batch.cols > 0, InvalidInput, "stage '" << name_ << "' needs dense features (the rates), got none");
  if (features_ == 0) features_ = batch.cols;
  STREAMML_CHECK(batch.cols == features_, InvalidInput,
                 "stage '" << name_ << "': batch " << batch.index << " has " << batch.cols << " features, expected "
                           << features_);
  const std::size_t d = features_, H = std::size_t(settings_.history);
  // Deviations from the history as it stood before this batch, then the batch joins it.
  Batch deviations;
  deviations.index = batch.index;
  deviations.rows = batch.rows;
  deviations.cols = d;
  deviations.features.assign(batch.rows * d, 0.0);
  deviations.event_times = batch.event_times;
  deviations.interval_start = batch.interval_start;
  deviations.interval_end = batch.interval_end;
  std::vector<double> largest(batch.rows, 0.0), sample;
  for (std::size_t r = 0; r < batch.rows; ++r) {
    History& h = history_of(key_text(batch.keys, r), d);
    const auto slot = std::size_t(slot_of(batch.event_times[r]));
    const auto n = std::size_t(h.filled[slot]);
    for (std::size_t j = 0; j < d && n > 0; ++j) {
      sample.clear();
      for (std::size_t k = 0; k < n; ++k) sample.push_back(h.values[(slot * H + k) * d + j]);
      const double base = median(sample), x = batch.features[r * d + j];
      const double dev = x > 0 && base > 0 ? std::log(x / base) : 0.0;
      deviations.features[r * d + j] = dev;
      largest[r] = std::max(largest[r], std::abs(dev));
    }
  }
  for (std::size_t r = 0; r < batch.rows; ++r) {
    History& h = history_of(key_text(batch.keys, r), d);
    const auto slot = std::size_t(slot_of(batch.event_times[r]));
    const auto at = std::size_t(h.next[slot]);
    std::copy_n(batch.features.begin() + std::ptrdiff_t(r * d), d, h.values.begin() + std::ptrdiff_t((slot * H + at) * d));
    h.next[slot] = std::int64_t((at + 1) % H);
    h.filled[slot] = std::min<std::int64_t>(h.filled[slot] + 1, std::int64_t(H));
  }
  clusterer_->partial_fit(deviations);
  const Eigen::VectorXd labels = clusterer_->score(deviations);
  std::vector<std::int64_t> flags(batch.rows);
  last_anomalies_ = 0;
  for (std::size_t r = 0; r < batch.rows; ++r) {
    flags[r] = std::llround(labels[Eigen::Index(r)]) == -1;
    last_anomalies_ += flags[r];
  }
  anomalies_ += last_anomalies_;
  records_ += std::int64_t(batch.rows);
  batch.add_output(name_ + ".anomaly", std::move(flags));
  batch.add_output(name_ + ".deviation", std::move(largest));
}

void SeasonalAnomalyStage::write_summary(JsonWriter& out) const {
  out.key("learner").value(clusterer_->type());
  out.key("params").raw(clusterer_->params_json());
  out.key("records").value(records_);
  out.key("anomalies").value(anomalies_);
  out.key("keys").value(history_.size());
}

std::string SeasonalAnomalyStage::progress() const {
  return records_ ? "anomalies " + std::to_string(anomalies_) : std::string();
}

void SeasonalAnomalyStage::save_state(StateWriter& out) const {
  clusterer_->save_state(out);
  StateWriter b = out.group("baseline");
  b.write_double("period_seconds", settings_.period_seconds);
  b.write_double("slot_seconds", settings_.slot_seconds);
  b.write_int("history", settings_.history);
  b.write_int("features", std::int64_t(features_));
  b.write_int("records", records_);
  b.write_int("anomalies", anomalies_);
  b.write_int("last_anomalies", last_anomalies_);
  std::vector<std::string> keys;
  std::vector<double> values;
  std::vector<std::int64_t> filled, next;
  for (const auto& [key, h] : history_) {
    keys.push_back(key);
    values.insert(values.end(), h.values.begin(), h.values.end());
    filled.insert(filled.end(), h.filled.begin(), h.filled.end());
    next.insert(next.end(), h.next.begin(), h.next.end());
  }
  b.write_strings("keys", keys);
  b.write_vector("values", values);  // keys x slots x history x features
  b.write_ints("filled", filled);    // keys x slots
  b.write_ints("next", next);        // keys x slots
}

void SeasonalAnomalyStage::load_state(const std::string& params, const StateReader& in) {
  const StateReader b = in.group("baseline");
  STREAMML_CHECK(b.read_double("period_seconds") == settings_.period_seconds &&
                     b.read_double("slot_seconds") == settings_.slot_seconds && b.read_int("history") == settings_.history,
                 InvalidInput,
                 b.where("baseline") << ": the checkpoint's slots (period " << b.read_double("period_seconds") << " s, slot "
                                     << b.read_double("slot_seconds") << " s, history " << b.read_int("history")
                                     << ") differ from the stage's (" << settings_.period_seconds << ", "
                                     << settings_.slot_seconds << ", " << settings_.history << ")");
  const std::int64_t features = b.read_int("features");
  STREAMML_CHECK(features >= 0 && features <= 1'000'000, InvalidInput,
                 b.where("features") << ": expected 0 to 1000000, got " << features);
  const auto keys = b.read_strings("keys");
  const std::int64_t K = std::int64_t(keys.size()), S = settings_.slots();
  const auto values = b.read_std_vector("values", K * S * settings_.history * features);
  const auto filled = b.read_ints("filled", K * S);
  const auto next = b.read_ints("next", K * S);
  std::map<std::string, History> history;
  for (std::int64_t k = 0; k < K; ++k) {
    History& h = history[keys[std::size_t(k)]];
    const std::size_t per = std::size_t(S * settings_.history * features);
    h.values.assign(values.begin() + std::ptrdiff_t(std::size_t(k) * per), values.begin() + std::ptrdiff_t(std::size_t(k + 1) * per));
    h.filled.assign(filled.begin() + k * S, filled.begin() + (k + 1) * S);
    h.next.assign(next.begin() + k * S, next.begin() + (k + 1) * S);
    for (std::int64_t s = 0; s < S; ++s)
      STREAMML_CHECK(h.filled[std::size_t(s)] >= 0 && h.filled[std::size_t(s)] <= settings_.history &&
                         h.next[std::size_t(s)] >= 0 && h.next[std::size_t(s)] < settings_.history,
                     InvalidInput, b.where("filled") << ": key '" << keys[std::size_t(k)] << "' slot " << s
                                                     << " has filled/next outside [0, " << settings_.history << "]");
  }
  const std::int64_t records = b.read_int("records"), anomalies = b.read_int("anomalies");
  const std::int64_t last = b.read_int("last_anomalies");
  clusterer_->load_state(params, in);  // last: it cannot be undone
  features_ = std::size_t(features);
  history_ = std::move(history);
  records_ = records;
  anomalies_ = anomalies;
  last_anomalies_ = last;
}

}  // namespace streamml
