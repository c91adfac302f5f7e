#include "datasets/clicks.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <iterator>
#include <limits>
#include <numeric>
#include <string>
#include <vector>

#include "core/error.h"
#include "core/json.h"
#include "datasets/stream_setup.h"

namespace streamml {

namespace {

struct ClickFeature {
  const char* name;
  double weight;
};
// Chosen so the click rate is about 19 % and the true probabilities reach an AUC of about
// 0.84: learnable, yet far from separable. Signs follow intuition (better, more relevant ads
// in higher slots are clicked more; deep in a session, less).
constexpr ClickFeature kClickFeatures[] = {
    {"ad_quality", 0.8},   {"relevance", 0.6},      {"position", -0.3},  {"hour_sin", 0.25},
    {"hour_cos", -0.4},    {"user_affinity", 0.9},  {"page_depth", -0.35},
};
constexpr std::size_t kNumClickFeatures = std::size(kClickFeatures);
constexpr double kClickIntercept = -1.2;

struct Level {
  const char* name;
  double probability;
  double effect;  // added to the logit; the first level is the reference (0)
};
constexpr Level kDevices[] = {{"desktop", 0.3, 0.0}, {"mobile", 0.6, 0.25}, {"tablet", 0.1, -0.15}};
constexpr Level kAdCategories[] = {{"retail", 1, 0.0}, {"travel", 1, 0.3},  {"finance", 1, -0.4},
                                   {"games", 1, 0.2},  {"news", 1, -0.2},   {"auto", 1, 0.1}};
constexpr double kPositionProbability[] = {0.35, 0.25, 0.18, 0.12, 0.10};
constexpr double kClickScale = 1e6;  // 6 decimals

template <std::size_t N>
std::vector<double> level_cumulative(const Level (&levels)[N]) {
  std::vector<double> w;
  for (const auto& l : levels) w.push_back(l.probability);
  return cumulative(w);
}

template <std::size_t N>
void write_levels(JsonWriter& w, const Level (&levels)[N]) {
  w.begin_object();
  for (const auto& l : levels) w.key(l.name).value(l.effect);
  w.end_object();
}

// AUC of a score in [0, 1] from class histograms. 2^20 buckets: pairs that share a bucket
// count one half, so the figure is exact to far better than the 4 decimals anyone reads.
class BinnedAuc {
 public:
  BinnedAuc() : positives_(kBins, 0), negatives_(kBins, 0) {}
  void add(double p, bool positive) {
    const std::size_t b = std::min(kBins - 1, std::size_t(p * double(kBins)));
    (positive ? positives_ : negatives_)[b] += 1;
  }
  double value() const {
    double below = 0, pairs = 0, wins = 0, total_pos = 0;
    for (std::size_t b = 0; b < kBins; ++b) {
      wins += double(positives_[b]) * (below + 0.5 * double(negatives_[b]));
      below += double(negatives_[b]);
      total_pos += double(positives_[b]);
    }
    pairs = total_pos * below;
    return pairs > 0 ? wins / pairs : std::numeric_limits<double>::quiet_NaN();
  }

 private:
  static constexpr std::size_t kBins = std::size_t(1) << 20;
  std::vector<std::int64_t> positives_, negatives_;
};

}  // namespace

const SettingsTable<ClicksSettings>& ClicksSettings::settings_table() {
  static const auto t = SettingsTable<ClicksSettings>(kKind)
      .integer("users", &ClicksSettings::users, "number of users", Range::closed(1, 1e8))
      .real("zipf", &ClicksSettings::zipf_exponent, "Zipf exponent of user popularity", Range::closed(0, 5));
  return t;
}

GenerateReport generate_clicks(const StreamOptions& o, const ClicksSettings& settings) {
  const Stream s = begin_stream(o, settings);
  Random rng(o.seed);

  // Users: popularity by Zipf rank, ranks shuffled over ids; each user has a UTC offset and
  // a lasting taste, so the same user's impressions share context as real ones do.
  const std::size_t users = std::size_t(settings.users);
  std::vector<double> popularity(users);
  for (std::size_t r = 0; r < users; ++r) popularity[r] = std::pow(double(r + 1), -settings.zipf_exponent);
  const std::vector<double> user_cumulative = cumulative(popularity);
  std::vector<std::uint32_t> user_of_rank(users);
  std::iota(user_of_rank.begin(), user_of_rank.end(), 0u);
  for (std::size_t i = users; i > 1; --i) std::swap(user_of_rank[i - 1], user_of_rank[rng.below(i)]);
  std::vector<std::int8_t> utc_offset(users);
  std::vector<double> taste(users);
  for (std::size_t u = 0; u < users; ++u) {
    utc_offset[u] = std::int8_t(int(rng.below(24)) - 11);
    taste[u] = 0.8 * rng.normal();
  }
  const int user_width = id_width(settings.users, 5);
  const std::vector<double> position_cumulative =
      cumulative(std::vector<double>(std::begin(kPositionProbability), std::end(kPositionProbability)));
  const std::vector<double> device_cumulative = level_cumulative(kDevices);
  const std::vector<double> category_cumulative = level_cumulative(kAdCategories);

  std::vector<std::string> columns = {"event_time", "user"};
  for (const auto& f : kClickFeatures) columns.push_back(f.name);
  for (const char* c : {"device", "ad_category", "clicked"}) columns.push_back(c);

  OutputFile out(o.out);
  RecordWriter rec(out, s.jsonl, columns);
  Arrivals arrivals(o.start, s.rate);
  BinnedAuc auc;
  double sum_p = 0;
  std::int64_t clicks = 0, first_ms = 0, last_ms = 0;
  std::array<double, kNumClickFeatures> x;

  for (std::int64_t e = 0; e < o.events; ++e) {
    const std::int64_t ms = arrivals.next_millis(rng);
    if (e == 0) first_ms = ms;
    last_ms = ms;
    const std::uint32_t user = user_of_rank[rng.pick(user_cumulative)];
    const double quality = rng.normal();
    x[0] = on_grid(quality, kClickScale);
    x[1] = on_grid(0.5 * quality + std::sqrt(0.75) * rng.normal(), kClickScale);
    x[2] = double(rng.pick(position_cumulative) + 1);
    const double local_hour =
        std::fmod(double(ms - floor_div(ms, kMillisPerDay) * kMillisPerDay) / 3.6e6 + utc_offset[user] + 24.0, 24.0);
    x[3] = on_grid(std::sin(2 * kPi * local_hour / 24), kClickScale);
    x[4] = on_grid(std::cos(2 * kPi * local_hour / 24), kClickScale);
    x[5] = on_grid(taste[user] + 0.6 * rng.normal(), kClickScale);
    const double pages = std::floor(std::log(rng.uniform_positive()) / std::log(0.7));
    x[6] = on_grid(std::log1p(pages), kClickScale);
    const Level& device = kDevices[rng.pick(device_cumulative)];
    const Level& category = kAdCategories[rng.pick(category_cumulative)];

    double logit = kClickIntercept + device.effect + category.effect;
    for (std::size_t j = 0; j < kNumClickFeatures; ++j) logit += kClickFeatures[j].weight * x[j];
    const double p = 1.0 / (1.0 + std::exp(-logit));
    const bool clicked = rng.uniform() < p;
    sum_p += p;
    clicks += clicked;
    auc.add(p, clicked);

    rec.time(0, ms);
    rec.id(1, 'u', user, user_width);
    for (std::size_t j = 0; j < kNumClickFeatures; ++j) {
      if (j == 2) rec.integer(2 + j, std::int64_t(x[j]));
      else rec.fixed(2 + j, x[j], 6);
    }
    rec.word(2 + kNumClickFeatures, device.name);
    rec.word(3 + kNumClickFeatures, category.name);
    rec.integer(4 + kNumClickFeatures, clicked);
    rec.end();
  }
  out.close();

  JsonWriter w(true);
  w.begin_object();
  write_common_settings(w, s, s.format(), first_ms * 1000, last_ms * 1000);
  w.key("label").value("clicked");
  w.key("link").value("logistic");
  w.key("formula").value(
      "P(clicked = 1) = 1 / (1 + exp(-(intercept + sum_f weights[f] * f"
      " + categorical_effects.device[device] + categorical_effects.ad_category[ad_category])))");
  w.key("intercept").value(kClickIntercept);
  w.key("weights").begin_object();
  for (const auto& f : kClickFeatures) w.key(f.name).value(f.weight);
  w.end_object();
  w.key("categorical_effects").begin_object();
  w.key("device");
  write_levels(w, kDevices);
  w.key("ad_category");
  write_levels(w, kAdCategories);
  w.end_object();
  w.key("reference_levels").begin_object();
  w.key("device").value(kDevices[0].name).key("ad_category").value(kAdCategories[0].name);
  w.end_object();
  w.key("base_ctr").value(1.0 / (1.0 + std::exp(-kClickIntercept)));
  w.key("mean_p_click").value(sum_p / double(o.events));
  w.key("click_rate").value(double(clicks) / double(o.events));
  w.key("clicks").value(clicks);
  w.key("bayes_auc").value(auc.value());
  w.key("users").value(settings.users);
  w.key("zipf_exponent").value(settings.zipf_exponent);
  w.end_object();
  const std::string model_path = write_json_side_file(s, ".model.json", w);

  return make_report(s, s.format(), {model_path}, first_ms * 1000, last_ms * 1000);
}

}  // namespace streamml
