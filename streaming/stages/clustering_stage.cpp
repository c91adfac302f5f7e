#include "streaming/stages/clustering_stage.h"

#include <cmath>

#include "core/error.h"
#include "core/json.h"
#include "core/state_io.h"

namespace streamml {

namespace {

constexpr std::int64_t kStageLayout = 2;

}  // namespace

const SettingsTable<ClusteringStageSettings>& ClusteringStageSettings::settings_table() {
  using S = ClusteringStageSettings;
  static const SettingsTable<S> table = [] {
    SettingsTable<S> t("clustering stage");
    t.integer("curve_recent", &S::curve_recent, "noise-per-batch points kept exactly: the last N batches", Range::at_least(1))
        .integer("curve_points", &S::curve_points, "points of the downsampled whole-stream noise curve", Range::at_least(2))
        .integer("max_labels", &S::max_labels, "labels whose record counts are kept (the newest)", Range::at_least(1));
    return t;
  }();
  return table;
}

void ClusteringStageSettings::validate() const { settings_table().validate(*this); }

ClusteringStage::ClusteringStage(std::string name, std::shared_ptr<Learner> learner, ClusteringStageSettings settings)
    : name_(std::move(name)), learner_(std::move(learner)), settings_(settings),
      noise_(HistoryBounds{settings.curve_recent, settings.curve_points}) {
  STREAMML_CHECK(learner_ != nullptr, InvalidInput, "stage '" << name_ << "' needs a learner, got null");
  settings_.validate();
}

namespace {

// Keeps the counts of noise and of the newest `max_labels` labels; the older ones' records go
// to `older`.
void bound_labels(std::map<std::int64_t, std::int64_t>& totals, std::size_t max_labels, std::int64_t& older) {
  const std::size_t noise = totals.count(-1);
  while (totals.size() - noise > max_labels) {
    auto oldest = totals.upper_bound(-1);  // the smallest label >= 0
    older += oldest->second;
    totals.erase(oldest);
  }
}

}  // namespace

void ClusteringStage::process(Batch& batch) {
  if (batch.empty()) return;
  learner_->partial_fit(batch);
  const Eigen::VectorXd labels = learner_->score(batch);
  std::vector<std::int64_t> clusters(std::size_t(labels.size()));
  last_sizes_.clear();
  for (Eigen::Index i = 0; i < labels.size(); ++i) {
    const auto label = std::int64_t(std::llround(labels[i]));
    clusters[std::size_t(i)] = label;
    ++last_sizes_[label];
    ++total_sizes_[label];
  }
  bound_labels(total_sizes_, settings_.max_labels, older_records_);
  batch.add_output(name_ + ".cluster", std::move(clusters));
  const auto noise = last_sizes_.find(-1);
  const std::int64_t n = noise == last_sizes_.end() ? 0 : noise->second;
  noise_.add({batch.index, n});
  noise_records_ += n;
  batches_with_noise_ += n > 0;
}

void ClusteringStage::write_summary(JsonWriter& out) const {
  out.key("learner").value(learner_->type());
  out.key("params").raw(learner_->params_json());
  out.key("model").begin_object();
  learner_->write_summary(out);
  out.end_object();
  auto sizes = [&](const char* key, const std::map<std::int64_t, std::int64_t>& m) {
    out.key(key).begin_object();
    for (const auto& [label, n] : m) out.key(std::to_string(label)).value(n);
    out.end_object();
  };
  sizes("records_per_label", total_sizes_);
  out.key("older_label_records").value(older_records_);
  sizes("last_batch_records_per_label", last_sizes_);
  out.key("noise_records").value(noise_records_);
  out.key("batches_with_noise").value(batches_with_noise_);
  out.key("labelled_batches").value(noise_.count());
  // The kept history (every batch's until curve_recent + curve_points batches).
  const auto kept = noise_.kept();
  out.key("batches").begin_array();
  for (const auto& p : kept) out.value(p.second.batch);
  out.end_array();
  out.key("noise_per_batch").begin_array();
  for (const auto& p : kept) out.value(p.second.noise);
  out.end_array();
}

std::string ClusteringStage::progress() const {
  if (noise_.empty()) return {};
  std::int64_t clusters = 0;
  for (const auto& [label, n] : last_sizes_) clusters += label >= 0;
  return "clusters " + std::to_string(clusters) + "  noise " + std::to_string(noise_.last().noise);
}

namespace {

void write_counts(StateWriter& out, const std::string& name, const std::map<std::int64_t, std::int64_t>& counts) {
  std::vector<std::int64_t> labels, n;
  for (const auto& [label, count] : counts) {
    labels.push_back(label);
    n.push_back(count);
  }
  out.write_ints(name + "_labels", labels);
  out.write_ints(name + "_counts", n);
}

std::map<std::int64_t, std::int64_t> read_counts(const StateReader& in, const std::string& name) {
  const auto labels = in.read_ints(name + "_labels");
  const auto n = in.read_ints(name + "_counts", std::int64_t(labels.size()));
  std::map<std::int64_t, std::int64_t> out;
  for (std::size_t i = 0; i < labels.size(); ++i) out[labels[i]] = n[i];
  return out;
}

std::size_t read_size(const StateReader& in, const char* name, std::int64_t at_least) {
  const std::int64_t v = in.read_int(name);
  STREAMML_CHECK(v >= at_least, InvalidInput, in.where(name) << ": " << v << ", expected >= " << at_least);
  return std::size_t(v);
}

}  // namespace

void ClusteringStage::save_state(StateWriter& out) const {
  learner_->save_state(out);
  // The file's state_version is the learner's: the stage's part records its own layout.
  StateWriter stage = write_part(out, "stage", kStageLayout);
  stage.write_int("curve_recent", std::int64_t(settings_.curve_recent));
  stage.write_int("curve_points", std::int64_t(settings_.curve_points));
  stage.write_int("max_labels", std::int64_t(settings_.max_labels));
  stage.write_int("batches", noise_.count());
  stage.write_int("curve_stride", noise_.stride());
  std::vector<std::int64_t> batch, noise, ordinal;
  for (const auto& p : noise_.recent()) {
    batch.push_back(p.batch);
    noise.push_back(p.noise);
  }
  stage.write_ints("recent_batch_index", batch);
  stage.write_ints("recent_noise", noise);
  batch.clear();
  noise.clear();
  for (const auto& [o, p] : noise_.whole()) {
    ordinal.push_back(o);
    batch.push_back(p.batch);
    noise.push_back(p.noise);
  }
  stage.write_ints("whole_ordinal", ordinal);
  stage.write_ints("whole_batch_index", batch);
  stage.write_ints("whole_noise", noise);
  write_counts(stage, "last_batch", last_sizes_);
  write_counts(stage, "total", total_sizes_);
  stage.write_int("older_label_records", older_records_);
  stage.write_int("noise_records", noise_records_);
  stage.write_int("batches_with_noise", batches_with_noise_);
}

void ClusteringStage::load_state(const std::string& params, const StateReader& in) {
  const StateReader stage = read_part(in, "stage");
  const std::int64_t layout = stage.state_version();
  STREAMML_CHECK(layout == 1 || layout == 2, InvalidInput,
                 stage.where("state_version") << ": stage layout " << layout << ", this streamml reads layouts 1 and 2");
  ClusteringStageSettings settings = settings_;  // layout 1 had none: this stage's
  if (layout >= 2) {
    settings.curve_recent = read_size(stage, "curve_recent", 1);
    settings.curve_points = read_size(stage, "curve_points", 2);
    settings.max_labels = read_size(stage, "max_labels", 1);
  }
  ClusteringStage fresh(name_, learner_, settings);
  fresh.last_sizes_ = read_counts(stage, "last_batch");
  fresh.total_sizes_ = read_counts(stage, "total");
  if (layout == 1) {
    // Every batch was kept: the bounded history is what adding them one by one keeps.
    const auto batch_index = stage.read_ints("batch_index");
    const auto noise = stage.read_ints("noise_per_batch", std::int64_t(batch_index.size()));
    for (std::size_t i = 0; i < batch_index.size(); ++i) {
      fresh.noise_.add({batch_index[i], noise[i]});
      fresh.noise_records_ += noise[i];
      fresh.batches_with_noise_ += noise[i] > 0;
    }
    bound_labels(fresh.total_sizes_, settings.max_labels, fresh.older_records_);
  } else {
    const auto recent_batch = stage.read_ints("recent_batch_index");
    const auto recent_noise = stage.read_ints("recent_noise", std::int64_t(recent_batch.size()));
    const auto ordinal = stage.read_ints("whole_ordinal");
    const auto whole_batch = stage.read_ints("whole_batch_index", std::int64_t(ordinal.size()));
    const auto whole_noise = stage.read_ints("whole_noise", std::int64_t(ordinal.size()));
    std::deque<NoisePoint> recent;
    for (std::size_t i = 0; i < recent_batch.size(); ++i) recent.push_back({recent_batch[i], recent_noise[i]});
    std::vector<std::pair<std::int64_t, NoisePoint>> whole;
    for (std::size_t i = 0; i < ordinal.size(); ++i) whole.push_back({ordinal[i], {whole_batch[i], whole_noise[i]}});
    fresh.noise_.restore(stage.read_int("batches"), stage.read_int("curve_stride"), std::move(whole), std::move(recent),
                         stage.where("whole_ordinal"));
    STREAMML_CHECK(fresh.total_sizes_.size() - fresh.total_sizes_.count(-1) <= settings.max_labels, InvalidInput,
                   stage.where("total_labels") << ": " << fresh.total_sizes_.size() << " labels, max_labels is "
                                               << settings.max_labels);
    fresh.older_records_ = stage.read_int("older_label_records");
    fresh.noise_records_ = stage.read_int("noise_records");
    fresh.batches_with_noise_ = stage.read_int("batches_with_noise");
  }
  learner_->load_state(params, in);  // last: it cannot be undone
  *this = std::move(fresh);
}

}  // namespace streamml
