// CheckpointStore: versioned checkpoints of named models in a directory.
//
//   <dir>/<name>/v000001.h5, v000002.h5, ...   (one self-describing file per version,
//                                                checkpoint_file.h)
//
// A version is written under a temporary name (".v000003.h5.tmp-<pid>-<n>"), flushed and
// fsynced, then linked to its final name, which fails rather than overwrite if another
// process took that number meanwhile (the save then retries with the next one); the directory
// is fsynced after. So a crash at any moment leaves every earlier version intact and never a
// file under a version name that is not complete, and a reader listing versions never sees a
// partial one. Versions are monotonic: savers in one process are serialised per store
// directory; savers in several processes are kept apart by the exclusive link.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/checkpoint_file.h"
#include "core/stateful.h"

namespace streamml {

// Throws Error(InvalidInput) unless name is 1 to 100 letters, digits, '.', '_' or '-', not
// starting with '.': a model's (and a pipeline stage's) name in a store.
void check_model_name(const std::string& name);

// What the caller says about a version it saves (the store fills in version and, unless
// given, parent_version).
struct CheckpointMetadata {
  std::int64_t batch_index = -1;        // the last batch learned; -1: not from a stream
  std::string source_positions = "{}";  // JSON
  std::string metrics;                  // JSON; empty: the model's own metrics_json()
  std::int64_t parent_version = -1;     // -1: the newest version at the time of saving (0: none)
  std::string user_metadata = "{}";     // JSON object of the user's own keys, kept as given
};

class CheckpointStore {
 public:
  // Creates the directory (and parents) if missing. Throws Error(Io) when it cannot.
  explicit CheckpointStore(std::string dir);

  const std::string& dir() const { return dir_; }

  // Saves a new version of `name` and returns its number. Names are 1 to 100 characters of
  // [A-Za-z0-9._-], not starting with '.' (Error(InvalidInput) otherwise).
  std::int64_t save(const std::string& name, const Stateful& model, const CheckpointMetadata& metadata = {});
  // Publishes a checkpoint already serialised (checkpoint_bytes) whose `version` attribute is
  // `version`: written to a temporary file, fsynced, linked, the directory fsynced, as save
  // does. For writers that serialise at one moment and write later (the pipeline's
  // background checkpoints). Throws Error(Io) if that version exists by then, and, naming the
  // version's path and the system's reason, when the disk is full, read-only or the file
  // cannot grow (the temporary file is removed; earlier versions are untouched), or when the
  // store's directory is no longer the one it was made on (check_directory).
  void publish(const std::string& name, std::int64_t version, const std::vector<char>& image);
  // Throws Error(Io) unless the store's directory is still the one this store was made on (the
  // store holds it open and compares inodes): a directory removed, or its volume unmounted, during a run is not
  // silently recreated, since versions written there would land beside (or under) the ones
  // the run resumes from.
  void check_directory() const;
  // Complete versions, ascending (empty when the model has none).
  std::vector<std::int64_t> versions(const std::string& name) const;
  std::optional<std::int64_t> latest(const std::string& name) const;
  // Models that have at least one version, sorted.
  std::vector<std::string> names() const;
  std::string path(const std::string& name, std::int64_t version) const;

  // Restores `into` from a version (the newest when none is given). Throws Error naming the
  // file and the problem: no such version, another learner type, damaged, a newer format.
  CheckpointInfo load(const std::string& name, Stateful& into, std::optional<std::int64_t> version = {}) const;
  // A version's attributes and dataset shapes, without reading the datasets.
  CheckpointInfo describe(const std::string& name, std::optional<std::int64_t> version = {}) const;
  // Deletes all but the newest keep_last versions (keep_last >= 1) and temporary files left
  // by savers that died; returns the versions deleted.
  std::vector<std::int64_t> prune(const std::string& name, std::size_t keep_last);

 private:
  std::string model_dir(const std::string& name) const;
  std::int64_t resolve(const std::string& name, std::optional<std::int64_t> version) const;

  std::string dir_;
  std::shared_ptr<const int> dir_fd_;  // dir_ as opened when the store was made
};

}  // namespace streamml
