#include "streaming/stages/clustering_stage.h"

#include <cmath>

#include "core/error.h"
#include "core/json.h"
#include "core/state_io.h"

namespace streamml {

ClusteringStage::ClusteringStage(std::string name, std::shared_ptr<Learner> learner)
    : name_(std::move(name)), learner_(std::move(learner)) {
  STREAMML_CHECK(learner_ != nullptr, InvalidInput, "stage '" << name_ << "' needs a learner, got null");
}

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
  batch.add_output(name_ + ".cluster", std::move(clusters));
  const auto noise = last_sizes_.find(-1);
  batch_index_.push_back(batch.index);
  noise_per_batch_.push_back(noise == last_sizes_.end() ? 0 : noise->second);
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
  sizes("last_batch_records_per_label", last_sizes_);
  std::int64_t noise = 0;
  for (auto n : noise_per_batch_) noise += n;
  out.key("noise_records").value(noise);
  out.key("batches").begin_array();
  for (auto i : batch_index_) out.value(i);
  out.end_array();
  out.key("noise_per_batch").begin_array();
  for (auto n : noise_per_batch_) out.value(n);
  out.end_array();
}

std::string ClusteringStage::progress() const {
  if (noise_per_batch_.empty()) return {};
  std::int64_t clusters = 0;
  for (const auto& [label, n] : last_sizes_) clusters += label >= 0;
  return "clusters " + std::to_string(clusters) + "  noise " +
         std::to_string(noise_per_batch_.back());
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

}  // namespace

void ClusteringStage::save_state(StateWriter& out) const {
  learner_->save_state(out);
  StateWriter stage = out.group("stage");
  stage.write_ints("batch_index", batch_index_);
  stage.write_ints("noise_per_batch", noise_per_batch_);
  write_counts(stage, "last_batch", last_sizes_);
  write_counts(stage, "total", total_sizes_);
}

void ClusteringStage::load_state(const std::string& params, const StateReader& in) {
  const StateReader stage = in.group("stage");
  auto batch_index = stage.read_ints("batch_index");
  auto noise = stage.read_ints("noise_per_batch", std::int64_t(batch_index.size()));
  auto last = read_counts(stage, "last_batch");
  auto total = read_counts(stage, "total");
  learner_->load_state(params, in);  // last: it cannot be undone
  batch_index_ = std::move(batch_index);
  noise_per_batch_ = std::move(noise);
  last_sizes_ = std::move(last);
  total_sizes_ = std::move(total);
}

}  // namespace streamml
