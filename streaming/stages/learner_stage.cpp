#include "streaming/stages/learner_stage.h"

#include "core/checkpoint_store.h"
#include "core/error.h"
#include "streaming/stages/clustering_stage.h"
#include "streaming/stages/decision_stage.h"
#include "streaming/stages/prequential_stage.h"
#include "streaming/stages/recommender_stage.h"

namespace streamml {

std::unique_ptr<Stage> make_learner_stage(std::string name, std::shared_ptr<Learner> learner,
                                          const EvaluationSettings& evaluation) {
  STREAMML_CHECK(learner != nullptr, InvalidInput, "stage '" << name << "' needs a learner, got null");
  check_model_name(name);
  switch (learner->role()) {
    case LearnerRole::Classifier:
      return std::make_unique<PrequentialStage>(std::move(name), std::move(learner), evaluation.prequential);
    case LearnerRole::Clusterer:
      return std::make_unique<ClusteringStage>(std::move(name), std::move(learner), evaluation.clustering);
    case LearnerRole::Recommender:
      return std::make_unique<RecommenderStage>(std::move(name), std::move(learner), evaluation.ranking);
    case LearnerRole::Decision:
      return std::make_unique<DecisionStage>(std::move(name), std::move(learner));
    default:
      STREAMML_FAIL(InvalidInput, "stage '" << name << "': no pipeline stage runs a learner of role '"
                                            << role_name(learner->role()) << "' (type '" << learner->type() << "')");
  }
}

}  // namespace streamml
