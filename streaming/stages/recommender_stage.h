// RecommenderStage: a recommender (ALS) on the stream, evaluated test-then-train by ranking.
//
// Every batch of (user, item, rating or count) records is first ranked against the model as it
// stands (PrequentialRanking: is each record's item in its user's top-N? recall@N and MRR per
// batch, window and stream, against a popularity baseline), and each record's predicted rating
// x_u.y_i is added as the output column "<name>.score" (NaN for a user or item the model had not
// seen); then the model learns the batch (ALS partial_fit: fold-in, every sweep_interval batches
// a sweep). Empty batches change nothing.
//
// Checkpointed as its learner (the file loads into a plain ALS, e.g. from Python) plus the
// evaluator's sums and window under `evaluation/`, both bounded; a resumed stream ranks and
// learns exactly as an uninterrupted one.
#pragma once

#include <memory>
#include <string>

#include "algorithms/evaluation/prequential_ranking.h"
#include "algorithms/recommend/als.h"
#include "streaming/stage.h"

namespace streamml {

class RecommenderStage : public Stage, public Stateful {
 public:
  // Throws Error(InvalidInput) for a null learner or one that is not an ALS model (the only
  // recommender the ranking evaluation knows).
  RecommenderStage(std::string name, std::shared_ptr<Learner> learner, PrequentialRankingSettings evaluation = {});

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

  const AlternatingLeastSquares& model() const { return *model_; }
  const PrequentialRanking& evaluator() const { return evaluator_; }

 private:
  std::string name_;
  std::shared_ptr<Learner> learner_;
  AlternatingLeastSquares* model_;  // learner_ as what it is
  PrequentialRanking evaluator_;
};

}  // namespace streamml
