#include "streaming/stages/prequential_stage.h"

#include <cmath>
#include <cstdio>

#include "core/error.h"
#include "core/json.h"
#include "core/state_io.h"

namespace streamml {

PrequentialStage::PrequentialStage(std::string name, std::shared_ptr<Learner> learner, PrequentialSettings evaluation)
    : name_(std::move(name)), learner_(std::move(learner)), evaluator_(evaluation) {
  STREAMML_CHECK(learner_ != nullptr, InvalidInput, "stage '" << name_ << "' needs a learner, got null");
}

void PrequentialStage::process(Batch& batch) {
  if (batch.empty()) return;
  STREAMML_CHECK(batch.has_labels(), InvalidInput,
                 "stage '" << name_ << "': learner '" << learner_->type() << "' needs labels: replay with --label COL");
  const Eigen::VectorXd scores = learner_->score(batch);  // test ...
  evaluator_.update(scores, Eigen::Map<const Eigen::VectorXd>(batch.labels.data(),
                                                              Eigen::Index(batch.rows)));
  learner_->partial_fit(batch);  // ... then train
  batch.add_output(name_ + ".probability", std::vector<double>(scores.data(), scores.data() + scores.size()));
}

void PrequentialStage::write_summary(JsonWriter& out) const {
  out.key("learner").value(learner_->type());
  out.key("params").raw(learner_->params_json());
  out.key("model").begin_object();
  learner_->write_summary(out);
  out.end_object();
  out.key("prequential").begin_object();
  evaluator_.write_summary(out);
  out.end_object();
}

std::string PrequentialStage::progress() const {
  if (evaluator_.count() == 0) return {};
  const PrequentialMetrics w = evaluator_.window();
  char buf[96];
  std::snprintf(buf, sizeof buf, "auc %.3f  logloss %.3f  acc %.3f", w.auc, w.log_loss, w.accuracy);
  return buf;
}

std::string PrequentialStage::metrics_json() const {
  JsonWriter w(false);
  w.begin_object();
  evaluator_.write_summary(w);
  w.end_object();
  return w.str();
}

void PrequentialStage::save_state(StateWriter& out) const {
  learner_->save_state(out);
  // The file's state_version is the learner's: the evaluator records its own layout.
  StateWriter evaluation = write_part(out, "evaluation", evaluator_.state_version());
  evaluator_.save_state(evaluation);
}

void PrequentialStage::load_state(const std::string& params, const StateReader& in) {
  PrequentialEvaluator evaluator;
  evaluator.load_state(read_part(in, "evaluation"));  // first: the learner's load cannot be undone
  learner_->load_state(params, in);
  evaluator_ = std::move(evaluator);
}

std::string learning_curve_csv(const PrequentialEvaluator& evaluator) {
  std::string out =
      "batch,batch_count,batch_log_loss,batch_accuracy,batch_auc,"
      "window_count,window_log_loss,window_accuracy,window_auc,"
      "cumulative_count,cumulative_log_loss,cumulative_accuracy,cumulative_auc\n";
  char buf[64];
  auto add = [&](const PrequentialMetrics& m) {
    std::snprintf(buf, sizeof buf, ",%lld,%.6g,%.6g,%.6g", (long long)m.count, m.log_loss,
                  m.accuracy, m.auc);
    out += buf;
  };
  for (const auto& p : evaluator.curve()) {  // what is kept (prequential.h)
    out += std::to_string(p.batch);
    add(p.batch_metrics);
    add(p.window_metrics);
    add(p.cumulative_metrics);
    out += '\n';
  }
  return out;
}

}  // namespace streamml
