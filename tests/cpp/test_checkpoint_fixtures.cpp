// Committed checkpoints of format version 1 (tests/data/checkpoints) load forever after, and
// the damaged ones are refused naming the file and the problem.
//
// Oracle: tests/data/checkpoints/expected.json, written with the files by make_fixtures.py:
// each model's scores on fixed probe rows and its learned figures when it was saved, compared
// exactly (the JSON holds each double's shortest exact text; simdjson reads it back exactly).
// tests/python/test_checkpoint_fixtures.py loads the same files from Python.
#include <gtest/gtest.h>

#include <simdjson.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "algorithms/clustering/streaming_kmeans.h"
#include "algorithms/clustering/windowed_dbscan.h"
#include "algorithms/evaluation/prequential.h"
#include "algorithms/linear/logistic_regression_sgd.h"
#include "algorithms/registry.h"
#include "checkpoint_test_util.h"
#include "core/checkpoint_file.h"
#include "core/error.h"
#include "test_helpers.h"

namespace streamml {
namespace {

namespace fs = std::filesystem;

const fs::path kFixtures = fs::path(STREAMML_SOURCE_DIR) / "tests" / "data" / "checkpoints";

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

std::vector<double> doubles(simdjson::dom::element array) {
  std::vector<double> out;
  for (simdjson::dom::element v : array.get_array()) out.push_back(double(v));
  return out;
}

std::vector<double> as_vector(const Eigen::Ref<const Eigen::VectorXd>& v) { return {v.data(), v.data() + v.size()}; }

Batch probe_of(simdjson::dom::element rows) {
  Batch b;
  for (simdjson::dom::element row : rows.get_array()) {
    const std::vector<double> values = doubles(row);
    b.cols = values.size();
    b.features.insert(b.features.end(), values.begin(), values.end());
    ++b.rows;
  }
  return b;
}

class Fixtures : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(fs::is_regular_file(kFixtures / "expected.json")) << kFixtures;
    ASSERT_FALSE(parser_.load((kFixtures / "expected.json").string()).get(expected_));
  }
  simdjson::dom::parser parser_;
  simdjson::dom::element expected_;
};

TEST_F(Fixtures, EveryModelLoadsAndScoresAsRecorded) {
  std::size_t checked = 0;
  for (auto [file_key, want] : expected_["fixtures"].get_object()) {
    if (want["scores"].error()) continue;  // the evaluator and the manifest: below
    const std::string file(file_key);
    SCOPED_TRACE(file);
    const std::string path = (kFixtures / file).string();
    const std::string type{std::string_view(want["learner_type"])};
    const CheckpointInfo info = describe_checkpoint_file(path);
    EXPECT_EQ(info.format_version, 1);
    EXPECT_EQ(info.learner_type, type);
    // The registry makes the file's type: no type is named here to load it.
    const std::unique_ptr<Stateful> loaded = load_any_checkpoint(path);
    ASSERT_EQ(loaded->type(), type);
    const auto* model = dynamic_cast<const Learner*>(loaded.get());
    ASSERT_NE(model, nullptr);
    EXPECT_EQ(as_vector(model->score(probe_of(want["probe"]))), doubles(want["scores"]));
    const auto learned = want["learned"];
    if (type == "logreg") {
      const auto& m = dynamic_cast<const LogisticRegressionSGD&>(*model);
      EXPECT_EQ(as_vector(m.coef()), doubles(learned["coef"]));
      EXPECT_EQ(std::vector<double>{m.intercept()}, doubles(learned["intercept"]));
      EXPECT_EQ(m.state().examples_seen, std::int64_t(learned["examples_seen"]));
    } else if (type == "kmeans") {
      const auto& m = dynamic_cast<const StreamingKMeans&>(*model);
      const RowMatrix& c = m.cluster_centers();
      EXPECT_EQ(std::vector<double>(c.data(), c.data() + c.size()), doubles(learned["centers"]));
      EXPECT_EQ(as_vector(m.cluster_weights()), doubles(learned["weights"]));
    } else {
      const auto& m = dynamic_cast<const WindowedDBSCAN&>(*model);
      std::vector<std::int64_t> labels;
      for (simdjson::dom::element v : learned["window_labels"].get_array()) labels.push_back(std::int64_t(v));
      EXPECT_EQ(m.window_labels(), labels);
      EXPECT_EQ(m.batches_seen(), std::int64_t(learned["batches_seen"]));
    }
    ++checked;
  }
  EXPECT_GE(checked, 7u);
}

TEST_F(Fixtures, TheEvaluatorAndTheManifestAreAsRecorded) {
  const auto want = expected_["fixtures"]["prequential.h5"]["learned"];
  PrequentialEvaluator evaluator;
  load_checkpoint_file((kFixtures / "prequential.h5").string(), evaluator);
  EXPECT_EQ(evaluator.count(), std::int64_t(want["count"]));
  EXPECT_EQ(evaluator.batches(), std::int64_t(want["batches"]));
  EXPECT_EQ(evaluator.cumulative().log_loss, double(want["cumulative_log_loss"]));
  EXPECT_EQ(evaluator.window().accuracy, double(want["window_accuracy"]));

  const auto manifest = expected_["fixtures"]["pipeline_manifest.h5"];
  const CheckpointInfo info = describe_checkpoint_file((kFixtures / "pipeline_manifest.h5").string());
  EXPECT_EQ(info.learner_type, "pipeline");
  EXPECT_EQ(info.header.batch_index, std::int64_t(manifest["batch_index"]));
  std::vector<std::string> names, want_names;
  for (const auto& d : info.datasets) names.push_back(d.path);
  for (simdjson::dom::element v : manifest["datasets"].get_array()) want_names.emplace_back(std::string_view(v));
  EXPECT_EQ(names, want_names);
}

// Oracle: expected.json's "damaged" entry names the word the error must use; the message must
// also name the file, through every way in (load, describe, bytes).
TEST_F(Fixtures, DamagedFilesAreRefusedNamingTheFileAndTheProblem) {
  std::size_t checked = 0;
  for (auto [file_key, word_value] : expected_["damaged"].get_object()) {
    const std::string path = (kFixtures / std::string(file_key)).string();
    const std::string word{std::string_view(word_value)};
    const std::vector<char> bytes = checkpoint_test::read_bytes(path);
    LogisticRegressionSGD into;
    for (const std::string& message :
         {testing::error_of([&] { load_checkpoint_file(path, into); }), testing::error_of([&] { describe_checkpoint_file(path); }),
          testing::error_of([&] { load_checkpoint_bytes(bytes.data(), bytes.size(), into, path); })}) {
      EXPECT_TRUE(contains(message, path)) << message;
      EXPECT_TRUE(contains(message, word)) << message;
    }
    EXPECT_TRUE(checkpoint_test::snapshot(into) == checkpoint_test::snapshot(LogisticRegressionSGD()));
    ++checked;
  }
  EXPECT_EQ(checked, 2u);
}

}  // namespace
}  // namespace streamml
