#include "algorithms/evaluation/prequential_ranking.h"

#include <algorithm>
#include <limits>
#include <map>
#include <numeric>

#include "algorithms/recommend/als.h"
#include "core/error.h"
#include "core/json.h"
#include "core/state_io.h"

namespace streamml {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

RankingFigures figures_of(std::size_t scored, std::size_t hits, double rr, std::size_t base_hits, double base_rr) {
  RankingFigures f;
  f.scored = std::int64_t(scored);
  const double n = double(scored);
  f.recall = scored ? double(hits) / n : kNaN;
  f.mrr = scored ? rr / n : kNaN;
  f.baseline_recall = scored ? double(base_hits) / n : kNaN;
  f.baseline_mrr = scored ? base_rr / n : kNaN;
  return f;
}

void write_figures(JsonWriter& out, const char* name, const RankingFigures& f) {
  out.key(name).begin_object();
  out.key("scored").value(f.scored);
  out.key("recall").value(f.recall);
  out.key("mrr").value(f.mrr);
  out.key("baseline_recall").value(f.baseline_recall);
  out.key("baseline_mrr").value(f.baseline_mrr);
  out.end_object();
}

}  // namespace

const SettingsTable<PrequentialRankingSettings>& PrequentialRanking::settings_table() {
  using S = PrequentialRankingSettings;
  static const auto t = SettingsTable<S>("prequential_ranking")
                            .integer("top_n", &S::top_n, "length of the recommendation list a hit must be in",
                                     Range::closed(1, 100000))
                            .integer("window", &S::window, "scored events in the sliding window", Range::at_least(1));
  return t;
}

void PrequentialRankingSettings::validate() const { PrequentialRanking::settings_table().validate(*this); }

PrequentialRanking::PrequentialRanking(Settings settings) : settings_(settings) { settings_.validate(); }

std::string PrequentialRanking::params_json() const { return settings_table().to_json(settings_); }

void PrequentialRanking::update(const AlternatingLeastSquares& model, const Batch& batch) {
  const KeyColumn* items = batch.id("item");
  STREAMML_CHECK(items, InvalidInput, "prequential_ranking: the batch has no item id column (role 'item')");
  update(model, batch.keys, *items);
}

void PrequentialRanking::update(const AlternatingLeastSquares& model, const KeyColumn& users, const KeyColumn& items) {
  const auto u = model.user_ids().find(users), i = model.item_ids().find(items);
  STREAMML_CHECK(u.size() == i.size(), InvalidInput,
                 "prequential_ranking: " << u.size() << " users and " << i.size() << " items");
  const std::size_t n = u.size(), top_n = std::size_t(settings_.top_n);
  const InteractionStore& store = model.store();

  // The model's lists: one per known user of the batch, in one blocked product.
  std::vector<std::int64_t> known(u);
  known.erase(std::remove(known.begin(), known.end(), std::int64_t(-1)), known.end());
  std::sort(known.begin(), known.end());
  known.erase(std::unique(known.begin(), known.end()), known.end());
  const TopK lists = model.recommend_rows(known, top_n, true);
  // The baseline's order: items by distinct users in the store, then by row.
  std::vector<std::uint32_t> popular(store.items());
  std::iota(popular.begin(), popular.end(), 0u);
  std::stable_sort(popular.begin(), popular.end(),
                   [&](std::uint32_t a, std::uint32_t b) { return store.item_count(a) > store.item_count(b); });

  std::size_t scored = 0, hits = 0, base_hits = 0;
  double rr = 0, base_rr = 0;
  for (std::size_t r = 0; r < n; ++r) {
    const bool user_known = u[r] >= 0, item_known = i[r] >= 0;
    if (user_known && item_known && store.has(std::uint32_t(u[r]), std::uint32_t(i[r]))) {
      ++repeats_;
      continue;
    }
    ++scored;
    double model_rr = 0.0, baseline_rr = 0.0;
    if (user_known && item_known) {
      const auto slot = std::size_t(std::lower_bound(known.begin(), known.end(), u[r]) - known.begin());
      for (std::size_t p = 0; p < top_n; ++p)
        if (lists.index[slot * top_n + p] == i[r]) {
          model_rr = 1.0 / double(p + 1);
          break;
        }
    } else {
      ++cold_;
    }
    if (item_known) {
      std::size_t p = 0;
      for (std::size_t j = 0; j < popular.size() && p < top_n; ++j) {
        if (user_known && store.has(std::uint32_t(u[r]), popular[j])) continue;
        if (std::int64_t(popular[j]) == i[r]) {
          baseline_rr = 1.0 / double(p + 1);
          break;
        }
        ++p;
      }
    }
    hits += model_rr > 0;
    base_hits += baseline_rr > 0;
    rr += model_rr;
    base_rr += baseline_rr;
    // The window.
    if (ring_rr_.size() < std::size_t(settings_.window)) {
      ring_rr_.push_back(model_rr);
      ring_baseline_rr_.push_back(baseline_rr);
    } else {
      ring_rr_[next_] = model_rr;
      ring_baseline_rr_[next_] = baseline_rr;
    }
    next_ = (next_ + 1) % std::size_t(settings_.window);
  }
  last_ = figures_of(scored, hits, rr, base_hits, base_rr);
  scored_ += std::int64_t(scored);
  hits_ += std::int64_t(hits);
  baseline_hits_ += std::int64_t(base_hits);
  rr_sum_ += rr;
  baseline_rr_sum_ += base_rr;
  ++batches_;
}

RankingFigures PrequentialRanking::window() const {
  std::size_t hits = 0, base_hits = 0;
  double rr = 0, base_rr = 0;
  for (std::size_t j = 0; j < ring_rr_.size(); ++j) {
    hits += ring_rr_[j] > 0;
    base_hits += ring_baseline_rr_[j] > 0;
    rr += ring_rr_[j];
    base_rr += ring_baseline_rr_[j];
  }
  return figures_of(ring_rr_.size(), hits, rr, base_hits, base_rr);
}

RankingFigures PrequentialRanking::cumulative() const {
  return figures_of(std::size_t(scored_), std::size_t(hits_), rr_sum_, std::size_t(baseline_hits_), baseline_rr_sum_);
}

void PrequentialRanking::write_summary(JsonWriter& out) const {
  out.key("top_n").value(settings_.top_n);
  out.key("batches").value(batches_);
  out.key("repeats").value(repeats_);
  out.key("cold").value(cold_);
  write_figures(out, "last_batch", last_);
  write_figures(out, "window", window());
  write_figures(out, "cumulative", cumulative());
}

std::string PrequentialRanking::metrics_json() const {
  JsonWriter w;
  w.begin_object();
  write_summary(w);
  w.end_object();
  return w.str();
}

void PrequentialRanking::save_state(StateWriter& out) const {
  out.write_int("scored", scored_);
  out.write_int("hits", hits_);
  out.write_int("baseline_hits", baseline_hits_);
  out.write_int("repeats", repeats_);
  out.write_int("cold", cold_);
  out.write_int("batches", batches_);
  out.write_double("rr_sum", rr_sum_);
  out.write_double("baseline_rr_sum", baseline_rr_sum_);
  out.write_vector("last_batch", std::vector<double>{double(last_.scored), last_.recall, last_.mrr,
                                                     last_.baseline_recall, last_.baseline_mrr});
  out.write_vector("ring_rr", ring_rr_);
  out.write_vector("ring_baseline_rr", ring_baseline_rr_);
  out.write_int("ring_next", std::int64_t(next_));
}

void PrequentialRanking::load_state(const std::string& params, const StateReader& in) {
  PrequentialRanking fresh(settings_table().from_json(params));
  fresh.scored_ = in.read_int("scored");
  fresh.hits_ = in.read_int("hits");
  fresh.baseline_hits_ = in.read_int("baseline_hits");
  fresh.repeats_ = in.read_int("repeats");
  fresh.cold_ = in.read_int("cold");
  fresh.batches_ = in.read_int("batches");
  STREAMML_CHECK(fresh.scored_ >= 0 && fresh.hits_ >= 0 && fresh.hits_ <= fresh.scored_ && fresh.baseline_hits_ >= 0 &&
                     fresh.baseline_hits_ <= fresh.scored_ && fresh.repeats_ >= 0 && fresh.cold_ >= 0 &&
                     fresh.batches_ >= 0,
                 InvalidInput, in.where("scored") << ": counters out of range");
  fresh.rr_sum_ = in.read_double("rr_sum");
  fresh.baseline_rr_sum_ = in.read_double("baseline_rr_sum");
  const auto last = in.read_std_vector("last_batch", 5);
  fresh.last_ = RankingFigures{std::int64_t(last[0]), last[1], last[2], last[3], last[4]};
  const std::int64_t window = fresh.settings_.window;
  fresh.ring_rr_ = in.read_std_vector("ring_rr");
  fresh.ring_baseline_rr_ = in.read_std_vector("ring_baseline_rr", std::int64_t(fresh.ring_rr_.size()));
  STREAMML_CHECK(std::int64_t(fresh.ring_rr_.size()) <= window, InvalidInput,
                 in.where("ring_rr") << ": " << fresh.ring_rr_.size() << " events in a window of " << window);
  for (std::size_t j = 0; j < fresh.ring_rr_.size(); ++j)
    STREAMML_CHECK(fresh.ring_rr_[j] >= 0 && fresh.ring_rr_[j] <= 1 && fresh.ring_baseline_rr_[j] >= 0 &&
                       fresh.ring_baseline_rr_[j] <= 1,
                   InvalidInput, in.where("ring_rr") << ": entry " << j << " is not a reciprocal rank");
  const std::int64_t next = in.read_int("ring_next");
  STREAMML_CHECK(next >= 0 && next < window, InvalidInput, in.where("ring_next") << ": " << next << " is outside the window");
  fresh.next_ = std::size_t(next);
  *this = std::move(fresh);
}

}  // namespace streamml
