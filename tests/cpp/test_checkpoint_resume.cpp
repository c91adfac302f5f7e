// Exactly-once resume of a pipeline from its checkpoints (CheckpointCoordinator).
//
// Oracle everywhere: one uninterrupted run of the same file with the same settings. A run is
// "crashed" by a stage that throws after a given batch (the SIGKILL version, with the real
// command line, is tests/python/test_crash_resume.py); the run resumed from the checkpoints
// must then see exactly the batches the uninterrupted run saw after the checkpoint, and end
// in the same state.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <functional>
#include <sstream>

#include "core/checkpoint_store.h"
#include "core/state_io.h"
#include "streaming/file_source.h"
#include "streaming/pipeline.h"
#include "test_helpers.h"

namespace streamml {
namespace {

using testing::error_of;
using testing::temp_dir;
using testing::write_file;

// A stateful stage that remembers, as its state, a digest of everything it was given (so any
// batch seen twice, missed or cut differently changes it), and outside its state the batches
// this run delivered (to compare a resumed run's batches with the uninterrupted run's tail).
class Recorder : public Stage, public Stateful {
 public:
  struct Seen {
    std::int64_t index, rows, skipped;
    EventTime interval_start;
    double first;
    bool operator==(const Seen& o) const {
      return index == o.index && rows == o.rows && skipped == o.skipped && interval_start == o.interval_start &&
             (first == o.first || (std::isnan(first) && std::isnan(o.first)));
    }
  };

  explicit Recorder(std::int64_t crash_after = -1) : crash_after_(crash_after) {}

  std::string name() const override { return "recorder"; }
  void process(Batch& b) override {
    for (std::size_t i = 0; i < b.features.size(); ++i) digest_ = digest_ * 1.0000001 + b.features[i];
    records_ += std::int64_t(b.rows);
    skipped_ += b.skipped_records;
    batches_ += 1;
    seen.push_back({b.index, std::int64_t(b.rows), b.skipped_records, b.interval_start,
                    b.rows ? b.features[0] : std::nan("")});
    if (b.index == crash_after_) throw std::runtime_error("simulated crash");
  }
  Stateful* stateful() override { return this; }

  std::string type() const override { return "recorder"; }
  std::string params_json() const override { return "{}"; }
  void save_state(StateWriter& out) const override {
    out.write_double("digest", digest_);
    out.write_int("records", records_);
    out.write_int("skipped", skipped_);
    out.write_int("batches", batches_);
  }
  void load_state(const std::string&, const StateReader& in) override {
    digest_ = in.read_double("digest");
    records_ = in.read_int("records");
    skipped_ = in.read_int("skipped");
    batches_ = in.read_int("batches");
  }

  double digest_ = 0;
  std::int64_t records_ = 0, skipped_ = 0, batches_ = 0;
  std::vector<Seen> seen;

 private:
  std::int64_t crash_after_;
};

// Records at irregular event times with gaps of whole intervals (empty batches), a few out
// of order (late), and bad lines between them.
std::string stream_text(int n, bool with_bad) {
  std::ostringstream out;
  out << "t,x,y\n";
  double t = 1000;
  for (int i = 0; i < n; ++i) {
    t += (i % 37 == 0) ? 25.0 : 0.7;                // every 37th record jumps over empty intervals
    const double when = (i % 53 == 7) ? t - 6 : t;  // late records
    out << when << "," << (i * 0.5 - 3) << "," << (i % 2) << "\n";
    if (with_bad && i % 41 == 5) out << when << ",oops," << (i % 2) << "\n";
  }
  return out.str();
}

struct ReplayRun {
  std::unique_ptr<Pipeline> pipeline;  // owns the recorder
  Recorder* recorder = nullptr;
  PipelineReport report;
  std::string error;
};

ReplayRun run(const std::string& path, const PipelineSettings& settings, std::int64_t crash_after = -1) {
  FileSourceOptions in;
  in.schema.label = "y";
  in.schema.time = "t";
  in.chunk_bytes = 512;  // many chunks in flight: resume must not depend on where they fall
  in.bad_records = settings.bad_records;
  ReplayRun r;
  r.pipeline = std::make_unique<Pipeline>(open_file_source(path, in), settings);
  auto recorder = std::make_unique<Recorder>(crash_after);
  r.recorder = recorder.get();
  r.pipeline->add_stage(std::move(recorder));
  try {
    r.report = r.pipeline->run();
  } catch (const std::exception& e) {
    r.error = e.what();
  }
  return r;
}

PipelineSettings settings_for(const std::string& dir, BatchingSettings batching, std::int64_t every) {
  PipelineSettings s;
  s.batching = batching;
  s.threads = 2;
  s.checkpoint.dir = dir;
  s.checkpoint.every_batches = every;
  return s;
}

// crash_at: the batch to crash on, chosen from the uninterrupted run's batches.
using CrashChoice = std::function<std::int64_t(const std::vector<Recorder::Seen>&)>;

void expect_resume_equals_uninterrupted(const std::string& test, BatchingSettings batching, CrashChoice crash_at,
                                        bool with_bad) {
  const auto dir = temp_dir(test);
  const std::string path = write_file(dir / "stream.csv", stream_text(600, with_bad)).string();
  PipelineSettings plain = settings_for("", batching, 0);
  plain.bad_records.dead_letter_path = (dir / "whole.dead.jsonl").string();
  const ReplayRun whole = run(path, plain);
  ASSERT_TRUE(whole.error.empty()) << whole.error;
  const std::int64_t crash_after = crash_at(whole.recorder->seen);

  PipelineSettings s = settings_for((dir / "ck").string(), batching, 3);
  s.bad_records.dead_letter_path = (dir / "crash.dead.jsonl").string();
  const ReplayRun crashed = run(path, s, crash_after);
  ASSERT_NE(crashed.error.find("simulated crash"), std::string::npos) << crashed.error;

  s.checkpoint.resume = true;
  const ReplayRun resumed = run(path, s);
  ASSERT_TRUE(resumed.error.empty()) << resumed.error;
  // Checkpoints come after batches 2, 5, 8, ...; the crashing batch never completes, so the
  // last one is after the last such batch before it.
  const std::int64_t checkpointed = crash_after / 3 * 3 - 1;
  EXPECT_EQ(resumed.report.resumed_batch_index, checkpointed);
  ASSERT_FALSE(resumed.recorder->seen.empty());
  EXPECT_EQ(resumed.recorder->seen.front().index, checkpointed + 1);
  // The tail of the uninterrupted run, batch for batch: index, size, bad records carried,
  // interval start and first value.
  std::vector<Recorder::Seen> tail(whole.recorder->seen.begin() + (checkpointed + 1), whole.recorder->seen.end());
  EXPECT_EQ(resumed.recorder->seen.size(), tail.size());
  for (std::size_t i = 0; i < tail.size() && i < resumed.recorder->seen.size(); ++i)
    EXPECT_TRUE(resumed.recorder->seen[i] == tail[i]) << "batch " << tail[i].index;
  // The state: the digest of every record, each once.
  EXPECT_EQ(resumed.recorder->digest_, whole.recorder->digest_);
  EXPECT_EQ(resumed.recorder->records_, whole.recorder->records_);
  EXPECT_EQ(resumed.recorder->skipped_, whole.recorder->skipped_);
  EXPECT_EQ(resumed.recorder->batches_, whole.recorder->batches_);
  EXPECT_EQ(resumed.report.records_skipped + resumed.report.records + resumed.report.bad_records,
            whole.report.records + whole.report.bad_records);
  if (with_bad) {  // every bad record once in the dead-letter file
    std::ifstream a(dir / "whole.dead.jsonl"), b(dir / "crash.dead.jsonl");
    std::stringstream sa, sb;
    sa << a.rdbuf();
    sb << b.rdbuf();
    EXPECT_GT(whole.report.bad_records, 10);
    EXPECT_EQ(sb.str(), sa.str());
  }
}

CrashChoice at(std::int64_t batch) {
  return [batch](const std::vector<Recorder::Seen>&) { return batch; };
}

TEST(CheckpointResume, ByCountEqualsOneUninterruptedRun) {
  expect_resume_equals_uninterrupted("resume_count", {17, 0}, at(20), false);
}

TEST(CheckpointResume, ByEventTimeWithGapsAndLateRecordsEqualsOneUninterruptedRun) {
  // 5 s intervals: the 25 s jumps make runs of empty batches, which must be numbered and cut
  // exactly as in the uninterrupted run after the resume.
  expect_resume_equals_uninterrupted("resume_time", {1000, 5'000'000}, at(31), false);
}

// The hard case of event-time resume: right after the checkpoint come empty intervals; the
// resumed batcher must number and cut them on the old grid, not restart the grid at the next
// record.
TEST(CheckpointResume, ByEventTimeRightBeforeEmptyIntervals) {
  const CrashChoice before_gap = [](const std::vector<Recorder::Seen>& seen) {
    for (std::size_t b = 2; b + 1 < seen.size(); b += 3)
      if (seen[b + 1].rows == 0) return std::int64_t(b + 1);
    ADD_FAILURE() << "the stream has no empty batch right after a checkpoint";
    return std::int64_t(0);
  };
  expect_resume_equals_uninterrupted("resume_gap", {1000, 5'000'000}, before_gap, false);
}

TEST(CheckpointResume, BadRecordsAreCountedAndDeadLetteredOnce) {
  expect_resume_equals_uninterrupted("resume_bad_count", {23, 0}, at(14), true);
  expect_resume_equals_uninterrupted("resume_bad_time", {1000, 5'000'000}, at(26), true);
}

TEST(CheckpointResume, ResumeWithoutCheckpointsStartsFromTheBeginning) {
  const auto dir = temp_dir("resume_fresh");
  const std::string path = write_file(dir / "stream.csv", stream_text(100, false)).string();
  PipelineSettings s = settings_for((dir / "ck").string(), {10, 0}, 4);
  s.checkpoint.resume = true;
  const ReplayRun r = run(path, s);
  ASSERT_TRUE(r.error.empty()) << r.error;
  EXPECT_EQ(r.report.resumed_from, 0);
  ASSERT_EQ(r.report.resume_notes.size(), 1u);
  EXPECT_NE(r.report.resume_notes[0].find("started from the beginning"), std::string::npos);
  EXPECT_EQ(r.report.records, 100);
  // 10 batches: checkpoints after batches 3 and 7, and at the end (after 9).
  EXPECT_EQ(r.report.checkpoints_written, 3);
  CheckpointStore store((dir / "ck").string());
  EXPECT_EQ(store.versions("pipeline"), (std::vector<std::int64_t>{1, 2, 3}));
  EXPECT_EQ(store.describe("recorder").header.batch_index, 9);
  EXPECT_EQ(store.describe("pipeline", 1).header.batch_index, 3);
}

TEST(CheckpointResume, DamagedNewestCheckpointFallsBackAndSaysSo) {
  const auto dir = temp_dir("resume_fallback");
  const std::string path = write_file(dir / "stream.csv", stream_text(300, false)).string();
  PipelineSettings plain = settings_for("", {10, 0}, 0);
  const ReplayRun whole = run(path, plain);
  PipelineSettings s = settings_for((dir / "ck").string(), {10, 0}, 5);
  const ReplayRun crashed = run(path, s, 17);  // checkpoints after batches 4, 9, 14
  ASSERT_FALSE(crashed.error.empty());
  CheckpointStore store((dir / "ck").string());
  ASSERT_EQ(store.versions("recorder"), (std::vector<std::int64_t>{1, 2, 3}));
  const std::string newest = store.path("recorder", 3);
  std::filesystem::resize_file(newest, std::filesystem::file_size(newest) / 2);

  s.checkpoint.resume = true;
  const ReplayRun resumed = run(path, s);
  ASSERT_TRUE(resumed.error.empty()) << resumed.error;
  EXPECT_EQ(resumed.report.resumed_from, 2);  // the manifest before the damaged set
  EXPECT_EQ(resumed.report.resumed_batch_index, 9);
  ASSERT_EQ(resumed.report.resume_notes.size(), 1u);
  EXPECT_NE(resumed.report.resume_notes[0].find("checkpoint 3 is damaged"), std::string::npos);
  EXPECT_NE(resumed.report.resume_notes[0].find(newest), std::string::npos);
  EXPECT_EQ(resumed.recorder->digest_, whole.recorder->digest_);
  EXPECT_EQ(resumed.recorder->records_, 300);
}

TEST(CheckpointResume, CheckpointsOfOtherStagesAreRefused) {
  const auto dir = temp_dir("resume_other");
  const std::string path = write_file(dir / "stream.csv", stream_text(50, false)).string();
  PipelineSettings s = settings_for((dir / "ck").string(), {10, 0}, 2);
  ASSERT_TRUE(run(path, s).error.empty());
  FileSourceOptions in;
  in.schema.label = "y";
  s.checkpoint.resume = true;
  Pipeline other(open_file_source(path, in), s);
  struct Renamed : Recorder {
    std::string name() const override { return "another"; }
  };
  other.add_stage(std::make_unique<Renamed>());
  const std::string message = error_of([&] { other.run(); });
  EXPECT_NE(message.find("are of the stages [recorder], this pipeline has [another]"), std::string::npos) << message;
}

TEST(CheckpointResume, StageNamesMustBeUniqueAndNotPipeline) {
  Recorder a, b;
  const auto dir = temp_dir("resume_names").string();
  EXPECT_NE(error_of([&] { CheckpointCoordinator({dir}, {{"x", &a}, {"x", &b}}); }).find("two stateful stages are named 'x'"),
            std::string::npos);
  EXPECT_NE(error_of([&] { CheckpointCoordinator({dir}, {{"pipeline", &a}}); }).find("cannot be named 'pipeline'"),
            std::string::npos);
  CheckpointSettings s;
  s.resume = true;
  EXPECT_NE(error_of([&] { s.validate(); }).find("--resume needs --checkpoint-dir"), std::string::npos);
}

}  // namespace
}  // namespace streamml
