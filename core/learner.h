// Learner: the one interface through which the pipeline, the command line and the bindings
// drive a streaming learner. The maths inside a learner need not be virtual; only this
// boundary is. A learner is usable on a plain Batch, without any pipeline. Every learner is
// Stateful: a checkpoint saves and restores its whole state (core/stateful.h).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <Eigen/Core>

#include "core/batch.h"
#include "core/stateful.h"

namespace streamml {

class JsonWriter;

// What a learner does with a batch, which decides how a pipeline runs it (streaming/stages/).
enum class LearnerRole {
  Classifier,   // scores P(y = 1) and learns from labels: evaluated test-then-train
  Clusterer,    // a cluster per record (-1: noise), learned without labels
  Recommender,  // ranks items for users from (user, item, rating) records
  Decision,     // turns each batch into decisions (allocations, instance counts)
  Evaluator,    // not a stage: an evaluator checkpointed on its own
};

// "classifier", "clusterer", ...
const char* role_name(LearnerRole role);

// What a decision learner's last decision cost and changed, for its stage's progress line and
// summary (streaming/stages/decision_stage.h), in the learner's own units.
struct DecisionFigures {
  double cost = 0;             // what the decision costs for one window (instances, serving, moves)
  double changed = 0;          // how far it moved from the one before (instances started + stopped, ...)
  std::int64_t reversals = 0;  // entities whose change turned direction (up after down, or down after up)
};

class Learner : public Stateful {
 public:
  virtual LearnerRole role() const = 0;

  // Learns one micro-batch (test-then-train callers predict first).
  virtual void partial_fit(const Batch& batch) = 0;
  // One score per record: P(y = 1) for classifiers, the cluster index for clusterers, ...
  virtual Eigen::VectorXd score(const Batch& batch) const = 0;

  // Learned-state figures for the run summary (weights norm, cluster sizes, ...).
  virtual void write_summary(JsonWriter& out) const = 0;

  // Per-record columns a stage adds to a batch the learner has just learned, named without the
  // stage's prefix ("instances" becomes "<stage>.instances"): a decision learner's decision for
  // each record's entity. Default: none.
  virtual std::vector<OutputColumn> output_columns(const Batch& /*batch*/) const { return {}; }
  // A decision learner's figures for the decision made on the last batch it learned. Default:
  // zeros (a learner that decides nothing).
  virtual DecisionFigures decision_figures() const { return {}; }
};

}  // namespace streamml
