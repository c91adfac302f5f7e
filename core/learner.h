// Learner: the one interface through which the pipeline, the command line and the bindings
// drive a streaming learner. The maths inside a learner need not be virtual; only this
// boundary is. A learner is usable on a plain Batch, without any pipeline.
#pragma once

#include <string>

#include <Eigen/Core>

#include "core/batch.h"

namespace streamml {

class JsonWriter;

class Learner {
 public:
  virtual ~Learner() = default;

  // The name used on the command line and in checkpoints, e.g. "logreg".
  virtual std::string type() const = 0;
  // Settings as JSON (what a fresh learner is rebuilt from).
  virtual std::string params_json() const = 0;

  // Learns one micro-batch (test-then-train callers predict first).
  virtual void partial_fit(const Batch& batch) = 0;
  // One score per record: P(y = 1) for classifiers, the cluster index for clusterers, ...
  virtual Eigen::VectorXd score(const Batch& batch) const = 0;

  // Learned-state figures for the run summary (weights norm, cluster sizes, ...).
  virtual void write_summary(JsonWriter& out) const = 0;
};

}  // namespace streamml
