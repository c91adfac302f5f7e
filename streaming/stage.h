// Stage: a step of the pipeline that sees every batch, in order, one at a time.
//
// Learners, windowed operators and DStream graphs are stages; sinks (streaming/sinks/) come
// after them. A stage may parallelise inside a batch
// (oneTBB), but its calls are never concurrent with each other, so it may keep state freely.
#pragma once

#include <string>

#include "core/batch.h"
#include "core/stateful.h"

namespace streamml {

class JsonWriter;

class Stage {
 public:
  virtual ~Stage() = default;
  // Shown in the progress line, the summary and error messages.
  virtual std::string name() const = 0;
  virtual void process(Batch& batch) = 0;
  // The stream ended (after the last batch). `end` is an empty batch that stands for the end of
  // the stream (numbered after the last one, at its end position): a stage that holds results
  // until then (windows an end-of-stream flush closes) adds them to it as result tables, and
  // the sinks receive it after every stage.
  virtual void finish(Batch& /*end*/) {}
  // The stage's figures for the run summary, written as the members of a JSON object.
  virtual void write_summary(JsonWriter& /*out*/) const {}
  // A few words for the progress line ("auc 0.812"); empty for nothing.
  virtual std::string progress() const { return {}; }
  // A stage with state to checkpoint returns it (saved under the stage's name); others return
  // null and say whether that is because they keep nothing from batch to batch.
  virtual Stateful* stateful() { return nullptr; }
  // True for a stage that keeps no state across batches (a filter, a printer). A stage that
  // is neither stateful() nor stateless() may hold state a checkpoint cannot see: a pipeline
  // with checkpoints refuses it, since a resume would skip the records that state had seen.
  virtual bool stateless() const { return false; }
};

// What a function stage declares about its state (Pipeline::add_stage).
enum class StageState {
  Undeclared,  // fine without checkpoints; refused with them
  Stateless,   // keeps nothing across batches: safe to resume
};

}  // namespace streamml
