// ClusteringStage: an unsupervised learner on the stream (k-means, windowed DBSCAN).
//
// Each batch is learned, then labelled by the updated model (Spark's predictOn uses the
// latest model too): the summary gets the cluster sizes of every batch and its noise points
// (label -1), which for a windowed DBSCAN are the stream's anomalies. Each record's cluster is
// added to the batch as the output column "<name>.cluster".
//
// Bounded state (nothing grows with the stream): the noise per batch is a BoundedHistory
// (core/bounded_history.h: the last curve_recent batches exactly, and a whole-stream curve of
// at most curve_points batches), and records per label are kept for the newest max_labels
// labels (DBSCAN's cluster ids are never reused, so an endless stream has endless labels);
// the records of older labels are summed in one count.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <vector>

#include "core/bounded_history.h"
#include "core/learner.h"
#include "core/settings.h"
#include "streaming/stage.h"

namespace streamml {

struct ClusteringStageSettings {
  std::size_t curve_recent = 1000;  // noise-per-batch points kept exactly: the last N batches
  std::size_t curve_points = 1000;  // points of the downsampled whole-stream noise curve (>= 2)
  std::size_t max_labels = 1000;    // labels whose record counts are kept (the newest)

  static const SettingsTable<ClusteringStageSettings>& settings_table();
  void validate() const;  // throws Error(InvalidInput)
};

// One point of the noise history: a non-empty batch and its noise records.
struct NoisePoint {
  std::int64_t batch = 0;  // the batch's index in the stream
  std::int64_t noise = 0;
};

// The stage's name is the user's, its type the learner's. Checkpointed as its learner plus the
// stage's figures under `stage/` (a part with its own layout, state_io.h read_part: layout 2
// is the bounded one; layout 1, every batch's noise, still loads).
class ClusteringStage : public Stage, public Stateful {
 public:
  ClusteringStage(std::string name, std::shared_ptr<Learner> learner, ClusteringStageSettings settings = {});

  std::string name() const override { return name_; }
  void process(Batch& batch) override;
  void write_summary(JsonWriter& out) const override;
  std::string progress() const override;
  Stateful* stateful() override { return this; }

  // Stateful.
  std::string type() const override { return learner_->type(); }
  std::string params_json() const override { return learner_->params_json(); }
  std::int64_t state_version() const override { return learner_->state_version(); }
  void save_state(StateWriter& out) const override;
  void load_state(const std::string& params, const StateReader& in) override;

  const Learner& learner() const { return *learner_; }
  const ClusteringStageSettings& settings() const { return settings_; }
  // Noise points (label -1) of the non-empty batches, as kept.
  const BoundedHistory<NoisePoint>& noise_history() const { return noise_; }
  // Records per label in the last non-empty batch.
  const std::map<std::int64_t, std::int64_t>& last_batch_sizes() const { return last_sizes_; }
  // Records per label over the stream, for noise (-1) and the newest max_labels labels; the
  // records of the older labels, summed.
  const std::map<std::int64_t, std::int64_t>& total_sizes() const { return total_sizes_; }
  std::int64_t older_label_records() const { return older_records_; }
  std::int64_t noise_records() const { return noise_records_; }
  std::int64_t batches_with_noise() const { return batches_with_noise_; }

 private:
  std::string name_;
  std::shared_ptr<Learner> learner_;
  ClusteringStageSettings settings_;
  BoundedHistory<NoisePoint> noise_;
  std::map<std::int64_t, std::int64_t> last_sizes_;
  std::map<std::int64_t, std::int64_t> total_sizes_;
  std::int64_t older_records_ = 0;
  std::int64_t noise_records_ = 0;
  std::int64_t batches_with_noise_ = 0;
};

}  // namespace streamml
