// PrequentialStage: a learner on the stream, evaluated test-then-train.
//
// Every batch is first scored by the model as it stands (the evaluator counts those
// predictions), then learned, so each figure is measured on data the model had not seen.
// Empty batches (quiet intervals of event time) change nothing.
#pragma once

#include <memory>
#include <string>

#include "algorithms/evaluation/prequential.h"
#include "core/learner.h"
#include "streaming/stage.h"

namespace streamml {

// Checkpointed as its learner (so the file loads into a plain learner of that type, e.g. from
// Python) plus the evaluator's state under `evaluation/`.
class PrequentialStage : public Stage, public Stateful {
 public:
  // curve_path: when not empty, the learning curve (one line per batch) is written there as
  // CSV at the end of the stream.
  PrequentialStage(std::unique_ptr<Learner> learner, PrequentialSettings evaluation = {},
                   std::string curve_path = {});

  std::string name() const override { return learner_->type(); }
  void process(Batch& batch) override;
  void finish() override;
  void write_summary(JsonWriter& out) const override;
  std::string progress() const override;
  Stateful* stateful() override { return this; }

  // Stateful.
  std::string type() const override { return learner_->type(); }
  std::string params_json() const override { return learner_->params_json(); }
  std::string metrics_json() const override;
  void save_state(StateWriter& out) const override;
  void load_state(const std::string& params, const StateReader& in) override;

  const Learner& learner() const { return *learner_; }
  const PrequentialEvaluator& evaluator() const { return evaluator_; }

 private:
  std::unique_ptr<Learner> learner_;
  PrequentialEvaluator evaluator_;
  std::string curve_path_;
};

// The learning curve as CSV: batch, then count/log_loss/accuracy/auc for the batch, the
// window and the whole stream so far.
std::string learning_curve_csv(const PrequentialEvaluator& evaluator);

}  // namespace streamml
