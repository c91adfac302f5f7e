#include "apps/learner_registry.h"

#include "algorithms/clustering/streaming_kmeans.h"
#include "algorithms/clustering/windowed_dbscan.h"
#include "algorithms/linear/logistic_regression_sgd.h"
#include "apps/clustering_stage.h"
#include "apps/prequential_stage.h"
#include "core/error.h"
#include "core/settings.h"

namespace streamml {

namespace {
std::size_t parse_count(const std::string& key, const std::string& value) {
  std::size_t used = 0;
  long long n = -1;
  try {
    n = std::stoll(value, &used);
  } catch (const std::exception&) {
  }
  STREAMML_CHECK(used == value.size() && n > 0, InvalidInput,
                 "--param " << key << " must be a positive integer, got '" << value << "'");
  return std::size_t(n);
}

// Settings from "k=v" text through the settings struct's own parser, then validated.
template <class Settings>
Settings settings_from(const std::map<std::string, std::string>& params) {
  Settings settings;
  for (const auto& [k, v] : params) settings.set(k, v);
  settings.validate();
  return settings;
}

}  // namespace

std::vector<std::string> learner_names() { return {"logreg", "kmeans", "dbscan"}; }

std::unique_ptr<Stage> make_learner_stage(const std::string& name,
                                          const std::vector<std::string>& params,
                                          const std::string& curve_path) {
  auto settings = parse_params(params);
  if (name == "logreg") {
    // Evaluation settings come as params too, prefixed "eval_".
    PrequentialSettings evaluation;
    for (auto it = settings.begin(); it != settings.end();) {
      if (it->first == "eval_window") evaluation.window = parse_count(it->first, it->second);
      else if (it->first == "eval_auc_bins") evaluation.auc_bins = parse_count(it->first, it->second);
      else {
        ++it;
        continue;
      }
      it = settings.erase(it);
    }
    const auto s = settings_from<LogisticRegressionSGDSettings>(settings);
    evaluation.threshold = s.threshold;
    evaluation.validate();
    return std::make_unique<PrequentialStage>(std::make_unique<LogisticRegressionSGD>(s),
                                              evaluation, curve_path);
  }
  STREAMML_CHECK(curve_path.empty(), InvalidInput,
                 "--curve is the learning curve of a supervised learner; '" << name
                                                                           << "' has none");
  if (name == "kmeans")
    return std::make_unique<ClusteringStage>(
        std::make_unique<StreamingKMeans>(settings_from<StreamingKMeansSettings>(settings)));
  if (name == "dbscan")
    return std::make_unique<ClusteringStage>(
        std::make_unique<WindowedDBSCAN>(settings_from<WindowedDBSCANSettings>(settings)));
  std::string known;
  for (const auto& n : learner_names()) known += (known.empty() ? "" : ", ") + n;
  STREAMML_FAIL(InvalidInput, "unknown learner '" << name << "' (known: " << known << ")");
}

}  // namespace streamml
