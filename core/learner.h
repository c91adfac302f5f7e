// Learner: the one interface through which the pipeline, the command line and the bindings
// drive a streaming learner. The maths inside a learner need not be virtual; only this
// boundary is. A learner is usable on a plain Batch, without any pipeline. Every learner is
// Stateful: a checkpoint saves and restores its whole state (core/stateful.h).
#pragma once

#include <string>

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

class Learner : public Stateful {
 public:
  virtual LearnerRole role() const = 0;

  // Learns one micro-batch (test-then-train callers predict first).
  virtual void partial_fit(const Batch& batch) = 0;
  // One score per record: P(y = 1) for classifiers, the cluster index for clusterers, ...
  virtual Eigen::VectorXd score(const Batch& batch) const = 0;

  // Learned-state figures for the run summary (weights norm, cluster sizes, ...).
  virtual void write_summary(JsonWriter& out) const = 0;
};

}  // namespace streamml
