#include "streaming/pipeline.h"

#include <oneapi/tbb/info.h>
#include <oneapi/tbb/parallel_pipeline.h>
#include <oneapi/tbb/task_arena.h>

#include <atomic>
#include <chrono>
#include <optional>

#include "core/checkpoint_store.h"
#include "core/error.h"
#include "core/json.h"
#include "core/tsan_handoff.h"
#include "streaming/pacer.h"

namespace streamml {

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

class FunctionStage : public Stage {
 public:
  FunctionStage(std::string name, std::function<void(Batch&)> fn, StageState declared, Stateful* state)
      : name_(std::move(name)), fn_(std::move(fn)), declared_(declared), state_(state) {}
  std::string name() const override { return name_; }
  void process(Batch& batch) override { fn_(batch); }
  Stateful* stateful() override { return state_; }
  bool stateless() const override { return declared_ == StageState::Stateless; }

 private:
  std::string name_;
  std::function<void(Batch&)> fn_;
  StageState declared_;
  Stateful* state_;
};

// Adds where an exception came from, keeping its kind (so bad input stays a ValueError).
[[noreturn]] void rethrow_with_context(const std::string& where) {
  try {
    throw;
  } catch (const Error& e) {
    throw Error(e.kind(), where + ": " + e.message(), e.location());
  } catch (const std::exception& e) {
    throw Error(ErrorKind::Runtime, where + ": " + e.what());
  }
}

}  // namespace

void PipelineSettings::validate() const {
  batching.validate();
  bad_records.validate();
  checkpoint.validate();
  Pacer check(speed);  // validates the speed
  (void)check;
}

Pipeline::Pipeline(std::unique_ptr<Source> source, PipelineSettings settings)
    : source_(std::move(source)), settings_(std::move(settings)) {
  STREAMML_CHECK(source_ != nullptr, InvalidInput, "pipeline needs a source, got null");
  settings_.validate();
}

Pipeline& Pipeline::add_stage(std::unique_ptr<Stage> stage) {
  STREAMML_CHECK(stage != nullptr, InvalidInput, "pipeline stage is null");
  for (const auto& other : stages_)
    STREAMML_CHECK(other->name() != stage->name(), InvalidInput,
                   "the pipeline has two stages named '" << stage->name() << "': give each its own name");
  if (stage->stateful()) check_model_name(stage->name());
  stages_.push_back(std::move(stage));
  return *this;
}

Pipeline& Pipeline::add_stage(std::string name, std::function<void(Batch&)> fn, StageState state) {
  return add_stage(std::make_unique<FunctionStage>(std::move(name), std::move(fn), state, nullptr));
}

Pipeline& Pipeline::add_stage(std::string name, std::function<void(Batch&)> fn, Stateful& state) {
  return add_stage(std::make_unique<FunctionStage>(std::move(name), std::move(fn), StageState::Undeclared, &state));
}

Pipeline& Pipeline::add_learner(std::string name, std::shared_ptr<Learner> learner,
                                const EvaluationSettings& evaluation) {
  return add_stage(make_learner_stage(std::move(name), std::move(learner), evaluation));
}

Pipeline& Pipeline::add_sink(std::unique_ptr<Sink> sink) {
  STREAMML_CHECK(sink != nullptr, InvalidInput, "pipeline sink is null");
  for (const auto& other : sinks_)
    STREAMML_CHECK(other->name() != sink->name(), InvalidInput,
                   "the pipeline has two sinks named '" << sink->name() << "': each writes its own output");
  sinks_.push_back(std::move(sink));
  return *this;
}

PipelineReport Pipeline::run(ProgressReporter* progress) {
  const std::size_t threads =
      settings_.threads ? settings_.threads : std::size_t(oneapi::tbb::info::default_concurrency());
  const std::size_t tokens =
      settings_.max_chunks_in_flight ? settings_.max_chunks_in_flight : 2 * threads + 2;

  PipelineReport report;
  report.source = source_->name();
  report.threads = threads;

  // Checkpoints: restore the stages and find where the stream goes on from.
  std::optional<CheckpointCoordinator> coordinator;
  std::int64_t first_index = settings_.first_batch_index;
  std::optional<EventTime> interval_start;
  BadRecordPolicy bad_policy = settings_.bad_records;
  StreamTotals before;  // what the runs before this one delivered
  std::vector<std::string> sink_marks;  // resumed: where each sink's output is cut back to
  if (settings_.checkpoint.enabled()) {
    for (const auto& stage : stages_)
      STREAMML_CHECK(stage->stateful() || stage->stateless(), InvalidInput,
                     "stage '" << stage->name() << "' has not said how it keeps state, so a checkpoint cannot hold "
                     "it: a resume would seek the stream past records whose effect on that state is lost. Add it "
                     "with add_stage(name, fn, StageState::Stateless) if it keeps nothing across batches, or "
                     "add_stage(name, fn, model) with the Stateful object it updates");
    std::vector<std::pair<std::string, Stateful*>> models;
    for (auto& stage : stages_)
      if (Stateful* state = stage->stateful()) models.emplace_back(stage->name(), state);
    std::vector<Sink*> sinks;
    for (auto& sink : sinks_) sinks.push_back(sink.get());
    coordinator.emplace(settings_.checkpoint, std::move(models), std::move(sinks));
    if (!bad_policy.dead_letter_path.empty()) coordinator->sync_before_manifest(bad_policy.dead_letter_path);
    if (settings_.checkpoint.resume) {
      if (auto point = coordinator->restore()) {
        sink_marks = point->sink_marks;
        source_->seek(point->position);
        first_index = point->batch_index + 1;
        interval_start = point->next_interval_start;
        before = point->totals;
        report.resumed_from = point->manifest_version;
        report.resumed_batch_index = point->batch_index;
        report.records_skipped = point->position.records;
        report.resume_notes = point->notes;
        if (!bad_policy.dead_letter_path.empty()) {
          trim_dead_letter(bad_policy.dead_letter_path, point->position);
          bad_policy.dead_letter_append = true;
        }
      } else {
        report.resume_notes.push_back("no checkpoint in '" + settings_.checkpoint.dir +
                                      "' yet: started from the beginning");
      }
    }
  }
  report.start_position = source_->position();
  report.end_position = report.start_position;
  for (std::size_t i = 0; i < sinks_.size(); ++i) {
    try {
      sinks_[i]->open(i < sink_marks.size() ? std::optional<std::string>(sink_marks[i]) : std::nullopt);
    } catch (...) {
      rethrow_with_context("opening output '" + sinks_[i]->name() + "'");
    }
  }

  MicroBatcher batcher(settings_.batching, report.start_position, first_index, interval_start);
  if (merges_partitions(*source_)) batcher.merge_partitions();
  BadRecordHandler bad(bad_policy, display_name(*source_));
  Pacer pacer(settings_.speed);
  const auto total = source_->total_size();

  double read_seconds = 0, batch_seconds = 0;
  std::atomic<std::int64_t> parse_nanos{0};
  std::vector<double> stage_seconds(stages_.size(), 0.0), sink_seconds(sinks_.size(), 0.0);
  const auto t0 = Clock::now();

  auto snapshot = [&] {
    ProgressSnapshot s;
    s.records = report.records;
    s.batches = report.batches;
    s.bad_records = bad.count();
    s.done = report.end_position.offset;
    s.total = total;
    s.elapsed_seconds = seconds_since(t0);
    for (const auto& stage : stages_) {
      const std::string words = stage->progress();
      if (!words.empty()) s.stages += (s.stages.empty() ? "" : "  ") + stage->name() + " " + words;
    }
    const std::string source_words = source_->progress();
    if (!source_words.empty()) s.stages += (s.stages.empty() ? "" : "  ") + source_words;
    return s;
  };

  std::int64_t skipped_in_batches = 0;
  bool first_batch_all_bad = false;
  auto totals = [&] {
    StreamTotals t = before;
    t.records += report.records;
    t.batches += report.batches;
    t.bad_records += skipped_in_batches;
    t.late_records += batcher.late_records();
    return t;
  };

  auto write_sinks = [&](const Batch& batch) {
    for (std::size_t i = 0; i < sinks_.size(); ++i) {
      const auto s0 = Clock::now();
      try {
        sinks_[i]->write(batch);
      } catch (...) {
        rethrow_with_context("output '" + sinks_[i]->name() + "' failed on batch " + std::to_string(batch.index));
      }
      sink_seconds[i] += seconds_since(s0);
    }
  };

  // Runs every stage on one batch, in order, then the sinks; called from the serial filter only.
  auto deliver = [&](Batch&& batch) {
    pacer.wait(batch);
    for (std::size_t i = 0; i < stages_.size(); ++i) {
      const auto s0 = Clock::now();
      try {
        stages_[i]->process(batch);
      } catch (...) {
        rethrow_with_context("stage '" + stages_[i]->name() + "' failed on batch " +
                             std::to_string(batch.index));
      }
      stage_seconds[i] += seconds_since(s0);
    }
    write_sinks(batch);
    report.records += std::int64_t(batch.rows);
    report.batches += 1;
    report.empty_batches += batch.rows == 0;
    report.end_position = batch.end_position;
    skipped_in_batches += batch.skipped_records;
    if (coordinator) {
      const std::int64_t written = coordinator->checkpoints_written();
      try {
        coordinator->after_batch(batch, totals());
      } catch (...) {
        rethrow_with_context("checkpoint after batch " + std::to_string(batch.index));
      }
      if (coordinator->checkpoints_written() != written) source_->checkpointed(batch.end_position);
    }
    if (report.batches == 1) first_batch_all_bad = batch.rows == 0 && batch.skipped_records > 0;
    const StreamTotals so_far = totals();
    bad.check_fraction(so_far.records, so_far.bad_records, false, first_batch_all_bad);
    if (progress) progress->update(snapshot());
  };

  auto drain = [&] {
    while (auto batch = batcher.pop()) deliver(std::move(*batch));
  };

  // The items in flight live in `items`, one slot per token: no more than `tokens` are alive
  // at once and the serial reader fills the slots in turn, so a slot is free again by the time
  // the reader comes back to it. oneTBB passes only a slot's number from filter to filter and
  // never touches an item, and under ThreadSanitizer each hand-off it makes (reader -> parser
  // -> deliverer through the slot, and each serial filter's turns) is stated in
  // core/tsan_handoff.h's terms. Items a stop or an exception leaves behind go with `items`.
  struct Item {
    Chunk chunk;
    RecordBlock block;
  };
  std::vector<Item> items(tokens);
  std::size_t next_slot = 0;
  const char read_turn = 0, deliver_turn = 0;
  tsan::release(&read_turn);  // what run() set up happens before either serial filter's first turn
  tsan::release(&deliver_turn);
  const auto join = [&] {  // ... and every filter's work before what follows the pipeline
    tsan::acquire(&read_turn);
    tsan::acquire(&deliver_turn);
    for (const Item& item : items) tsan::acquire(&item);
  };

  oneapi::tbb::task_arena arena{int(threads)};
  try {
    arena.execute([&] {
      oneapi::tbb::parallel_pipeline(
          tokens,
          oneapi::tbb::make_filter<void, std::size_t>(
              oneapi::tbb::filter_mode::serial_in_order,
              [&](oneapi::tbb::flow_control& fc) -> std::size_t {
                const tsan::TaskScope turn(&read_turn, &read_turn);
                const auto s0 = Clock::now();
                std::optional<Chunk> chunk;
                try {
                  chunk = source_->read_chunk();
                } catch (...) {
                  rethrow_with_context("reading " + display_name(*source_));
                }
                read_seconds += seconds_since(s0);
                if (!chunk) {
                  fc.stop();
                  return 0;
                }
                const std::size_t slot = next_slot++ % tokens;
                const tsan::TaskScope handoff(&items[slot], &items[slot]);  // its last holder is done
                items[slot].chunk = std::move(*chunk);
                return slot;
              }) &
              oneapi::tbb::make_filter<std::size_t, std::size_t>(
                  oneapi::tbb::filter_mode::parallel,
                  [&](std::size_t slot) -> std::size_t {
                    const tsan::TaskScope handoff(&items[slot], &items[slot]);
                    Item& item = items[slot];
                    const auto s0 = Clock::now();
                    const auto first_line = item.chunk.begin_line + 1;
                    try {
                      item.block = source_->parse(std::move(item.chunk));
                    } catch (...) {
                      rethrow_with_context("parsing " + display_name(*source_) + " from line " +
                                           std::to_string(first_line));
                    }
                    parse_nanos += std::chrono::duration_cast<std::chrono::nanoseconds>(
                                       Clock::now() - s0).count();
                    return slot;
                  }) &
              oneapi::tbb::make_filter<std::size_t, void>(
                  oneapi::tbb::filter_mode::serial_in_order, [&](std::size_t slot) {
                    const tsan::TaskScope turn(&deliver_turn, &deliver_turn);
                    const tsan::TaskScope handoff(&items[slot], &items[slot]);
                    RecordBlock block = std::move(items[slot].block);
                    const auto s0 = Clock::now();
                    const auto error = bad.admit(block);
                    report.bytes += block.bytes;
                    batcher.push(std::move(block));
                    batch_seconds += seconds_since(s0);
                    drain();
                    if (error) throw *error;  // after the batches before the bad record
                  }));
    });
  } catch (...) {
    join();
    throw;
  }
  join();
  // Stopped rather than ended: the open batch is incomplete, and a resume reads it again.
  if (!source_->stopped()) {
    batcher.finish();
    drain();
  }
  bad.check_fraction(totals().records, before.bad_records + bad.count(), true, first_batch_all_bad);
  if (coordinator) {
    const std::int64_t written = coordinator->checkpoints_written();
    try {
      coordinator->at_end(totals());
    } catch (...) {
      rethrow_with_context("checkpoint at the end of the stream");
    }
    if (coordinator->checkpoints_written() != written) source_->checkpointed(report.end_position);
    report.checkpoints_written = coordinator->checkpoints_written();
    report.last_checkpoint = coordinator->last_version();
    report.checkpoint_seconds = coordinator->seconds();
  }
  // The end of the stream, after its last checkpoint: what the stages held until now (an
  // end-of-stream window flush) is computed again from that checkpoint by a resumed run, so
  // the sinks write it exactly once too.
  Batch end;
  end.index = first_index + report.batches;
  end.end_position = report.end_position;
  for (auto& stage : stages_) {
    try {
      stage->finish(end);
    } catch (...) {
      rethrow_with_context("stage '" + stage->name() + "' failed at the end of the stream");
    }
  }
  write_sinks(end);
  for (auto& sink : sinks_) {
    try {
      sink->close();
    } catch (...) {
      rethrow_with_context("closing output '" + sink->name() + "'");
    }
  }

  report.wall_seconds = seconds_since(t0);
  report.bad_records = bad.count();
  report.bad_examples = bad.examples();
  report.late_records = batcher.late_records();
  if (const PartitionMerge* merge = batcher.merge()) {
    report.idle_passes = merge->idle_passes();
    report.placed_after_idle = merge->placed_at_floor();
  }
  report.times.push_back({"read", read_seconds});
  report.times.push_back({"parse", double(parse_nanos.load()) * 1e-9});
  report.times.push_back({"batch", batch_seconds});
  for (std::size_t i = 0; i < stages_.size(); ++i)
    report.times.push_back({stages_[i]->name(), stage_seconds[i]});
  for (std::size_t i = 0; i < sinks_.size(); ++i) report.times.push_back({sinks_[i]->name(), sink_seconds[i]});
  JsonWriter summaries;
  summaries.begin_object();
  for (const auto& stage : stages_) {
    summaries.key(stage->name()).begin_object();
    stage->write_summary(summaries);
    summaries.end_object();
  }
  summaries.end_object();
  report.stage_summaries = summaries.str();
  if (progress) progress->finish(snapshot());
  return report;
}

std::string PipelineReport::to_json(bool pretty) const {
  JsonWriter w(pretty);
  w.begin_object();
  w.key("source").value(source);
  w.key("records").value(records);
  w.key("batches").value(batches);
  w.key("empty_batches").value(empty_batches);
  w.key("bad_records").value(bad_records);
  w.key("late_records").value(late_records);
  w.key("idle_passes").value(idle_passes);
  w.key("placed_after_idle").value(placed_after_idle);
  w.key("bytes").value(bytes);
  w.key("wall_seconds").value(wall_seconds);
  w.key("records_per_second").value(records_per_second());
  w.key("megabytes_per_second").value(megabytes_per_second());
  w.key("threads").value(threads);
  w.key("start_position").raw(start_position.to_json());
  w.key("end_position").raw(end_position.to_json());
  w.key("stage_seconds").begin_object();
  for (const auto& t : times) w.key(t.name).value(t.seconds);
  w.end_object();
  w.key("bad_record_examples").begin_array();
  for (const auto& e : bad_examples) w.value(e);
  w.end_array();
  w.key("stages").raw(stage_summaries.empty() ? "{}" : stage_summaries);
  w.key("checkpoints").begin_object();
  w.key("resumed_from").value(resumed_from);
  w.key("resumed_batch_index").value(resumed_batch_index);
  w.key("records_skipped").value(records_skipped);
  w.key("resume_notes").begin_array();
  for (const auto& n : resume_notes) w.value(n);
  w.end_array();
  w.key("written").value(checkpoints_written);
  w.key("last_version").value(last_checkpoint);
  w.key("seconds").value(checkpoint_seconds);
  w.end_object();
  w.end_object();
  return w.str();
}

}  // namespace streamml
