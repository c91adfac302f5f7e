// Disk faults under a running pipeline: the checkpoint directory (and the output sink and the
// dead-letter file) on a filesystem that fills up, turns read-only or disappears in the middle
// of a stream.
// Policy (README, "Checkpoints"): the stream stops with Error(Io) naming the path and the
// system's reason; no temporary or partial file is left under a version name; every version
// written before the fault is intact; a later --resume (once the disk is fixed) is exact.
//
// How the faults are made. As root with CAP_SYS_ADMIN (this sandbox, CI's container): a small
// tmpfs mounted in a private mount namespace (unshare(CLONE_NEWNS), so it vanishes with the
// test process), filled by a filler file (ENOSPC) or remounted read-only (EROFS). Without
// that: the disk "fills" by lowering RLIMIT_FSIZE with SIGXFSZ ignored (writes past it fail
// with EFBIG), and read-only is chmod 0555 (EACCES; root ignores modes, so then that case is
// skipped with the reason). Pipelines run on one thread so every write happens on the thread
// that made the mount namespace (or its background checkpoint writer, which inherits it).
//
// Oracles: an uninterrupted run of the same stream with the same settings (its checkpoint
// versions, its final model and dead-letter file, compared bit for bit), and the checkpoint
// loader's own checks (format, length, Fletcher-32) on every version left.
#include <sched.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "algorithms/linear/logistic_regression_sgd.h"
#include "checkpoint_test_util.h"
#include "core/checkpoint_store.h"
#include "streaming/file_source.h"
#include "streaming/memory_source.h"
#include "streaming/pipeline.h"
#include "streaming/sinks/file_sink.h"
#include "test_helpers.h"

namespace streamml {
namespace {

namespace fs = std::filesystem;
using checkpoint_test::first_difference;
using checkpoint_test::snapshot;
using checkpoint_test::snapshot_of_file;

// A private mount namespace for this process, once; false when it cannot have one.
bool private_mounts() {
  static const bool ok = [] {
    if (::geteuid() != 0 || ::unshare(CLONE_NEWNS) != 0) return false;
    return ::mount("none", "/", nullptr, MS_REC | MS_PRIVATE, nullptr) == 0;
  }();
  return ok;
}

// A directory whose disk can fill up or turn read-only on demand (see the header comment).
class FaultyDisk {
 public:
  FaultyDisk(fs::path dir, std::size_t bytes) : dir_(std::move(dir)) {
    fs::create_directories(dir_);
    const std::string size = "size=" + std::to_string(bytes);
    mounted_ = private_mounts() && ::mount("tmpfs", dir_.c_str(), "tmpfs", 0, size.c_str()) == 0;
    std::cout << "faults made by " << (mounted_ ? "a tmpfs in a private mount namespace" : "RLIMIT_FSIZE and chmod")
              << "\n";
    ::signal(SIGXFSZ, SIG_IGN);
  }
  ~FaultyDisk() {
    restore();
    if (mounted_) ::umount2(dir_.c_str(), MNT_DETACH);
  }
  const fs::path& dir() const { return dir_; }
  bool mounted() const { return mounted_; }
  // The system's words for a full disk and for a read-only one, as the errors quote them.
  std::string full_reason() const { return std::strerror(mounted_ ? ENOSPC : EFBIG); }
  std::string read_only_reason() const { return std::strerror(mounted_ ? EROFS : EACCES); }
  bool can_be_read_only() const { return mounted_ || ::geteuid() != 0; }

  // From now on no file on this disk can grow.
  void fill() {
    if (mounted_) {
      std::ofstream filler(dir_ / "filler", std::ios::binary);
      const std::string block(4096, 'x');
      while (filler.write(block.data(), std::streamsize(block.size())) && filler.flush()) {
      }
      return;
    }
    ::getrlimit(RLIMIT_FSIZE, &saved_limit_);
    rlimit low = saved_limit_;
    low.rlim_cur = 1024;  // smaller than any checkpoint; a dead-letter file already past it cannot grow
    ::setrlimit(RLIMIT_FSIZE, &low);
    limited_ = true;
  }
  void read_only() {
    if (mounted_) {
      ASSERT_EQ(::mount(nullptr, dir_.c_str(), nullptr, MS_REMOUNT | MS_RDONLY, nullptr), 0) << std::strerror(errno);
    } else {
      for (const auto& e : fs::recursive_directory_iterator(dir_))
        if (e.is_directory()) fs::permissions(e.path(), fs::perms(0555));
      fs::permissions(dir_, fs::perms(0555));
    }
    read_only_ = true;
  }
  // Undoes fill() and read_only(): the operator frees space or fixes the mount.
  void restore() {
    if (read_only_) {
      if (mounted_) {
        ::mount(nullptr, dir_.c_str(), nullptr, MS_REMOUNT, nullptr);
      } else {
        fs::permissions(dir_, fs::perms(0755));
        for (const auto& e : fs::recursive_directory_iterator(dir_))
          if (e.is_directory()) fs::permissions(e.path(), fs::perms(0755));
      }
      read_only_ = false;
    }
    if (limited_) ::setrlimit(RLIMIT_FSIZE, &saved_limit_);
    limited_ = false;
    std::error_code ignored;
    fs::remove(dir_ / "filler", ignored);
  }

 private:
  fs::path dir_;
  bool mounted_ = false;
  bool limited_ = false;
  bool read_only_ = false;
  rlimit saved_limit_{};
};

// 40 batches of 50 records: two features and a label that depends on them.
Batch stream_records() {
  Batch b;
  b.rows = 2000;
  b.cols = 2;
  for (std::size_t i = 0; i < b.rows; ++i) {
    const double x = double((i * 37) % 101) / 50.0 - 1.0, y = double((i * 53) % 97) / 48.0 - 1.0;
    b.features.push_back(x);
    b.features.push_back(y);
    b.labels.push_back(x - 0.5 * y + 0.1 * double(i % 7) > 0.2 ? 1.0 : 0.0);
  }
  return b;
}

std::shared_ptr<LogisticRegressionSGD> make_learner() {
  LogisticRegressionSGDSettings s;
  s.mode = LogisticMode::Online;
  s.fit_intercept = true;
  return std::make_shared<LogisticRegressionSGD>(s);
}

struct FaultRun {
  std::shared_ptr<LogisticRegressionSGD> learner = make_learner();
  PipelineReport report;
  std::string error;
  ErrorKind kind = ErrorKind::Runtime;
};

// The stream through a logreg stage ("lr"), checkpointed every 4 batches into `ck` on the
// background writer; `fault` runs after batch `fault_at` (before its checkpoint is due).
FaultRun run_stream(const fs::path& ck, bool resume, std::int64_t fault_at = -1, std::function<void()> fault = {},
                    bool background = true) {
  FaultRun r;
  PipelineSettings s;
  s.checkpoint.background = background;
  s.batching.batch_size = 50;
  s.threads = 1;
  s.checkpoint.dir = ck.string();
  s.checkpoint.every_batches = 4;
  s.checkpoint.resume = resume;
  Pipeline p(std::make_unique<MemorySource>(stream_records(), 64), s);
  p.add_learner("lr", r.learner);
  p.add_stage("fault", [&](Batch& b) { if (b.index == fault_at) fault(); }, StageState::Stateless);
  try {
    r.report = p.run();
  } catch (const Error& e) {
    r.error = e.what();
    r.kind = e.kind();
  }
  return r;
}

// No temporary file anywhere under the store (unless the directory turned read-only while one
// was written: it cannot be removed then, and its name is never a version's), and every version
// left is one the uninterrupted run wrote too, identical to it, and loads.
void expect_versions_intact(const fs::path& ck, const fs::path& reference, std::size_t at_least,
                            bool temporaries_allowed = false) {
  std::size_t versions = 0;
  for (const auto& e : fs::recursive_directory_iterator(ck)) {
    const std::string file = e.path().filename().string();
    if (file[0] == '.') {
      EXPECT_TRUE(temporaries_allowed) << "a temporary file was left behind: " << e.path();
      continue;
    }
    if (!e.is_regular_file()) continue;
    ++versions;
    const fs::path twin = reference / fs::relative(e.path(), ck);
    const CheckpointInfo info = describe_checkpoint_file(e.path().string());  // format, length, checksum
    EXPECT_EQ(info.header.version, std::stoll(file.substr(1)));
    ASSERT_TRUE(fs::exists(twin)) << e.path() << " was not written by the uninterrupted run";
    EXPECT_EQ(first_difference(snapshot_of_file(e.path().string()), snapshot_of_file(twin.string())), "")
        << e.path();
    if (e.path().parent_path().filename() == "lr") {
      auto fresh = make_learner();
      load_checkpoint_file(e.path().string(), *fresh);
    }
  }
  EXPECT_GE(versions, at_least);
}

struct Reference {
  fs::path ck;
  checkpoint_test::Snapshot model;
};

const Reference& reference_run() {
  static const Reference ref = [] {
    Reference r;
    r.ck = testing::temp_dir("disk_faults_reference") / "ck";
    const FaultRun run = run_stream(r.ck, false);
    EXPECT_EQ(run.error, "");
    EXPECT_EQ(run.report.batches, 40);
    r.model = snapshot(*run.learner);
    return r;
  }();
  return ref;
}

// The run after the fault, from the newest complete checkpoint, equals the uninterrupted one.
// That checkpoint is the one after batch 7 or 11: the fault after batch 13 may catch the
// background writer still writing the one after batch 11.
void expect_exact_resume(const fs::path& ck) {
  const auto manifests = CheckpointStore(ck.string()).versions("pipeline");
  ASSERT_FALSE(manifests.empty());
  const std::int64_t last_good_batch = manifests.back() * 4 - 1;
  EXPECT_TRUE(last_good_batch == 7 || last_good_batch == 11) << last_good_batch;
  const FaultRun resumed = run_stream(ck, true);
  ASSERT_EQ(resumed.error, "");
  EXPECT_EQ(resumed.report.resumed_batch_index, last_good_batch);
  EXPECT_EQ(first_difference(snapshot(*resumed.learner), reference_run().model), "");
}

TEST(DiskFaults, CheckpointDiskFillsUpMidRun) {
  const Reference& ref = reference_run();
  FaultyDisk disk(testing::temp_dir("disk_faults_full") / "disk", 4 << 20);
  const fs::path ck = disk.dir() / "ck";
  // After batch 13 the disk is full: the checkpoint after batch 15 cannot be written.
  const FaultRun r = run_stream(ck, false, 13, [&] { disk.fill(); });
  disk.restore();
  EXPECT_EQ(r.kind, ErrorKind::Io);
  EXPECT_NE(r.error.find("cannot write checkpoint '" + ck.string() + "/"), std::string::npos) << r.error;
  EXPECT_NE(r.error.find(disk.full_reason()), std::string::npos) << r.error;
  expect_versions_intact(ck, ref.ck, 4);  // 2 or 3 checkpoints of the model and its manifest
  expect_exact_resume(ck);
}

TEST(DiskFaults, CheckpointDirectoryTurnsReadOnlyMidRun) {
  FaultyDisk disk(testing::temp_dir("disk_faults_read_only") / "disk", 4 << 20);
  if (!disk.can_be_read_only()) GTEST_SKIP() << "root without CAP_SYS_ADMIN: neither a read-only mount nor file modes stop it";
  const Reference& ref = reference_run();
  const fs::path ck = disk.dir() / "ck";
  const FaultRun r = run_stream(ck, false, 13, [&] { disk.read_only(); });
  disk.restore();
  EXPECT_EQ(r.kind, ErrorKind::Io);
  EXPECT_NE(r.error.find("cannot write checkpoint '" + ck.string() + "/"), std::string::npos) << r.error;
  EXPECT_NE(r.error.find(disk.read_only_reason()), std::string::npos) << r.error;
  expect_versions_intact(ck, ref.ck, 4, true);
  expect_exact_resume(ck);
}

TEST(DiskFaults, CheckpointDirectoryRemovedMidRunIsNotRecreated) {
  const Reference& ref = reference_run();
  const fs::path ck = testing::temp_dir("disk_faults_removed") / "ck";
  // Removed while the background writer may be adding a file to it: until it is gone.
  const auto remove = [&] {
    for (std::error_code ec; fs::exists(ck); ec.clear()) fs::remove_all(ck, ec);
  };
  // Checkpoints written on the stream's thread, so the removal falls between two of them.
  const FaultRun r = run_stream(ck, false, 13, remove, false);
  EXPECT_EQ(r.kind, ErrorKind::Io);
  EXPECT_NE(r.error.find("checkpoint after batch 15: checkpoint directory '" + ck.string() + "' has disappeared"),
            std::string::npos) << r.error;
  EXPECT_FALSE(fs::exists(ck)) << "the run recreated the directory it lost";
  // Replaced by an empty directory of the same name: refused too.
  const FaultRun replaced = run_stream(ck, false, 13, [&] {
    remove();
    fs::create_directories(ck);
  }, false);
  EXPECT_NE(replaced.error.find("checkpoint directory '" + ck.string() + "' was replaced"), std::string::npos)
      << replaced.error;
  EXPECT_TRUE(fs::is_empty(ck));
  // On the background writer, the removal may catch a file being written: the error then names
  // that file, and still nothing is recreated.
  fs::remove_all(ck);
  const FaultRun racing = run_stream(ck, false, 13, remove);
  EXPECT_EQ(racing.kind, ErrorKind::Io);
  EXPECT_NE(racing.error.find("'" + ck.string()), std::string::npos) << racing.error;
  EXPECT_FALSE(fs::exists(ck)) << "the run recreated the directory it lost";
  // Nothing to resume from: the stream starts again and ends as the uninterrupted run.
  const FaultRun again = run_stream(ck, true);
  ASSERT_EQ(again.error, "");
  EXPECT_EQ(again.report.resumed_from, 0);
  EXPECT_EQ(first_difference(snapshot(*again.learner), ref.model), "");
}

TEST(DiskFaults, CheckpointStoreSaveOnAFullDiskLeavesNoPartialVersion) {
  FaultyDisk disk(testing::temp_dir("disk_faults_store_save") / "disk", 1 << 20);
  CheckpointStore store((disk.dir() / "ck").string());
  auto model = make_learner();
  ASSERT_EQ(store.save("m", *model), 1);
  const auto first = snapshot_of_file(store.path("m", 1));
  disk.fill();
  std::string error;
  try {
    store.save("m", *model);
  } catch (const Error& e) {
    error = e.what();
    EXPECT_EQ(e.kind(), ErrorKind::Io);
  }
  disk.restore();
  EXPECT_NE(error.find((disk.dir() / "ck" / "m").string()), std::string::npos) << error;
  EXPECT_EQ(store.versions("m"), std::vector<std::int64_t>{1});
  for (const auto& e : fs::directory_iterator(disk.dir() / "ck" / "m"))
    EXPECT_NE(e.path().filename().string()[0], '.') << "temporary file left: " << e.path();
  EXPECT_EQ(first_difference(snapshot_of_file(store.path("m", 1)), first), "");
  EXPECT_EQ(store.save("m", *model), 2);  // space freed: saving goes on
}

// A CSV stream with a bad record every 23 lines, read in small chunks.
std::string csv_with_bad_records() {
  std::ostringstream out;
  out << "x,y,label\n";
  for (int i = 0; i < 1500; ++i) {
    if (i % 23 == 5) {
      out << "oops-" << i << ",not a number,1\n";
      continue;
    }
    const double x = double((i * 37) % 101) / 50.0 - 1.0, y = double((i * 53) % 97) / 48.0 - 1.0;
    out << x << "," << y << "," << (x - 0.5 * y > 0.1 ? 1 : 0) << "\n";
  }
  return out.str();
}

FaultRun run_csv(const std::string& path, const fs::path& ck, const std::string& dead_letter, bool resume,
            std::int64_t fault_at = -1, std::function<void()> fault = {}) {
  FaultRun r;
  FileSourceOptions o;
  o.schema.label = "label";
  o.chunk_bytes = 512;
  PipelineSettings s;
  s.batching.batch_size = 40;
  s.threads = 1;
  s.bad_records.dead_letter_path = dead_letter;
  s.checkpoint.dir = ck.string();
  s.checkpoint.every_batches = 3;
  s.checkpoint.resume = resume;
  Pipeline p(open_file_source(path, o), s);
  p.add_learner("lr", r.learner);
  p.add_stage("fault", [&](Batch& b) { if (b.index == fault_at) fault(); }, StageState::Stateless);
  try {
    r.report = p.run();
  } catch (const Error& e) {
    r.error = e.what();
    r.kind = e.kind();
  }
  return r;
}

std::string read_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST(DiskFaults, DeadLetterDiskFillsUpMidRun) {
  const fs::path dir = testing::temp_dir("disk_faults_dead_letter");
  const std::string csv = testing::write_file(dir / "stream.csv", csv_with_bad_records()).string();
  const FaultRun whole = run_csv(csv, dir / "ck_whole", (dir / "whole.dead.jsonl").string(), false);
  ASSERT_EQ(whole.error, "");
  ASSERT_GT(whole.report.bad_records, 50);

  FaultyDisk disk(dir / "disk", 1 << 20);
  const std::string dead = (disk.dir() / "dead.jsonl").string();
  const FaultRun r = run_csv(csv, dir / "ck", dead, false, 12, [&] { disk.fill(); });
  disk.restore();
  EXPECT_EQ(r.kind, ErrorKind::Io);
  EXPECT_NE(r.error.find("cannot write dead-letter file '" + dead + "'"), std::string::npos) << r.error;
  EXPECT_NE(r.error.find(disk.full_reason()), std::string::npos) << r.error;

  // Space freed, resumed: every bad record once in the file, the model as if never stopped.
  const FaultRun resumed = run_csv(csv, dir / "ck", dead, true);
  ASSERT_EQ(resumed.error, "");
  EXPECT_GT(resumed.report.resumed_from, 0);
  EXPECT_EQ(read_text(dead), read_text(dir / "whole.dead.jsonl"));
  EXPECT_EQ(first_difference(snapshot(*resumed.learner), snapshot(*whole.learner)), "");
}

// The output sink (--output) on a disk that fills up: the stream stops naming the output; once
// space is freed, --resume cuts the output back to the checkpoint's mark and the file ends byte
// for byte as an uninterrupted run's (and the model too).
FaultRun run_with_output(const fs::path& ck, const std::string& output, bool resume, std::int64_t fault_at = -1,
                         std::function<void()> fault = {}) {
  FaultRun r;
  PipelineSettings s;
  s.batching.batch_size = 50;
  s.threads = 1;
  s.checkpoint.dir = ck.string();
  s.checkpoint.every_batches = 4;
  s.checkpoint.resume = resume;
  Pipeline p(std::make_unique<MemorySource>(stream_records(), 64), s);
  p.add_learner("lr", r.learner);
  p.add_stage("fault", [&](Batch& b) { if (b.index == fault_at) fault(); }, StageState::Stateless);
  FileSinkSettings out;
  out.path = output;
  p.add_sink(std::make_unique<FileSink>(out));
  try {
    r.report = p.run();
  } catch (const Error& e) {
    r.error = e.what();
    r.kind = e.kind();
  }
  return r;
}

TEST(DiskFaults, OutputDiskFillsUpMidRun) {
  const fs::path dir = testing::temp_dir("disk_faults_output");
  const FaultRun whole = run_with_output(dir / "ck_whole", (dir / "whole.csv").string(), false);
  ASSERT_EQ(whole.error, "");
  FaultyDisk disk(dir / "disk", 1 << 20);
  const std::string output = (disk.dir() / "out.csv").string();
  // Rows are written in blocks of 1 MiB or at a checkpoint: the one after batch 15 finds the
  // disk full.
  const FaultRun r = run_with_output(dir / "ck", output, false, 13, [&] { disk.fill(); });
  disk.restore();
  EXPECT_EQ(r.kind, ErrorKind::Io);
  EXPECT_NE(r.error.find("'" + output + "'"), std::string::npos) << r.error;
  EXPECT_NE(r.error.find(disk.full_reason()), std::string::npos) << r.error;
  const FaultRun resumed = run_with_output(dir / "ck", output, true);
  ASSERT_EQ(resumed.error, "");
  EXPECT_GT(resumed.report.resumed_from, 0);
  EXPECT_EQ(read_text(output), read_text(dir / "whole.csv"));
  EXPECT_EQ(first_difference(snapshot(*resumed.learner), snapshot(*whole.learner)), "");
}

TEST(DiskFaults, ResumeDropsATornLastDeadLetterLine) {
  // What a disk that filled up in the middle of an entry leaves: the entries before, then a
  // part of one without its newline. The run stopped on it, so its record is after the
  // checkpoint: trimming drops it, and the entries before stay.
  const fs::path dir = testing::temp_dir("disk_faults_torn_dead_letter");
  const std::string whole = R"({"file":"x.csv","line":3,"column":1,"reason":"bad","record":"a"})" "\n"
                            R"({"file":"x.csv","line":9,"column":1,"reason":"bad","record":"b"})" "\n";
  const auto path = testing::write_file(dir / "dead.jsonl", whole + R"({"file":"x.csv","li)");
  Position at;
  at.line = 20;
  trim_dead_letter(path.string(), at);
  EXPECT_EQ(read_text(path), whole);
  // A damaged line that is not the last is still refused, naming it.
  testing::write_file(path, R"({"nonsense":1})" "\n" + whole);
  std::string error;
  try {
    trim_dead_letter(path.string(), at);
  } catch (const Error& e) {
    error = e.what();
  }
  EXPECT_NE(error.find(path.string() + ":1: not a dead-letter entry"), std::string::npos) << error;
}

}  // namespace
}  // namespace streamml
