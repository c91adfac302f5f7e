// ClusteringStage: an unsupervised learner on the stream (k-means, windowed DBSCAN).
//
// Each batch is learned, then labelled by the updated model (Spark's predictOn uses the
// latest model too): the summary gets the cluster sizes of every batch and its noise points
// (label -1), which for a windowed DBSCAN are the stream's anomalies. Each record's cluster is
// added to the batch as the output column "<name>.cluster".
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <vector>

#include "core/learner.h"
#include "streaming/stage.h"

namespace streamml {

// The stage's name is the user's, its type the learner's. Checkpointed as its learner plus the stage's per-batch figures under `stage/`.
class ClusteringStage : public Stage, public Stateful {
 public:
  ClusteringStage(std::string name, std::shared_ptr<Learner> learner);

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
  // Noise points (label -1) per non-empty batch, in stream order.
  const std::vector<std::int64_t>& noise_per_batch() const { return noise_per_batch_; }
  // Records per label in the last non-empty batch.
  const std::map<std::int64_t, std::int64_t>& last_batch_sizes() const { return last_sizes_; }

 private:
  std::string name_;
  std::shared_ptr<Learner> learner_;
  std::vector<std::int64_t> batch_index_;
  std::vector<std::int64_t> noise_per_batch_;
  std::map<std::int64_t, std::int64_t> last_sizes_;
  std::map<std::int64_t, std::int64_t> total_sizes_;
};

}  // namespace streamml
