#include "streaming/stages/recommender_stage.h"

#include <cstdio>

#include "core/error.h"
#include "core/json.h"
#include "core/state_io.h"

namespace streamml {

RecommenderStage::RecommenderStage(std::string name, std::shared_ptr<Learner> learner,
                                   PrequentialRankingSettings evaluation)
    : name_(std::move(name)), learner_(std::move(learner)), evaluator_(evaluation) {
  STREAMML_CHECK(learner_ != nullptr, InvalidInput, "stage '" << name_ << "' needs a learner, got null");
  model_ = dynamic_cast<AlternatingLeastSquares*>(learner_.get());
  STREAMML_CHECK(model_ != nullptr, InvalidInput,
                 "stage '" << name_ << "': a recommender stage runs an '" << AlternatingLeastSquares::kType
                           << "' model, got '" << learner_->type() << "'");
}

void RecommenderStage::process(Batch& batch) {
  if (batch.empty()) return;
  STREAMML_CHECK(batch.has_keys() && batch.id("item") != nullptr, InvalidInput,
                 "stage '" << name_ << "': learner '" << learner_->type()
                           << "' needs users and items: replay with --key COL --item COL");
  evaluator_.update(*model_, batch);               // rank ...
  const Eigen::VectorXd scores = model_->score(batch);
  model_->partial_fit(batch);                      // ... then learn
  batch.add_output(name_ + ".score", std::vector<double>(scores.data(), scores.data() + scores.size()));
}

void RecommenderStage::write_summary(JsonWriter& out) const {
  out.key("learner").value(learner_->type());
  out.key("params").raw(learner_->params_json());
  out.key("model").begin_object();
  learner_->write_summary(out);
  out.end_object();
  out.key("ranking").begin_object();
  evaluator_.write_summary(out);
  out.end_object();
}

std::string RecommenderStage::progress() const {
  if (evaluator_.batches() == 0) return {};
  const RankingFigures w = evaluator_.window();
  char buf[128];
  std::snprintf(buf, sizeof buf, "recall@%lld %.3f (popular %.3f)  mrr %.3f (popular %.3f)",
                (long long)evaluator_.settings().top_n, w.recall, w.baseline_recall, w.mrr, w.baseline_mrr);
  return buf;
}

std::string RecommenderStage::metrics_json() const { return evaluator_.metrics_json(); }

void RecommenderStage::save_state(StateWriter& out) const {
  learner_->save_state(out);
  StateWriter evaluation = out.group("evaluation");
  evaluator_.save_state(evaluation);
}

void RecommenderStage::load_state(const std::string& params, const StateReader& in) {
  PrequentialRanking evaluator(evaluator_.settings());
  evaluator.load_state(evaluator_.params_json(), in.group("evaluation"));  // first: the model's load cannot be undone
  learner_->load_state(params, in);
  evaluator_ = std::move(evaluator);
}

}  // namespace streamml
