// Checkpoints written in the background: what the stream waits for, and what a checkpoint
// holds while its model goes on changing.
//
// Oracles: the value each batch wrote into the model (a checkpoint taken after batch k must
// hold batch k's values, whatever the model did while the file was written), the settings'
// own arithmetic (checkpoints after exactly every N-th batch under `wait`), and a reused
// buffer's address (a second snapshot of the same model allocates nothing).
#include <gtest/gtest.h>

#include <algorithm>
#include <vector>

#include "core/checkpoint_file.h"
#include "core/checkpoint_store.h"
#include "core/hdf5_io.h"
#include "core/state_io.h"
#include "streaming/background_worker.h"
#include "streaming/checkpoint_coordinator.h"
#include "checkpoint_test_util.h"
#include "test_helpers.h"

namespace streamml {
namespace {

using testing::temp_dir;

// A model whose whole state is one large vector filled with the index of the last batch it
// saw: 2 M values (16 MB) take the writer tens of milliseconds to encode and fsync, far longer
// than the microseconds between two after_batch calls below.
class Filled : public Stateful {
 public:
  explicit Filled(std::size_t n) : values_(n, -1.0) {}
  void learn(std::int64_t batch) { std::fill(values_.begin(), values_.end(), double(batch)); }
  std::string type() const override { return "filled"; }
  std::string params_json() const override { return "{}"; }
  void save_state(StateWriter& out) const override { out.write_vector("values", values_); }
  void load_state(const std::string&, const StateReader& in) override { values_ = in.read_std_vector("values"); }
  const std::vector<double>& values() const { return values_; }

 private:
  std::vector<double> values_;
};

Batch batch_number(std::int64_t index) {
  Batch b;
  b.index = index;
  return b;
}

// Feeds `batches` batches to a model and a coordinator checkpointing after every one, back to
// back (the model changes right after each checkpoint is taken, while it is being written).
std::int64_t checkpoint_every_batch(const std::string& dir, bool defer, int batches, Filled& model) {
  CheckpointSettings s;
  s.dir = dir;
  s.every_batches = 1;
  s.defer_when_busy = defer;
  s.at_end = false;
  CheckpointCoordinator coordinator(s, {{"filled", &model}});
  for (int b = 0; b < batches; ++b) {
    model.learn(b);
    coordinator.after_batch(batch_number(b), {});
  }
  model.learn(batches);  // after the last checkpoint was taken, while it may still be written
  coordinator.at_end({});  // waits for the writer
  return coordinator.checkpoints_written();
}

TEST(CheckpointBackground, ACheckpointHoldsTheStateOfItsBatchWhileTheModelGoesOn) {
  const auto dir = temp_dir("ck_background_consistent");
  Filled model(std::size_t(1) << 21);
  ASSERT_EQ(checkpoint_every_batch(dir.string(), false, 4, model), 4);
  CheckpointStore store(dir.string());
  ASSERT_EQ(store.versions("filled"), (std::vector<std::int64_t>{1, 2, 3, 4}));
  for (std::int64_t v = 1; v <= 4; ++v) {
    Filled loaded(1);
    const CheckpointInfo info = store.load("filled", loaded, v);
    EXPECT_EQ(info.header.batch_index, v - 1);
    ASSERT_EQ(loaded.values().size(), model.values().size());
    // Every value is the one batch v - 1 wrote, though the model held v (and then 4) while
    // this file was encoded and written.
    EXPECT_TRUE(std::all_of(loaded.values().begin(), loaded.values().end(),
                            [&](double x) { return x == double(v - 1); }))
        << "version " << v;
  }
}

TEST(CheckpointBackground, DeferSkipsCheckpointsDueWhileTheDiskIsBusyWaitTakesEveryOne) {
  Filled model(std::size_t(1) << 21);
  const auto wait_dir = temp_dir("ck_background_wait");
  EXPECT_EQ(checkpoint_every_batch(wait_dir.string(), false, 6, model), 6);
  const auto defer_dir = temp_dir("ck_background_defer");
  const std::int64_t deferred = checkpoint_every_batch(defer_dir.string(), true, 6, model);
  // The first is taken at once; the next ones come microseconds later, while the 16 MB file
  // is still being encoded and fsynced, and are deferred.
  EXPECT_GE(deferred, 1);
  EXPECT_LT(deferred, 6);
  // What was written is still complete and consistent: the newest manifest names the newest
  // model version, and it holds its batch's values.
  CheckpointStore store(defer_dir.string());
  ASSERT_EQ(std::int64_t(store.versions("pipeline").size()), deferred);
  Filled loaded(1);
  const CheckpointInfo info = store.load("filled", loaded);
  EXPECT_EQ(loaded.values().front(), double(info.header.batch_index));
  EXPECT_EQ(loaded.values().back(), double(info.header.batch_index));
}

TEST(CheckpointBackground, ASecondSnapshotReusesTheFirstOnesMemory) {
  Filled model(100'000);
  model.learn(1);
  CheckpointContent content;
  content.take(model);
  ASSERT_EQ(content.state.size(), 1u);
  const unsigned char* first = content.state[0].bytes.data();
  EXPECT_EQ(content.state.payload_bytes(), 100'000 * sizeof(double));
  model.learn(2);
  content.take(model);
  ASSERT_EQ(content.state.size(), 1u);
  EXPECT_EQ(content.state[0].bytes.data(), first);
  double value = 0;
  std::copy_n(content.state[0].bytes.data(), sizeof value, reinterpret_cast<unsigned char*>(&value));
  EXPECT_EQ(value, 2.0);
  // Encoding the snapshot gives the checkpoint of the model itself (same state, loads alike).
  std::vector<char> image;
  checkpoint_bytes(content, {}, image);
  Filled loaded(1);
  load_checkpoint_bytes(image.data(), image.size(), loaded);
  EXPECT_EQ(loaded.values(), model.values());
}

TEST(BackgroundWorker, RunsJobsInOrderAndRethrowsTheirErrorsOnWait) {
  BackgroundWorker worker;
  std::vector<int> done;
  for (int i = 0; i < 5; ++i) worker.start([&done, i] { done.push_back(i); });
  worker.wait();
  EXPECT_EQ(done, (std::vector<int>{0, 1, 2, 3, 4}));
  worker.start([] { throw Error(ErrorKind::Io, "disk full (injected)"); });
  EXPECT_THROW(
      {
        try {
          worker.wait();
        } catch (const Error& e) {
          EXPECT_STREQ(e.what(), "disk full (injected)");
          throw;
        }
      },
      Error);
  worker.wait();  // the error was reported once; the worker goes on
  worker.start([&done] { done.push_back(5); });
  worker.wait();
  EXPECT_EQ(done.size(), 6u);
}

// Files are sealed and verified a piece at a time. Oracle: the plain, one-word-at-a-time
// Fletcher-32 of the test utility (HDF5's H5_checksum_fletcher32 transcribed), over the bytes
// in one piece; sizes around the 720-byte block and odd ones.
TEST(Fletcher32, PiecesOfWholeBlocksGiveTheChecksumOfTheWhole) {
  std::vector<unsigned char> bytes(3 * 1456 * 720 + 1001);
  std::uint32_t x = 12345;
  for (auto& b : bytes) b = static_cast<unsigned char>((x = x * 1103515245u + 12345u) >> 24);
  for (std::size_t size : {std::size_t(0), std::size_t(1), std::size_t(719), std::size_t(720), std::size_t(721),
                           std::size_t(1456 * 720), bytes.size()}) {
    for (std::size_t piece : {std::size_t(720), std::size_t(7 * 720), std::size_t(1456 * 720)}) {
      detail::Fletcher32 sum;
      for (std::size_t at = 0; at < size; at += piece) sum.add(bytes.data() + at, std::min(piece, size - at));
      EXPECT_EQ(sum.value(), checkpoint_test::fletcher32(bytes.data(), size)) << size << " bytes in pieces of " << piece;
      EXPECT_EQ(detail::checksum(bytes.data(), size), checkpoint_test::fletcher32(bytes.data(), size)) << size;
    }
  }
}

}  // namespace
}  // namespace streamml
