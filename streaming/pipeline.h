// Pipeline: a source replayed through the micro-batcher and the stages, on oneTBB.
//
//   read (serial) -> parse (parallel) -> batch + stages + sinks (serial, in order)
//
// Sinks receive every batch after the stages, then the end-of-stream batch (Stage::finish),
// and take part in checkpoints so their output is exactly once across crashes (sinks/sink.h).
//
// parallel_pipeline's token limit bounds the chunks in flight, which is the back-pressure:
// a slow stage stops the reader instead of filling memory. Stages see batches in stream
// order, one at a time, and may parallelise inside a batch. Batches are identical for any
// thread count. An exception anywhere stops the pipeline and surfaces on the caller's thread
// with the stage and batch it came from.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "streaming/bad_records.h"
#include "streaming/checkpoint_coordinator.h"
#include "streaming/micro_batcher.h"
#include "streaming/progress.h"
#include "streaming/sinks/sink.h"
#include "streaming/source.h"
#include "streaming/stage.h"
#include "streaming/stages/learner_stage.h"

namespace streamml {

struct PipelineSettings {
  BatchingSettings batching;
  BadRecordPolicy bad_records;
  double speed = 0;                 // 0: as fast as possible; X: X times the recorded pace
  std::size_t threads = 0;          // 0: every core
  std::size_t max_chunks_in_flight = 0;  // 0: 2 per thread + 2
  std::int64_t first_batch_index = 0;    // resume continues the numbering
  CheckpointSettings checkpoint;         // checkpoints of the stateful stages, and resume

  void validate() const;
};

struct StageTime {
  std::string name;
  double seconds = 0;  // summed over calls (and, for parse, over threads)
};

struct PipelineReport {
  std::string source;
  std::int64_t records = 0;       // good records delivered in batches
  std::int64_t batches = 0;
  std::int64_t empty_batches = 0;
  std::int64_t bad_records = 0;
  std::int64_t late_records = 0;
  // Partitions merged by event time (partition_merge.h): times a partition was passed over as
  // idle, and records placed later than their time because of it (0 and 0: the exact order).
  std::int64_t idle_passes = 0;
  std::int64_t placed_after_idle = 0;
  std::int64_t bytes = 0;
  double wall_seconds = 0;
  std::size_t threads = 0;
  Position start_position;
  Position end_position;
  std::vector<StageTime> times;            // read, parse, batch, then each stage
  std::vector<std::string> bad_examples;   // the first few, "file:line:column: reason"
  std::string stage_summaries;             // {"stage name": {...}, ...} as JSON
  // Checkpoints: the manifest version resumed from (0: a fresh start), the records before its
  // position (read by the runs before, not again), damaged checkpoints passed over, and
  // what this run wrote.
  std::int64_t resumed_from = 0;
  std::int64_t resumed_batch_index = -1;
  std::int64_t records_skipped = 0;
  std::vector<std::string> resume_notes;
  std::int64_t checkpoints_written = 0;
  std::int64_t last_checkpoint = 0;
  double checkpoint_seconds = 0;

  double records_per_second() const { return wall_seconds > 0 ? records / wall_seconds : 0; }
  double megabytes_per_second() const { return wall_seconds > 0 ? bytes / 1e6 / wall_seconds : 0; }
  std::string to_json(bool pretty = true) const;
};

class Pipeline {
 public:
  Pipeline(std::unique_ptr<Source> source, PipelineSettings settings);
  // Stages run in the order added; names are unique in a pipeline, and a stateful stage's name
  // names its checkpoints (letters, digits, '.', '_', '-').
  Pipeline& add_stage(std::unique_ptr<Stage> stage);
  // A stage from a function. With checkpoints, it must say how it keeps state: `Stateless`,
  // or the Stateful object it updates (saved and restored under the stage's name).
  Pipeline& add_stage(std::string name, std::function<void(Batch&)> fn, StageState state = StageState::Undeclared);
  Pipeline& add_stage(std::string name, std::function<void(Batch&)> fn, Stateful& state);
  // A learner under a name of the user's, run as its role says (streaming/stages/): a
  // classifier test-then-train, a clusterer learn-then-label, a decision learner
  // observe-then-decide. What `streamml replay --learner TYPE` runs. Two learners of one type
  // coexist under different names.
  Pipeline& add_learner(std::string name, std::shared_ptr<Learner> learner, const EvaluationSettings& evaluation = {});
  // A sink (e.g. FileSink, streaming/sinks/file_sink.h): it receives every batch after all the
  // stages, in the order sinks were added; names are unique. With checkpoints, its mark is in
  // every checkpoint and a resume cuts its output back to it.
  Pipeline& add_sink(std::unique_ptr<Sink> sink);

  // Runs to the end of the stream. progress may be null.
  PipelineReport run(ProgressReporter* progress = nullptr);

  Source& source() { return *source_; }

 private:
  std::unique_ptr<Source> source_;
  PipelineSettings settings_;
  std::vector<std::unique_ptr<Stage>> stages_;
  std::vector<std::unique_ptr<Sink>> sinks_;
};

}  // namespace streamml
