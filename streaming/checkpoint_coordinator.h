// CheckpointCoordinator: consistent checkpoints of a pipeline, and exactly-once resume.
//
// Every N batches or T seconds, after a batch has been fully applied by every stage, it
// saves one version of each stateful stage (under the stage's name) and then, last, a
// version of the pipeline's manifest ("pipeline") that names those versions together with
// the batch index, the source position just after that batch, and the batch clock. A crash
// while the models are written leaves their new versions unnamed by any manifest, so they
// are never taken for a complete set.
//
// The state is serialised (in memory, HDF5 images) on the pipeline's thread, between two
// batches, so it is consistent; the files are then written and fsynced on a background thread
// while the stream goes on. The manifest is published only after its models' files, so a
// crash during a background write leaves the previous checkpoint the newest complete one.
//
// Resume takes the newest manifest whose every model loads; a damaged one (or a damaged model
// it names) is reported and the previous one is tried. The source is then read from the
// saved position, batches are numbered on from the saved index and, under event-time
// batching, cut on the same interval grid, so the resumed run sees exactly the batches the
// uninterrupted one would have seen after that point: none twice, none lost.
//
// Sinks take part (streaming/sinks/sink.h): at the snapshot each sink flushes and gives its
// mark, which the manifest records; the writer fsyncs every sink before it publishes the
// manifest, so a complete checkpoint never names output that a crash could lose. Resume hands
// each sink the mark of the checkpoint resumed from, to cut its output back to.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/batch.h"
#include "core/checkpoint_file.h"
#include "core/checkpoint_store.h"
#include "core/position.h"
#include "core/stateful.h"
#include "streaming/background_worker.h"
#include "streaming/sinks/sink.h"

namespace streamml {

struct CheckpointSettings {
  std::string dir;                 // empty: no checkpoints
  std::int64_t every_batches = 0;  // > 0: after every N-th batch
  double every_seconds = 0;        // > 0: after the first batch that ends T s after the last one
  bool resume = false;             // restore from the newest complete checkpoint first
  std::size_t keep_last = 0;       // > 0: keep the newest N checkpoints (and what they name)
  bool at_end = true;              // also when the stream ends
  // Write the files on a background thread: the stream waits only while the state is copied
  // into memory (a snapshot, encoded as HDF5 and written later), and for the disk only when
  // the previous checkpoint is still being written when the next one is due.
  bool background = true;
  // What a checkpoint due while the previous one is still being written does (background only):
  //   wait  (default) the stream waits for the disk, so checkpoints are taken after exactly the
  //         batches the settings say, whatever the disk's speed;
  //   defer it is taken after the first batch that finds the write finished, so the stream never
  //         waits for the disk and checkpoints come at most as often as the disk allows (as in
  //         Flink, whose next checkpoint waits for the one in progress).
  // Either way every checkpoint is consistent and resume is exact.
  bool defer_when_busy = false;

  bool enabled() const { return !dir.empty(); }
  void validate() const;
};

// The pipeline's running totals, kept in the manifest so a resumed run can report the whole
// stream.
struct StreamTotals {
  std::int64_t records = 0;
  std::int64_t batches = 0;
  std::int64_t bad_records = 0;
  std::int64_t late_records = 0;
};

// Where a resumed stream goes on from.
struct ResumePoint {
  std::int64_t manifest_version = 0;
  std::int64_t batch_index = -1;                 // the last batch the state has learned
  Position position;                             // just after that batch
  std::optional<EventTime> next_interval_start;  // event-time batching: the next batch's start
  std::vector<std::string> notes;                // damaged checkpoints skipped, newest first
  StreamTotals totals;                           // the stream up to that batch
  std::vector<std::string> sink_marks;           // each sink's mark, in pipeline order
};

class CheckpointCoordinator {
 public:
  // models: (name, state) of every stateful stage, in pipeline order. Names must be unique and
  // not "pipeline". sinks: the pipeline's, in order (unique names). Throws Error(InvalidInput)
  // otherwise.
  CheckpointCoordinator(CheckpointSettings settings, std::vector<std::pair<std::string, Stateful*>> models,
                        std::vector<Sink*> sinks = {});

  // A file the stream appends to outside the sinks (the dead-letter file, bad_records.h): from
  // now on fsynced, when it exists, before each manifest is published, so a complete checkpoint
  // never precedes entries a power cut could lose (its writer hands them to the system as it goes).
  void sync_before_manifest(std::string path) { synced_files_.push_back(std::move(path)); }

  // Restores every model from the newest complete, undamaged checkpoint. nullopt when the
  // directory holds none (a fresh start). Throws Error(InvalidInput) when checkpoints exist
  // but none can be loaded, or they are of other models than this pipeline's.
  std::optional<ResumePoint> restore();

  // Called after every stage has applied `batch`; writes a checkpoint when one is due.
  // interval_end: the batch's interval end under event-time batching.
  void after_batch(const Batch& batch, const StreamTotals& totals);
  // The stream ended: a last checkpoint (when at_end and anything was learned since the last).
  void at_end(const StreamTotals& totals);

  std::int64_t checkpoints_written() const { return written_; }
  std::int64_t last_version() const { return last_manifest_; }
  // Time the stream was held up by checkpoints (serialising, and waiting for the writer).
  double seconds() const { return seconds_; }
  const CheckpointSettings& settings() const { return settings_; }

 private:
  // Serialises every model and the manifest, and publishes them (in the background when set).
  void write(const StreamTotals& totals, bool background);
  void wait_for_writer();  // rethrows the background write's error
  void prune();

  CheckpointSettings settings_;
  CheckpointStore store_;
  std::vector<std::pair<std::string, Stateful*>> models_;
  std::vector<Sink*> sinks_;
  std::vector<std::string> synced_files_;
  std::vector<std::int64_t> model_versions_;  // the version each model was restored from or saved as
  std::int64_t last_manifest_ = 0;
  std::int64_t written_ = 0;
  double seconds_ = 0;
  double last_write_time_ = 0;  // seconds on a steady clock
  // The last batch applied and not yet in a checkpoint.
  bool pending_ = false;
  std::int64_t pending_index_ = -1;
  Position pending_position_;
  std::optional<EventTime> pending_interval_end_;
  std::int64_t batches_since_ = 0;
  // The checkpoint being written (the models', then the manifest), each with the buffer it is
  // encoded into: kept from one checkpoint to the next, so taking a snapshot reuses memory.
  struct File {
    std::string name;
    CheckpointHeader header;
    CheckpointContent content;
    std::vector<char> image;
  };
  std::vector<File> files_;
  BackgroundWorker writer_;  // writes files_ in the background (owning them meanwhile); last, so
                             // it is destroyed, and waits, before what it uses
};

}  // namespace streamml
