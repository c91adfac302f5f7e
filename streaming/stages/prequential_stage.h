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

// The stage's name is the user's ("ctr"); its type is the learner's ("logreg"). Checkpointed
// as its learner (so the file loads into a plain learner of that type, e.g. from Python) plus
// the evaluator's state under `evaluation/`. Each record's score is added to the batch as the
// output column "<name>.probability" (classifiers) for later stages and sinks.
class PrequentialStage : public Stage, public Stateful {
 public:
  PrequentialStage(std::string name, std::shared_ptr<Learner> learner, PrequentialSettings evaluation = {});

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
  const PrequentialEvaluator& evaluator() const { return evaluator_; }

 private:
  std::string name_;
  std::shared_ptr<Learner> learner_;
  PrequentialEvaluator evaluator_;
};

// The learning curve as CSV: batch, then count/log_loss/accuracy/auc for the batch, the
// window and the whole stream so far; one line per point the evaluator keeps (every batch of
// a short stream; of a long one the last curve_recent batches and the whole-stream curve).
std::string learning_curve_csv(const PrequentialEvaluator& evaluator);

}  // namespace streamml
