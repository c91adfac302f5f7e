#include "algorithms/churn/churn_model.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "algorithms/linear/logistic_regression_sgd.h"
#include "algorithms/recommend/als.h"
#include "core/error.h"
#include "core/json.h"
#include "core/state_io.h"

namespace streamml {

namespace {

constexpr double kMicrosPerDay = 86400.0 * double(kMicrosPerSecond);
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

EventTime micros(double days) { return EventTime(std::llround(days * kMicrosPerDay)); }

std::string key_text(const KeyColumn& keys, std::size_t i) {
  if (const auto* s = std::get_if<std::vector<std::string>>(&keys)) return (*s)[i];
  return std::to_string(std::get<std::vector<std::int64_t>>(keys)[i]);
}

AlsSettings taste_settings(const ChurnModelSettings& s) {
  AlsSettings a;
  a.rank = std::max<std::int64_t>(1, s.taste_rank);
  a.implicit_prefs = true;
  a.reg_param = s.taste_reg_param;
  a.alpha = s.taste_alpha;
  a.horizon = s.taste_horizon * 86400.0;
  a.sweep_interval = s.taste_sweep_interval;
  a.seed = s.seed;
  a.allow_negative = false;
  return a;
}

LogisticRegressionSGDSettings model_settings(const ChurnModelSettings& s) {
  LogisticRegressionSGDSettings m;
  m.mode = LogisticMode::Online;
  m.optimizer = OnlineOptimizer::AdaGrad;
  m.fit_intercept = true;
  m.penalty = Penalty::L2;
  m.reg_param = s.reg_param;
  m.step_size = s.step_size;
  m.seed = std::uint64_t(s.seed);
  return m;
}

}  // namespace

const SettingsTable<ChurnModelSettings>& ChurnModel::settings_table() {
  using S = ChurnModelSettings;
  static const auto t =
      SettingsTable<S>(kType)
          .real("idle_timeout", &S::idle_timeout, "days without a purchase after which a customer's state is dropped",
                Range::positive())
          .real("horizon", &S::horizon, "days: a snapshot's label is 1 when no purchase follows within this many days",
                Range::positive())
          .real("silence", &S::silence,
                "days at the end of the horizon without a purchase that make a snapshot's label 1 (<= horizon)",
                Range::positive())
          .real("snapshot_interval", &S::snapshot_interval,
                "days between snapshots of every active customer's features into the delayed-label join",
                Range::positive())
          .integer("max_pending", &S::max_pending,
                   "most snapshots waiting for their label; beyond it new ones are not kept (counted)",
                   Range::at_least(1))
          .real("short_half_life", &S::short_half_life, "days: half-life of the short-term purchase count",
                Range::positive())
          .real("long_half_life", &S::long_half_life, "days: half-life of the long-term purchase count and spend",
                Range::positive())
          .integer("taste_rank", &S::taste_rank,
                   "ALS factors of customer x category tastes added to the features (0: none)", Range::closed(0, 256))
          .real("taste_reg_param", &S::taste_reg_param, "the taste ALS's reg_param", Range::non_negative())
          .real("taste_alpha", &S::taste_alpha, "the taste ALS's alpha (implicit confidence)", Range::non_negative())
          .real("taste_horizon", &S::taste_horizon, "days of purchases the taste ALS keeps", Range::positive())
          .integer("taste_sweep_interval", &S::taste_sweep_interval,
                   "batches between full sweeps of the taste ALS (0: fold-in only)", Range::at_least(0))
          .integer("seed", &S::seed, "the taste ALS's initial factors", Range::non_negative())
          .real("step_size", &S::step_size, "the churn model's AdaGrad step", Range::positive())
          .real("reg_param", &S::reg_param, "the churn model's L2 penalty", Range::non_negative())
          .integer("top_k", &S::top_k, "customers in the top-risk list (decision figures, top())", Range::at_least(1));
  return t;
}

void ChurnModelSettings::validate() const {
  ChurnModel::settings_table().validate(*this);
  if (silence > horizon)
    settings_error(ChurnModel::kType, "silence (" + std::to_string(silence) + ") must be <= horizon (" +
                                          std::to_string(horizon) + ")");
  if (long_half_life < short_half_life)
    settings_error(ChurnModel::kType, "long_half_life (" + std::to_string(long_half_life) +
                                          ") must be >= short_half_life (" + std::to_string(short_half_life) + ")");
}

ChurnModel::ChurnModel(Settings settings)
    : settings_((settings.validate(), settings)),
      activity_({settings.idle_timeout, settings.short_half_life, settings.long_half_life}),
      join_(micros(settings.horizon), micros(settings.silence), settings.max_pending),
      model_(std::make_unique<LogisticRegressionSGD>(model_settings(settings))),
      tastes_(settings.taste_rank > 0 ? std::make_unique<AlternatingLeastSquares>(taste_settings(settings)) : nullptr) {}

ChurnModel::~ChurnModel() = default;
ChurnModel::ChurnModel(ChurnModel&&) noexcept = default;
ChurnModel& ChurnModel::operator=(ChurnModel&&) noexcept = default;

std::string ChurnModel::params_json() const { return settings_table().to_json(settings_); }

std::vector<std::string> ChurnModel::feature_names() const {
  std::vector<std::string> names(std::begin(CustomerActivity::kFeatureNames), std::end(CustomerActivity::kFeatureNames));
  for (std::int64_t j = 0; j < settings_.taste_rank; ++j) names.push_back("taste_" + std::to_string(j));
  return names;
}

void ChurnModel::partial_fit(const Batch& batch) {
  if (batch.empty()) return;
  STREAMML_CHECK(batch.has_keys(), InvalidInput, "churn: purchases need the customer as the key: replay with --key COL");
  STREAMML_CHECK(batch.has_event_times(), InvalidInput, "churn: purchases need their times: replay with --time COL");
  STREAMML_CHECK(batch.cols >= 1, InvalidInput,
                 "churn: the purchase amount is the first feature: replay with --features AMOUNT_COL, got no features");
  const KeyColumn* items = batch.id("item");
  STREAMML_CHECK(settings_.taste_rank == 0 || items != nullptr, InvalidInput,
                 "churn: taste_rank " << settings_.taste_rank
                                      << " needs each purchase's category: replay with --item COL (or taste_rank=0)");
  const std::optional<EventTime> end = batch.event_time_end();
  STREAMML_CHECK(end && *end >= clock_, InvalidInput,
                 "churn: batch " << batch.index << " ends at " << (end ? format_event_time(*end) : "no time")
                                 << ", before the last batch's end " << format_event_time(clock_));
  std::vector<std::string> customers(batch.rows);
  for (std::size_t i = 0; i < batch.rows; ++i) {
    customers[i] = key_text(batch.keys, i);
    const double amount = batch.features[i * batch.cols];
    STREAMML_CHECK(std::isfinite(amount) && amount >= 0, InvalidInput,
                   "churn: record " << i << " of batch " << batch.index << " (customer '" << customers[i]
                                    << "'): the amount must be a finite number >= 0, got " << amount);
  }
  // A batch is checked whole before it changes anything.
  if (tastes_) tastes_->partial_fit(KeyColumn(customers), *items, {}, batch.event_times);  // 2.
  for (std::size_t i = 0; i < batch.rows; ++i) {                                          // 1.
    activity_.observe(customers[i], batch.event_times[i], batch.features[i * batch.cols]);
    join_.purchase(customers[i], batch.event_times[i]);
  }
  clock_ = *end;
  activity_.expire(clock_);
  last_examples_ = join_.mature(clock_);  // 3.
  const MaturedExamples& examples = last_examples_;
  if (examples.rows() > 0) {
    const std::size_t d = examples.features.size() / examples.rows();
    model_->partial_fit(ConstRowMatrixMap(examples.features.data(), Eigen::Index(examples.rows()), Eigen::Index(d)),
                        Eigen::Map<const Eigen::VectorXd>(examples.labels.data(), Eigen::Index(examples.rows())));
    examples_ += std::int64_t(examples.rows());
    for (double y : examples.labels) positives_ += y > 0.5;
  }
  customers_ = activity_.customers();  // 4.
  features_ = activity_.features(clock_);
  values_ = activity_.spend_per_day(clock_);
  for (double& v : values_) v *= settings_.horizon;
  if (tastes_) {
    const std::size_t a = CustomerActivity::kFeatures, r = std::size_t(settings_.taste_rank), d = a + r;
    std::vector<double> wide(customers_.size() * d, 0.0);
    for (std::size_t c = 0; c < customers_.size(); ++c) {
      std::copy_n(features_.begin() + std::ptrdiff_t(c * a), a, wide.begin() + std::ptrdiff_t(c * d));
      const std::int64_t row = tastes_->user_ids().find(customers_[c]);
      if (row >= 0)
        for (std::size_t j = 0; j < r; ++j) wide[c * d + a + j] = tastes_->user_factors()(row, Eigen::Index(j));
    }
    features_ = std::move(wide);
  }
  if (clock_ >= next_snapshot_) {
    join_.snapshot(clock_, customers_, features_);
    next_snapshot_ = clock_ + micros(settings_.snapshot_interval);
  }
  score_customers();  // 5.
  ++batches_;
}

void ChurnModel::score_customers() {
  risks_.assign(customers_.size(), kNaN);
  if (model_->sized() && !customers_.empty()) {
    const std::size_t d = features_.size() / customers_.size();
    const Eigen::VectorXd p =
        model_->predict_proba(ConstRowMatrixMap(features_.data(), Eigen::Index(customers_.size()), Eigen::Index(d)));
    risks_.assign(p.data(), p.data() + p.size());
  }
  DecisionFigures f;
  for (double r : risks_)
    if (!std::isnan(r)) f.cost += r;
  std::vector<std::string> now;
  for (std::size_t i : top(std::size_t(settings_.top_k))) now.push_back(customers_[i]);
  std::sort(now.begin(), now.end());
  std::vector<std::string> fresh;
  std::set_difference(now.begin(), now.end(), last_top_.begin(), last_top_.end(), std::back_inserter(fresh));
  f.changed = double(fresh.size());
  figures_ = f;
  last_top_ = std::move(now);
}

std::vector<double> ChurnModel::idle_days() const {
  std::vector<double> days(customers_.size());
  const std::size_t d = customers_.empty() ? 0 : features_.size() / customers_.size();
  for (std::size_t i = 0; i < days.size(); ++i) days[i] = std::expm1(features_[i * d]);  // recency = log(1 + days)
  return days;
}

std::vector<std::size_t> ChurnModel::top(std::size_t k) const {
  std::vector<std::size_t> order;
  for (std::size_t i = 0; i < risks_.size(); ++i)
    if (!std::isnan(risks_[i])) order.push_back(i);
  const std::size_t n = std::min(k, order.size());
  std::partial_sort(order.begin(), order.begin() + std::ptrdiff_t(n), order.end(), [&](std::size_t a, std::size_t b) {
    return risks_[a] != risks_[b] ? risks_[a] > risks_[b] : a < b;
  });
  order.resize(n);
  return order;
}

Eigen::VectorXd ChurnModel::score(const Batch& batch) const {
  Eigen::VectorXd out = Eigen::VectorXd::Constant(Eigen::Index(batch.rows), kNaN);
  if (!batch.has_keys()) return out;
  for (std::size_t i = 0; i < batch.rows; ++i) {
    const std::string id = key_text(batch.keys, i);
    const auto it = std::lower_bound(customers_.begin(), customers_.end(), id);
    if (it != customers_.end() && *it == id) out[Eigen::Index(i)] = risks_[std::size_t(it - customers_.begin())];
  }
  return out;
}

std::vector<OutputColumn> ChurnModel::output_columns(const Batch& batch) const {
  const Eigen::VectorXd r = score(batch);
  return {{"risk", std::vector<double>(r.data(), r.data() + r.size())}};
}

void ChurnModel::write_summary(JsonWriter& out) const {
  out.key("batches").value(batches_);
  out.key("clock").value(format_event_time(clock_));
  out.key("active_customers").value(std::int64_t(customers_.size()));
  out.key("expired_customers").value(activity_.expired());
  out.key("pending_snapshots").value(join_.pending());
  out.key("dropped_snapshots").value(join_.dropped());
  out.key("examples").value(examples_);
  out.key("positive_rate").value(examples_ > 0 ? double(positives_) / double(examples_) : kNaN);
  out.key("expected_churners").value(figures_.cost);
  out.key("coef").begin_object();
  const Eigen::VectorXd w = model_->coef();
  const auto names = feature_names();
  for (Eigen::Index j = 0; j < w.size() && std::size_t(j) < names.size(); ++j) out.key(names[std::size_t(j)]).value(w[j]);
  out.end_object();
  out.key("intercept").value(model_->intercept());
}

std::string ChurnModel::metrics_json() const {
  JsonWriter w(false);
  w.begin_object();
  write_summary(w);
  w.end_object();
  return w.str();
}

void ChurnModel::save_state(StateWriter& out) const {
  out.write_ints("counters", std::vector<std::int64_t>{clock_, next_snapshot_, batches_, examples_, positives_});
  out.write_strings("customers", customers_);
  out.write_vector("features", features_);
  out.write_vector("risks", risks_);
  out.write_vector("values", values_);
  out.write_strings("last_top", last_top_);
  out.write_vector("figures", std::vector<double>{figures_.cost, figures_.changed});
  StateWriter activity = out.group("activity");
  activity_.save_state(activity);
  StateWriter join = out.group("join");
  join_.save_state(join);
  // The nested learners' layouts, so each loads through its own path for older versions.
  StateWriter model = out.group("model");
  model.write_int("nested_state_version", model_->state_version());
  model_->save_state(model);
  if (tastes_) {
    StateWriter tastes = out.group("tastes");
    tastes.write_int("nested_state_version", tastes_->state_version());
    tastes_->save_state(tastes);
  }
}

void ChurnModel::load_state(const std::string& params, const StateReader& in) {
  ChurnModel fresh(settings_table().from_json(params));  // transactional: swapped in when whole
  const std::vector<std::int64_t> counters = in.read_ints("counters", 5);
  fresh.clock_ = counters[0];
  fresh.next_snapshot_ = counters[1];
  fresh.batches_ = counters[2];
  fresh.examples_ = counters[3];
  fresh.positives_ = counters[4];
  STREAMML_CHECK(fresh.batches_ >= 0 && fresh.examples_ >= 0 && fresh.positives_ >= 0 &&
                     fresh.positives_ <= fresh.examples_,
                 InvalidInput, in.where("counters") << ": counters out of range");
  fresh.customers_ = in.read_strings("customers");
  const std::size_t n = fresh.customers_.size(), d = fresh.feature_names().size();
  fresh.features_ = in.read_std_vector("features", std::int64_t(n * d));
  fresh.risks_ = in.read_std_vector("risks", std::int64_t(n));
  fresh.values_ = in.read_std_vector("values", std::int64_t(n));
  fresh.last_top_ = in.read_strings("last_top");
  const std::vector<double> figures = in.read_std_vector("figures", 2);
  fresh.figures_.cost = figures[0];
  fresh.figures_.changed = figures[1];
  STREAMML_CHECK(std::is_sorted(fresh.customers_.begin(), fresh.customers_.end()) &&
                     std::is_sorted(fresh.last_top_.begin(), fresh.last_top_.end()),
                 InvalidInput, in.where("customers") << ": customer lists must be sorted");
  fresh.activity_.load_state(in.group("activity"));
  fresh.join_.load_state(in.group("join"));
  STREAMML_CHECK(fresh.join_.dims() == 0 || fresh.join_.dims() == d, InvalidInput,
                 in.where("join/features") << ": " << fresh.join_.dims() << " features per snapshot, the settings make " << d);
  // Layout 2 holds logreg layout 2 and als layout 1 (see state_version()).
  STREAMML_CHECK(in.state_version() == 2, InvalidInput,
                 in.where("") << ": churn state layout " << in.state_version() << ", this build reads layout 2");
  const StateReader model = in.group("model"), tastes_in = fresh.tastes_ ? in.group("tastes") : model;
  const std::int64_t model_layout = model.read_int("nested_state_version");
  STREAMML_CHECK(model_layout == fresh.model_->state_version(), InvalidInput,
                 in.where("model/nested_state_version") << ": the churn model's logistic state is in layout " << model_layout
                                                        << ", this build reads " << fresh.model_->state_version());
  fresh.model_->load_state(fresh.model_->params_json(), model);
  if (fresh.tastes_) {
    const std::int64_t als_layout = tastes_in.read_int("nested_state_version");
    STREAMML_CHECK(als_layout == fresh.tastes_->state_version(), InvalidInput,
                   in.where("tastes/nested_state_version") << ": the taste ALS's state is in layout " << als_layout
                                                           << ", this build reads " << fresh.tastes_->state_version());
    fresh.tastes_->load_state(fresh.tastes_->params_json(), tastes_in);
  }
  *this = std::move(fresh);
}

}  // namespace streamml
