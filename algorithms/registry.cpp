#include "algorithms/registry.h"

#include "algorithms/churn/churn_model.h"
#include "algorithms/clustering/streaming_kmeans.h"
#include "algorithms/clustering/windowed_dbscan.h"
#include "algorithms/evaluation/prequential.h"
#include "algorithms/evaluation/prequential_ranking.h"
#include "algorithms/linear/logistic_regression_sgd.h"
#include "algorithms/recommend/als.h"
#include "algorithms/optimize/allocation.h"
#include "algorithms/optimize/autoscale.h"
#include "core/checkpoint_file.h"
#include "core/error.h"

namespace streamml {

const LearnerRegistry& learner_registry() {
  // A new learner is one line here (DESIGN.md, "Adding a learner").
  static const LearnerRegistry registry = [] {
    LearnerRegistry r;
    r.add<LogisticRegressionSGD>(
        "binary logistic regression by SGD: Spark's streaming mini-batch mode, or online SGD / AdaGrad / FTRL");
    r.add<StreamingKMeans>("Spark's streaming k-means with forgetting (decay_factor / half_life)");
    r.add<WindowedDBSCAN>("DBSCAN over a sliding window of batches; its noise points are the stream's anomalies");
    r.add<PrequentialEvaluator>("test-then-train figures of a classifier (log loss, accuracy, AUC)");
    r.add<AlternatingLeastSquares>(
        "Spark's ALS (explicit or implicit feedback) with fold-in every batch over a bounded interaction store");
    r.add<PrequentialRanking>("test-then-train top-N figures of a recommender (recall@N, MRR) against popularity");
    r.add<Allocator>("services' forecast demand placed on servers at least cost, an LP re-solved warm by CLP each batch");
    r.add<Autoscaler>("instance counts per service: DS2's rule, a CBC MIP under a budget or shared capacity");
    r.add<ChurnModel>("churn risk per customer from purchases: activity features and ALS tastes, a logistic model "
                      "trained on labels that mature `horizon` days later");
    return r;
  }();
  return registry;
}

namespace {
// The file's type, checked against the registry before anything is made.
const LearnerType& type_of(const CheckpointInfo& info) {
  const LearnerType* type = learner_registry().find(info.learner_type);
  if (type) return *type;
  std::string known;
  for (const auto& n : learner_registry().names()) known += (known.empty() ? "" : ", ") + n;
  STREAMML_FAIL(InvalidInput, info.path << ": holds a '" << info.learner_type << "' checkpoint; the known types are "
                                        << known
                                        << (info.learner_type == "pipeline"
                                                ? " (a pipeline's manifest names its stages' versions: load those)"
                                                : ""));
}
// The object a checkpoint's attributes name, with its settings (its state comes after).
std::unique_ptr<Stateful> made_from(const CheckpointInfo& info) { return type_of(info).from_json(info.params); }

}  // namespace

std::unique_ptr<Stateful> load_any_checkpoint(const std::string& path) {
  return load_made_checkpoint_file(path, made_from);
}

std::unique_ptr<Stateful> load_any_checkpoint_bytes(const void* data, std::size_t size, const std::string& name) {
  return load_made_checkpoint_bytes(data, size, made_from, name);
}

}  // namespace streamml
