// A learner as a pipeline stage, chosen by its role (core/learner.h): a classifier is
// evaluated test-then-train (PrequentialStage), a clusterer learns then labels
// (ClusteringStage), a recommender ranks then learns (RecommenderStage), a decision learner
// observes then decides (DecisionStage). Pipeline::add_learner and the command line's `--learner` both come here,
// so a C++ user gets exactly the stage `streamml replay --learner NAME` runs.
#pragma once

#include <memory>
#include <string>

#include "algorithms/evaluation/prequential.h"
#include "algorithms/evaluation/prequential_ranking.h"
#include "core/learner.h"
#include "streaming/stage.h"
#include "streaming/stages/clustering_stage.h"

namespace streamml {

// How a learner stage evaluates; each role reads the part that concerns it.
struct EvaluationSettings {
  PrequentialSettings prequential;  // classifiers (threshold: the learner's own when it has one)
  ClusteringStageSettings clustering;  // clusterers: the bounds of their histories
  PrequentialRankingSettings ranking;  // recommenders (top_n, window)
};

// Throws Error(InvalidInput) for a null learner, a name that cannot name a checkpoint (1 to
// 100 letters, digits, '.', '_', '-'), or a role no stage runs.
std::unique_ptr<Stage> make_learner_stage(std::string name, std::shared_ptr<Learner> learner,
                                          const EvaluationSettings& evaluation = {});

}  // namespace streamml
