#include "datasets/ratings.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <numeric>
#include <string>
#include <vector>

#include "core/json.h"
#include "datasets/stream_setup.h"

namespace streamml {

const SettingsTable<RatingsSettings>& RatingsSettings::settings_table() {
  using S = RatingsSettings;
  static const auto t = SettingsTable<S>(kKind)
                            .integer("users", &S::users, "number of users", Range::closed(1, 1e8))
                            .integer("items", &S::items, "number of items", Range::closed(1, 1e7))
                            .integer("rank", &S::rank, "true factors per user and item", Range::closed(1, 256))
                            .real("popularity", &S::popularity, "Zipf exponent of item popularity", Range::closed(0, 5))
                            .real("activity", &S::activity, "log-normal spread of users' activity", Range::closed(0, 5))
                            .real("taste", &S::taste, "how strongly x_u . y_i drives the choice of item",
                                  Range::closed(0, 20))
                            .real("noise", &S::noise, "rating noise, standard deviation", Range::closed(0, 10));
  return t;
}

namespace {

constexpr double kFactorScale = 1e6;  // 6 decimals in the truth file

// n unit vectors of `rank` N(0, 1) draws, rounded to the truth file's grid.
std::vector<double> unit_factors(Random& rng, std::int64_t n, std::int64_t rank) {
  std::vector<double> f(static_cast<std::size_t>(n * rank));
  for (std::int64_t r = 0; r < n; ++r) {
    double* x = f.data() + r * rank;
    double norm = 0;
    for (std::int64_t j = 0; j < rank; ++j) {
      x[j] = rng.normal();
      norm += x[j] * x[j];
    }
    norm = std::sqrt(norm);
    for (std::int64_t j = 0; j < rank; ++j) x[j] = on_grid(x[j] / norm, kFactorScale);
  }
  return f;
}

void write_truth_rows(OutputFile& out, const char* side, char prefix, int width, const std::vector<double>& weight,
                      const std::vector<double>& factors, std::int64_t rank) {
  for (std::size_t r = 0; r < weight.size(); ++r) {
    out.text() += side;
    out.text() += ',';
    append_id(out.text(), prefix, std::int64_t(r), width);
    out.text() += ',';
    append_fixed(out.text(), weight[r], 6);
    for (std::int64_t j = 0; j < rank; ++j) {
      out.text() += ',';
      append_fixed(out.text(), factors[r * std::size_t(rank) + std::size_t(j)], 6);
    }
    out.text() += '\n';
    out.maybe_flush();
  }
}

}  // namespace

GenerateReport generate_ratings(const StreamOptions& o, const RatingsSettings& settings) {
  const Stream s = begin_stream(o, settings);
  Random rng(o.seed);
  const std::int64_t k = settings.rank;
  const std::vector<double> users = unit_factors(rng, settings.users, k);
  const std::vector<double> items = unit_factors(rng, settings.items, k);
  std::vector<double> activity(static_cast<std::size_t>(settings.users)),
      popularity(static_cast<std::size_t>(settings.items));
  for (auto& a : activity) a = on_grid(std::exp(settings.activity * rng.normal()), kFactorScale);
  // Zipf ranks shuffled over item ids, so popular items are not the low ids.
  std::vector<std::int64_t> rank_of(static_cast<std::size_t>(settings.items));
  std::iota(rank_of.begin(), rank_of.end(), 0);
  for (std::size_t i = rank_of.size(); i > 1; --i) std::swap(rank_of[i - 1], rank_of[std::size_t(rng.below(i))]);
  for (std::size_t i = 0; i < popularity.size(); ++i)
    popularity[i] = on_grid(std::pow(double(rank_of[i] + 1), -settings.popularity), kFactorScale);
  const std::vector<double> user_cumulative = cumulative(activity), item_cumulative = cumulative(popularity);
  const int user_width = id_width(settings.users, 5), item_width = id_width(settings.items, 4);

  OutputFile out(o.out);
  RecordWriter rec(out, s.jsonl, {"event_time", "user", "item", "rating"});
  Arrivals arrivals(o.start, s.rate);
  std::int64_t first_ms = 0, last_ms = 0, draws = 0;
  std::vector<std::int64_t> rating_count(6, 0);
  for (std::int64_t e = 0; e < o.events; ++e) {
    const std::int64_t ms = arrivals.next_millis(rng);
    if (e == 0) first_ms = ms;
    last_ms = ms;
    const std::size_t u = rng.pick(user_cumulative);
    const double* x = users.data() + u * std::size_t(k);
    std::size_t i;
    double affinity;
    do {  // popularity proposes, taste accepts: P(i | u) ~ popularity_i exp(taste x.y)
      i = rng.pick(item_cumulative);
      const double* y = items.data() + i * std::size_t(k);
      affinity = 0;
      for (std::int64_t j = 0; j < k; ++j) affinity += x[j] * y[j];
      ++draws;
    } while (rng.uniform() >= std::exp(settings.taste * (affinity - 1.0)));
    const auto rating =
        std::int64_t(std::clamp(std::round(3.0 + 2.0 * affinity + settings.noise * rng.normal()), 1.0, 5.0));
    ++rating_count[std::size_t(rating)];
    rec.time(0, ms);
    rec.id(1, 'u', std::int64_t(u), user_width);
    rec.id(2, 'i', std::int64_t(i), item_width);
    rec.integer(3, rating);
    rec.end();
  }
  out.close();

  const std::string truth_path = side_path(s, ".truth.csv");
  OutputFile truth(truth_path);
  truth.text() += "side,id,weight";
  for (std::int64_t j = 0; j < k; ++j) truth.text() += ",f" + std::to_string(j);
  truth.text() += '\n';
  write_truth_rows(truth, "user", 'u', user_width, activity, users, k);
  write_truth_rows(truth, "item", 'i', item_width, popularity, items, k);
  truth.close();

  JsonWriter w(true);
  w.begin_object();
  write_common_settings(w, s, s.format(), first_ms * 1000, last_ms * 1000);
  w.key("users").value(settings.users);
  w.key("items").value(settings.items);
  w.key("rank").value(settings.rank);
  w.key("popularity").value(settings.popularity);
  w.key("activity").value(settings.activity);
  w.key("taste").value(settings.taste);
  w.key("noise").value(settings.noise);
  w.key("proposals_per_event").value(o.events ? double(draws) / double(o.events) : 0.0);
  w.key("ratings").begin_object();
  for (int r = 1; r <= 5; ++r) w.key(std::to_string(r)).value(rating_count[std::size_t(r)]);
  w.end_object();
  w.key("truth_file").value(file_name(truth_path));
  w.end_object();
  const std::string model_path = write_json_side_file(s, ".model.json", w);
  return make_report(s, s.format(), {truth_path, model_path}, first_ms * 1000, last_ms * 1000);
}

}  // namespace streamml
