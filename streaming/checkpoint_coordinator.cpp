#include "streaming/checkpoint_coordinator.h"

#include <chrono>
#include <filesystem>
#include <set>

#include "core/error.h"
#include "core/file_sync.h"
#include "core/json.h"
#include "core/state_io.h"

namespace streamml {

namespace {

constexpr const char* kManifest = "pipeline";

double now_seconds() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

std::string join(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

// The pipeline's own checkpoint: which version of each model belongs to this point of the
// stream, the stream's clock there, and how far each sink's output reached.
// Layout 2 adds the sinks (`sink_names`, `sink_marks`); layout 1 had none.
class Manifest : public Stateful {
 public:
  std::vector<std::string> names;
  std::vector<std::int64_t> versions;
  std::int64_t next_batch_index = 0;
  std::optional<EventTime> next_interval_start;
  StreamTotals totals;
  std::vector<std::string> sink_names;
  std::vector<std::string> sink_marks;

  std::string type() const override { return kManifest; }
  std::int64_t state_version() const override { return 2; }
  std::string params_json() const override {
    JsonWriter w(false);
    w.begin_object();
    w.key("models").begin_array();
    for (const auto& n : names) w.value(n);
    w.end_array();
    w.end_object();
    return w.str();
  }
  std::string metrics_json() const override {
    JsonWriter w(false);
    w.begin_object();
    w.key("records").value(totals.records);
    w.key("batches").value(totals.batches);
    w.key("bad_records").value(totals.bad_records);
    w.key("late_records").value(totals.late_records);
    w.end_object();
    return w.str();
  }
  void save_state(StateWriter& out) const override {
    out.write_strings("model_names", names);
    out.write_ints("model_versions", versions);
    out.write_int("next_batch_index", next_batch_index);
    out.write_bool("has_next_interval_start", next_interval_start.has_value());
    out.write_int("next_interval_start_us", next_interval_start.value_or(0));
    out.write_ints("totals", std::vector<std::int64_t>{totals.records, totals.batches, totals.bad_records,
                                                       totals.late_records});
    out.write_strings("sink_names", sink_names);
    out.write_strings("sink_marks", sink_marks);
  }
  void load_state(const std::string&, const StateReader& in) override {
    names = in.read_strings("model_names");
    versions = in.read_ints("model_versions", std::int64_t(names.size()));
    next_batch_index = in.read_int("next_batch_index");
    const bool has_interval = in.read_bool("has_next_interval_start");
    const EventTime start = in.read_int("next_interval_start_us");
    next_interval_start = has_interval ? std::optional<EventTime>(start) : std::nullopt;
    const auto t = in.read_ints("totals", 4);
    totals = {t[0], t[1], t[2], t[3]};
    sink_names.clear();
    sink_marks.clear();
    if (in.state_version() >= 2) {
      sink_names = in.read_strings("sink_names");
      sink_marks = in.read_strings("sink_marks", std::int64_t(sink_names.size()));
    }
    STREAMML_CHECK(next_batch_index >= 0, InvalidInput, in.where("next_batch_index") << ": negative");
    for (std::size_t i = 0; i < versions.size(); ++i)
      STREAMML_CHECK(versions[i] >= 1, InvalidInput,
                     in.where("model_versions") << ": version " << versions[i] << " of '" << names[i] << "'");
  }
};

}  // namespace

void CheckpointSettings::validate() const {
  STREAMML_CHECK(every_batches >= 0, InvalidInput, "--checkpoint-every must be >= 0 batches, got " << every_batches);
  STREAMML_CHECK(every_seconds >= 0, InvalidInput, "checkpoint interval must be >= 0 seconds, got " << every_seconds);
  STREAMML_CHECK(!resume || enabled(), InvalidInput, "--resume needs --checkpoint-dir");
}

CheckpointCoordinator::CheckpointCoordinator(CheckpointSettings settings,
                                             std::vector<std::pair<std::string, Stateful*>> models,
                                             std::vector<Sink*> sinks)
    : settings_(std::move(settings)), store_(settings_.dir), models_(std::move(models)), sinks_(std::move(sinks)) {
  settings_.validate();
  std::set<std::string> seen;
  for (const auto& [name, model] : models_) {
    STREAMML_CHECK(model != nullptr, InvalidInput, "stage '" << name << "' has no state to checkpoint");
    STREAMML_CHECK(name != kManifest, InvalidInput,
                   "a stage cannot be named '" << kManifest << "': the checkpoint manifest has that name");
    STREAMML_CHECK(seen.insert(name).second, InvalidInput,
                   "two stateful stages are named '" << name << "'; checkpoints need unique names");
  }
  std::set<std::string> sink_names;
  for (const Sink* sink : sinks_) {
    STREAMML_CHECK(sink != nullptr, InvalidInput, "a sink is null");
    STREAMML_CHECK(sink_names.insert(sink->name()).second, InvalidInput,
                   "two sinks are named '" << sink->name() << "'; checkpoints need unique names");
  }
  model_versions_.assign(models_.size(), 0);
  last_write_time_ = now_seconds();
}

std::optional<ResumePoint> CheckpointCoordinator::restore() {
  const auto manifests = store_.versions(kManifest);
  if (manifests.empty()) return std::nullopt;
  std::vector<std::string> expected, expected_sinks;
  for (const auto& m : models_) expected.push_back(m.first);
  for (const Sink* sink : sinks_) expected_sinks.push_back(sink->name());
  ResumePoint point;
  auto damaged = [&](std::int64_t version, const Error& e) {
    point.notes.push_back("checkpoint " + std::to_string(version) + " is damaged, fell back to an older one: " + e.what());
  };
  for (auto it = manifests.rbegin(); it != manifests.rend(); ++it) {
    Manifest manifest;
    CheckpointInfo info;
    try {
      info = store_.load(kManifest, manifest, *it);
    } catch (const Error& e) {
      damaged(*it, e);
      continue;
    }
    // Another pipeline's checkpoints are refused, not passed over as damaged.
    STREAMML_CHECK(manifest.names == expected, InvalidInput,
                   "the checkpoints in '" << settings_.dir << "' are of the stages [" << join(manifest.names)
                                          << "], this pipeline has [" << join(expected)
                                          << "]: resume with the same --learner");
    // A sink the checkpoint does not know cannot be cut back to it: its output would hold the
    // rows before the checkpoint of another run, or none.
    STREAMML_CHECK(manifest.sink_names == expected_sinks, InvalidInput,
                   "the checkpoints in '" << settings_.dir << "' are of a pipeline with the outputs ["
                                          << join(manifest.sink_names) << "], this pipeline has ["
                                          << join(expected_sinks) << "]: resume with the same --output");
    try {
      for (std::size_t i = 0; i < models_.size(); ++i)
        store_.load(models_[i].first, *models_[i].second, manifest.versions[i]);
      point.position = Position::from_json(info.header.source_positions);
    } catch (const Error& e) {
      damaged(*it, e);
      continue;
    }
    point.manifest_version = *it;
    point.batch_index = info.header.batch_index;
    point.next_interval_start = manifest.next_interval_start;
    point.totals = manifest.totals;
    point.sink_marks = manifest.sink_marks;
    model_versions_ = manifest.versions;
    last_manifest_ = *it;
    return point;
  }
  std::string why;
  for (const auto& n : point.notes) why += "\n  " + n;
  STREAMML_FAIL(InvalidInput, "no checkpoint in '" << settings_.dir << "' can be loaded:" << why);
}

void CheckpointCoordinator::after_batch(const Batch& batch, const StreamTotals& totals) {
  // A background write that failed stops the stream at the next batch, not at the next
  // checkpoint: what is learned after it could not be saved anyway.
  if (!writer_.busy()) wait_for_writer();
  pending_ = true;
  pending_index_ = batch.index;
  pending_position_ = batch.end_position;
  pending_interval_end_ =
      batch.interval_end > batch.interval_start ? std::optional<EventTime>(batch.interval_end) : std::nullopt;
  ++batches_since_;
  const bool by_count = settings_.every_batches > 0 && batches_since_ >= settings_.every_batches;
  const bool by_time = settings_.every_seconds > 0 && now_seconds() - last_write_time_ >= settings_.every_seconds;
  if (!by_count && !by_time) return;
  if (settings_.background && settings_.defer_when_busy && writer_.busy()) return;  // due still
  write(totals, settings_.background);
}

void CheckpointCoordinator::at_end(const StreamTotals& totals) {
  // The last one is written on the writer thread too, whose memory is warm, and waited for:
  // the stream has ended only when its last checkpoint is on disk.
  if (settings_.at_end && pending_) write(totals, settings_.background);
  const double t0 = now_seconds();
  wait_for_writer();
  seconds_ += now_seconds() - t0;
}

void CheckpointCoordinator::wait_for_writer() { writer_.wait(); }

void CheckpointCoordinator::write(const StreamTotals& totals, bool background) {
  const double t0 = now_seconds();
  wait_for_writer();  // one write in flight at most; surfaces its error and frees its buffers
  // The consistent snapshot, taken now, between two batches: every model's state copied into
  // the buffers of the previous checkpoint. Encoding and writing it can then wait.
  files_.resize(models_.size() + 1);  // the models', then the manifest
  const std::string position = pending_position_.to_json();
  const auto next_version = [&](File& f, const std::string& name, std::int64_t parent) {
    f.name = name;
    f.header.batch_index = pending_index_;
    f.header.source_positions = position;
    f.header.parent_version = parent;
    f.header.version = store_.latest(name).value_or(0) + 1;
  };
  Manifest manifest;
  for (std::size_t i = 0; i < models_.size(); ++i) {
    File& f = files_[i];
    next_version(f, models_[i].first, model_versions_[i]);
    f.content.take(*models_[i].second);
    model_versions_[i] = f.header.version;
    manifest.names.push_back(f.name);
  }
  manifest.versions = model_versions_;
  manifest.next_batch_index = pending_index_ + 1;
  manifest.next_interval_start = pending_interval_end_;
  manifest.totals = totals;
  // The sinks' rows up to here, handed to the system now; made durable before the manifest.
  for (Sink* sink : sinks_) {
    manifest.sink_names.push_back(sink->name());
    manifest.sink_marks.push_back(sink->flush());
  }
  File& m = files_.back();
  next_version(m, kManifest, last_manifest_);
  m.content.take(manifest);
  last_manifest_ = m.header.version;
  ++written_;
  pending_ = false;
  batches_since_ = 0;

  // Encoded and published in order: the manifest goes last, as it makes the set complete.
  auto publish = [this] {
    for (Sink* sink : sinks_) sink->sync();
    for (const std::string& path : synced_files_)
      if (std::error_code ec; std::filesystem::exists(path, ec)) fsync_path(path, false);
    for (File& f : files_) {
      checkpoint_bytes(f.content, f.header, f.image);
      store_.publish(f.name, f.header.version, f.image);
    }
    if (settings_.keep_last > 0) prune();
  };
  if (background) writer_.start(publish);
  else publish();
  last_write_time_ = now_seconds();
  seconds_ += last_write_time_ - t0;
}

// Keeps the newest keep_last manifests and every model version they name (older versions of
// a model, including ones a crash left unnamed, go).
void CheckpointCoordinator::prune() {
  const auto manifests = store_.versions(kManifest);
  if (manifests.size() <= settings_.keep_last) return;
  const std::int64_t oldest_kept = manifests[manifests.size() - settings_.keep_last];
  Manifest oldest;
  try {
    store_.load(kManifest, oldest, oldest_kept);
  } catch (const Error&) {
    return;  // a damaged manifest: prune nothing rather than guess what it names
  }
  store_.prune(kManifest, settings_.keep_last);
  for (std::size_t i = 0; i < models_.size() && i < oldest.versions.size(); ++i) {
    const auto versions = store_.versions(models_[i].first);
    std::size_t keep = 0;
    for (auto v : versions) keep += v >= oldest.versions[i];
    if (keep >= 1) store_.prune(models_[i].first, keep);
  }
}

}  // namespace streamml
