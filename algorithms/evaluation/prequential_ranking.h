// Prequential (test-then-train) ranking evaluation of a streaming recommender (Vinagre, Jorge,
// Gama, "Evaluation of recommender systems in streaming environments", 2014): before a batch
// is learned, for every (user, item) event of it, is the item among the user's top-N?
//
// For each event, with the model as it stood before the batch:
//   repeat   the item is already in the user's stored history: not scored (both lists leave
//            seen items out, so it could never be a hit), counted apart;
//   scored   otherwise: the model's top-N for the user (seen items left out) and the popularity
//            baseline's top-N (items by the number of distinct users holding them in the
//            model's store, ties by item row, seen items left out). A hit when the item is in
//            the list; its reciprocal rank 1/position (0 for a miss). An unknown user or item
//            is a miss for the model (cold start: counted, also apart); the baseline still
//            ranks a known item for an unknown user.
// Figures for the last batch, over a window of the last `window` scored events and over the
// whole stream: recall@N (hits / scored) and MRR (mean reciprocal rank) for the model and the
// baseline. State: sums and the window only (bounded); a per-batch curve is the caller's to
// keep.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/batch.h"
#include "core/learner.h"
#include "core/settings.h"

namespace streamml {

class AlternatingLeastSquares;
class JsonWriter;

struct PrequentialRankingSettings {
  std::int64_t top_n = 10;
  std::int64_t window = 1000;
  void validate() const;
};

struct RankingFigures {
  std::int64_t scored = 0;
  double recall = 0.0, mrr = 0.0;                    // the model; NaN when nothing was scored
  double baseline_recall = 0.0, baseline_mrr = 0.0;  // popularity
};

class PrequentialRanking : public Stateful {
 public:
  using Settings = PrequentialRankingSettings;
  static constexpr const char* kType = "prequential_ranking";
  static constexpr LearnerRole kRole = LearnerRole::Evaluator;
  static const SettingsTable<Settings>& settings_table();

  explicit PrequentialRanking(Settings settings = {});

  // Scores the batch's events against `model` as it stands (call before model.partial_fit).
  // Users from batch.keys, items from the "item" id column.
  void update(const AlternatingLeastSquares& model, const Batch& batch);
  void update(const AlternatingLeastSquares& model, const KeyColumn& users, const KeyColumn& items);

  const Settings& settings() const { return settings_; }
  RankingFigures last_batch() const { return last_; }
  RankingFigures window() const;
  RankingFigures cumulative() const;
  std::int64_t repeats() const { return repeats_; }
  std::int64_t cold() const { return cold_; }
  std::int64_t batches() const { return batches_; }

  // The figures as members of an open JSON object.
  void write_summary(JsonWriter& out) const;

  std::string type() const override { return kType; }
  std::string params_json() const override;
  std::string metrics_json() const override;
  void save_state(StateWriter& out) const override;
  void load_state(const std::string& params, const StateReader& in) override;

 private:
  Settings settings_;
  RankingFigures last_;
  // Sums over the stream: reciprocal ranks of the model and the baseline (hits counted apart).
  std::int64_t scored_ = 0, hits_ = 0, baseline_hits_ = 0, repeats_ = 0, cold_ = 0, batches_ = 0;
  double rr_sum_ = 0.0, baseline_rr_sum_ = 0.0;
  // The window: reciprocal ranks of the last scored events (oldest first once full: ring).
  std::vector<double> ring_rr_, ring_baseline_rr_;
  std::size_t next_ = 0;
};

}  // namespace streamml
