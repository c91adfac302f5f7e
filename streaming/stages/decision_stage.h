// DecisionStage: a decision learner on the stream (allocation, auto-scaling).
//
// Each batch is observed (partial_fit: the forecasts take the batch's rates, then the learner
// decides, re-solving warm), and the decisions are added to the batch as the learner's output
// columns under the stage's name, "<name>.<column>" (Learner::output_columns: for autoscale each
// record's service's instance count, for allocate what the record's service is given). A
// record's decision is the one made after its batch: what is in effect from the next window on.
//
// The stage sums the learner's figures for each decision (Learner::decision_figures): decisions
// made, their cost, how much they changed and how often a change turned direction (the
// oscillation a stabilisation window keeps down). Checkpointed as its learner (so the file loads
// into a plain learner of that type) plus those sums under `stage/`: a bounded state, whatever
// the stream's length. The learner's state holds its forecasts, its last decision and its warm
// basis, so a resumed stream re-solves warm and decides exactly as an uninterrupted one.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "core/learner.h"
#include "streaming/stage.h"

namespace streamml {

// The sums over the decisions a stage made.
struct DecisionTotals {
  std::int64_t decisions = 0;   // non-empty batches decided
  double cost = 0;              // Σ DecisionFigures::cost
  double changed = 0;           // Σ DecisionFigures::changed
  std::int64_t reversals = 0;   // Σ DecisionFigures::reversals
  DecisionFigures last;         // the last decision's figures
};

class DecisionStage : public Stage, public Stateful {
 public:
  // Throws Error(InvalidInput) for a null learner or one whose role is not Decision.
  DecisionStage(std::string name, std::shared_ptr<Learner> learner);

  std::string name() const override { return name_; }
  void process(Batch& batch) override;
  void write_summary(JsonWriter& out) const override;
  std::string progress() const override;
  Stateful* stateful() override { return this; }

  // Stateful.
  std::string type() const override { return learner_->type(); }
  std::string params_json() const override { return learner_->params_json(); }
  std::int64_t state_version() const override { return learner_->state_version(); }
  std::string metrics_json() const override;
  void save_state(StateWriter& out) const override;
  void load_state(const std::string& params, const StateReader& in) override;

  const Learner& learner() const { return *learner_; }
  // The learner, shared: for stages that decide from its state after it (RetentionStage).
  std::shared_ptr<const Learner> shared_learner() const { return learner_; }
  const DecisionTotals& totals() const { return totals_; }

 private:
  void write_totals(JsonWriter& out) const;

  std::string name_;
  std::shared_ptr<Learner> learner_;
  DecisionTotals totals_;
};

}  // namespace streamml
