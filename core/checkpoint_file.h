// One checkpoint: a Stateful object's settings and whole state in one self-describing HDF5
// file (DESIGN.md, "Checkpoint layout"; the README shows a file opened with h5py).
//
// Root attributes (fixed-length UTF-8 strings and int64 scalars):
//   format_version   1; a reader refuses a newer one, and keeps a load path for every older one
//   library_version  the streamml that wrote it, e.g. "0.1.0"
//   learner_type     "logreg", "kmeans", "dbscan", "pipeline", ...
//   params           the settings as JSON (a fresh object is rebuilt from these)
//   created_utc      ISO 8601, e.g. "2026-11-22T10:15:30Z"
//   version          this version's number in its store (0 for a model saved outside a store)
//   parent_version   the version this state was restored from or last saved as (0: none)
//   batch_index      the last batch the state has learned (-1: not trained from a stream)
//   source_positions JSON: where the stream stood after that batch
//   metrics          JSON: figures worth keeping beside the state (the model's own metrics_json)
//   state_version    the layout of the datasets, per type (Stateful::state_version(); absent: 1)
//   user_metadata    JSON object: the user's own keys, kept as given (absent: {})
// Datasets: the learned state under the names the object's save_state gives (state_io.h).
// The file starts with a 512-byte user block (HDF5 and h5py skip it) holding, as text,
//   streamml checkpoint\nformat 1\nlength <bytes after the block>\nfletcher32 <hex>\n
// (Fletcher-32 as HDF5 computes it, over the HDF5 part): loading checks the format, then the
// length and the checksum, before HDF5 parses a byte, so a truncated or altered file is
// refused with a clear message and never reaches a parser that would trust it.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/hdf5_io.h"
#include "core/state_io.h"
#include "core/stateful.h"

namespace streamml {

inline constexpr std::int64_t kCheckpointFormatVersion = 1;

// What a checkpoint says about where its state came from.
struct CheckpointHeader {
  std::int64_t version = 0;
  std::int64_t parent_version = 0;
  std::int64_t batch_index = -1;
  std::string source_positions = "{}";
  std::string metrics;  // empty: the model's metrics_json()
  std::string user_metadata = "{}";  // a JSON object of the user's own keys, kept as given
};

// Everything a checkpoint's root attributes say, and its datasets' names and shapes.
struct CheckpointInfo {
  std::string path;
  std::int64_t format_version = 0;
  std::string library_version;
  std::string learner_type;
  std::string params;
  std::string created_utc;
  std::int64_t state_version = 1;  // the state's layout (files before the attribute: 1)
  CheckpointHeader header;  // version, parent_version, batch_index, source_positions, metrics
  std::vector<detail::DatasetInfo> datasets;

  std::string to_json(bool pretty = true) const;
};

// What a checkpoint holds, taken from a Stateful object at one moment: its type, settings,
// metrics and whole state, in memory. Encoding it needs nothing of the object, so a pipeline
// takes it between two batches and writes it while the object goes on learning. take()
// reuses the buffers of the previous take.
struct CheckpointContent {
  std::string learner_type;
  std::string params;
  std::string metrics;
  std::int64_t state_version = 1;
  StateSnapshot state;

  void take(const Stateful& model);
};

// Writes `model` to `path` (truncating). Not atomic by itself: CheckpointStore makes it so.
void write_checkpoint_file(const std::string& path, const Stateful& model, const CheckpointHeader& header);
// The same file as bytes (an in-memory HDF5 image): what pickle stores.
std::vector<char> checkpoint_bytes(const Stateful& model, const CheckpointHeader& header = {});
// The bytes of a checkpoint of `content`, into `out` (whose memory is reused).
void checkpoint_bytes(const CheckpointContent& content, const CheckpointHeader& header, std::vector<char>& out);

// Reads and checks the root attributes and lists the datasets, without reading them. Throws
// Error(InvalidInput) naming the file and what is wrong (not HDF5, damaged, a newer format,
// an attribute missing or of the wrong type), Error(Io) when the file cannot be opened.
CheckpointInfo describe_checkpoint_file(const std::string& path);
// Checks the file as describe does, that it holds a model of into.type(), then restores
// `into` from it (unchanged when anything fails). The info returned has no dataset list.
CheckpointInfo load_checkpoint_file(const std::string& path, Stateful& into);
CheckpointInfo load_checkpoint_bytes(const void* data, std::size_t size, Stateful& into,
                                     const std::string& name = "<checkpoint bytes>");
// The root attributes of a checkpoint image, checked (for pickled objects whose type must be
// known before one is made).
CheckpointInfo describe_checkpoint_bytes(const void* data, std::size_t size,
                                         const std::string& name = "<checkpoint bytes>");

// Makes the object a checkpoint holds from its root attributes (its type and settings).
using MakeFromCheckpoint = std::function<std::unique_ptr<Stateful>(const CheckpointInfo&)>;
// describe then load in one reading of the file: its attributes checked, `make` builds the
// object they name, the object's state restored from the same open file.
std::unique_ptr<Stateful> load_made_checkpoint_file(const std::string& path, const MakeFromCheckpoint& make);
std::unique_ptr<Stateful> load_made_checkpoint_bytes(const void* data, std::size_t size, const MakeFromCheckpoint& make,
                                                     const std::string& name = "<checkpoint bytes>");

}  // namespace streamml
