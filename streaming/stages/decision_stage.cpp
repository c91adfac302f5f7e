#include "streaming/stages/decision_stage.h"

#include <cstdio>

#include "core/error.h"
#include "core/json.h"
#include "core/state_io.h"

namespace streamml {

DecisionStage::DecisionStage(std::string name, std::shared_ptr<Learner> learner)
    : name_(std::move(name)), learner_(std::move(learner)) {
  STREAMML_CHECK(learner_ != nullptr, InvalidInput, "stage '" << name_ << "' needs a learner, got null");
  STREAMML_CHECK(learner_->role() == LearnerRole::Decision, InvalidInput,
                 "stage '" << name_ << "': a decision stage runs a learner of role 'decision', '" << learner_->type()
                           << "' is a " << role_name(learner_->role()));
}

void DecisionStage::process(Batch& batch) {
  if (batch.empty()) return;  // a quiet interval: no rates to observe, nothing to decide on
  learner_->partial_fit(batch);
  for (OutputColumn& column : learner_->output_columns(batch))
    batch.add_output(name_ + "." + column.name, std::move(column.values));
  const DecisionFigures f = learner_->decision_figures();
  ++totals_.decisions;
  totals_.cost += f.cost;
  totals_.changed += f.changed;
  totals_.reversals += f.reversals;
  totals_.last = f;
}

void DecisionStage::write_totals(JsonWriter& out) const {
  out.key("decisions").value(totals_.decisions);
  out.key("cost").value(totals_.cost);
  out.key("changed").value(totals_.changed);
  out.key("reversals").value(totals_.reversals);
  out.key("last_cost").value(totals_.last.cost);
  out.key("last_changed").value(totals_.last.changed);
}

void DecisionStage::write_summary(JsonWriter& out) const {
  out.key("learner").value(learner_->type());
  out.key("params").raw(learner_->params_json());
  out.key("model").begin_object();
  learner_->write_summary(out);
  out.end_object();
  write_totals(out);
}

std::string DecisionStage::progress() const {
  if (totals_.decisions == 0) return {};
  char buf[128];
  std::snprintf(buf, sizeof buf, "decisions %lld  cost %.6g  changed %.6g  reversals %lld", (long long)totals_.decisions,
                totals_.cost, totals_.changed, (long long)totals_.reversals);
  return buf;
}

std::string DecisionStage::metrics_json() const {
  JsonWriter w(false);
  w.begin_object();
  write_totals(w);
  w.end_object();
  return w.str();
}

void DecisionStage::save_state(StateWriter& out) const {
  learner_->save_state(out);
  StateWriter stage = out.group("stage");
  stage.write_int("decisions", totals_.decisions);
  stage.write_double("cost", totals_.cost);
  stage.write_double("changed", totals_.changed);
  stage.write_int("reversals", totals_.reversals);
  stage.write_double("last_cost", totals_.last.cost);
  stage.write_double("last_changed", totals_.last.changed);
  stage.write_int("last_reversals", totals_.last.reversals);
}

void DecisionStage::load_state(const std::string& params, const StateReader& in) {
  const StateReader stage = in.group("stage");
  DecisionTotals t;
  t.decisions = stage.read_int("decisions");
  t.cost = stage.read_double("cost");
  t.changed = stage.read_double("changed");
  t.reversals = stage.read_int("reversals");
  t.last.cost = stage.read_double("last_cost");
  t.last.changed = stage.read_double("last_changed");
  t.last.reversals = stage.read_int("last_reversals");
  STREAMML_CHECK(t.decisions >= 0 && t.reversals >= 0 && t.last.reversals >= 0, InvalidInput,
                 stage.where("decisions") << ": counters must be >= 0");
  learner_->load_state(params, in);  // last: it cannot be undone
  totals_ = t;
}

}  // namespace streamml
