// SeasonalAnomalyStage: anomalies of per-entity rates that follow a daily cycle, found by a
// clusterer over their deviations from the same hour of the days before.
//
// A record (one per service and monitoring window: its request rate, its processing rate...)
// is compared with its own key's history at the same time of day: for each dense feature x,
//   deviation = log(x / median of x at this slot over the last `history` periods)
// (0 while the slot has no history yet, and when x or the median is not positive), where a
// slot is the record's event time modulo `period_seconds`, cut into `slot_seconds`. The median
// ignores the few anomalous periods in the history, and a deviation is unit-free, so services
// of any size share one picture: the normal records gather around 0 and the clusterer (a
// sliding-window DBSCAN: scikit-learn's definition, over the last few batches) labels the
// outliers of each new batch noise (-1). Those are the anomalies: a burst of requests, an
// incident that slows processing.
//
// Output columns: "<name>.anomaly" (1 when the clusterer labels the record noise, else 0) and
// "<name>.deviation" (the largest |deviation| over the features). The batch's own features are
// left as they were, so a later stage (the auto-scaler) reads the rates themselves.
//
// Checkpointed as its clusterer (so the file loads into a plain learner of that type) plus the
// history under `baseline/`: keys x slots x history x features values, bounded whatever the
// stream's length (keys: the entities seen, e.g. services).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/learner.h"
#include "streaming/stage.h"

namespace streamml {

struct SeasonalAnomalySettings {
  double period_seconds = 86400;  // the cycle (a day)
  double slot_seconds = 3600;     // the time of day is compared in slots of this width
  std::int64_t history = 7;       // periods remembered per slot (the median's sample)

  void validate() const;  // throws Error(InvalidInput)
  std::int64_t slots() const;
};

class SeasonalAnomalyStage : public Stage, public Stateful {
 public:
  // The clusterer labels noise -1 (a windowed DBSCAN). Throws Error(InvalidInput) for a null
  // learner, one that is not a clusterer, or settings out of range.
  SeasonalAnomalyStage(std::string name, SeasonalAnomalySettings settings, std::shared_ptr<Learner> clusterer);

  std::string name() const override { return name_; }
  void process(Batch& batch) override;
  void write_summary(JsonWriter& out) const override;
  std::string progress() const override;
  Stateful* stateful() override { return this; }

  // Stateful.
  std::string type() const override { return clusterer_->type(); }
  std::string params_json() const override { return clusterer_->params_json(); }
  std::int64_t state_version() const override { return clusterer_->state_version(); }
  void save_state(StateWriter& out) const override;
  void load_state(const std::string& params, const StateReader& in) override;

  std::int64_t anomalies() const { return anomalies_; }
  std::int64_t records() const { return records_; }

 private:
  // One key's history: slots x history x features values, and per slot how many are filled
  // and where the next one goes.
  struct History {
    std::vector<double> values;
    std::vector<std::int64_t> filled, next;
  };
  History& history_of(const std::string& key, std::size_t features);
  std::int64_t slot_of(EventTime t) const;

  std::string name_;
  SeasonalAnomalySettings settings_;
  std::shared_ptr<Learner> clusterer_;
  std::size_t features_ = 0;  // fixed by the first batch
  std::map<std::string, History> history_;
  std::int64_t records_ = 0, anomalies_ = 0, last_anomalies_ = 0;
};

}  // namespace streamml
