// The library stages (streaming/stages/) as a C++ user builds them: learners added by name
// with Pipeline::add_learner, two of one type in one pipeline and one checkpoint, the output
// columns they add, and the refusal of function stages that hide state from checkpoints.
//
// Oracles: the same learner trained directly on the same batches (the stage adds nothing but
// test-then-train), an uninterrupted run (resume), and the command line's own run of the same
// stream (`streamml replay --learner logreg`), which must end in the same model.
#include <gtest/gtest.h>

#include <cmath>
#include <iostream>
#include <memory>
#include <sstream>

#include "algorithms/clustering/streaming_kmeans.h"
#include "algorithms/linear/logistic_regression_sgd.h"
#include "algorithms/registry.h"
#include "apps/cli.h"
#include "core/checkpoint_store.h"
#include "streaming/file_source.h"
#include "streaming/memory_source.h"
#include "streaming/pipeline.h"
#include "streaming/stages/prequential_stage.h"
#include "test_helpers.h"

namespace streamml {
namespace {

using testing::error_of;

// 3,000 records of 3 features and a label that depends on them, deterministic.
Batch records() {
  Batch b;
  b.cols = 3;
  for (int i = 0; i < 3000; ++i) {
    const double x0 = std::sin(0.37 * i), x1 = std::cos(0.11 * i), x2 = (i % 5) - 2.0;
    b.features.insert(b.features.end(), {x0, x1, x2});
    b.labels.push_back(x0 + 0.5 * x1 - 0.2 * x2 > 0 ? 1.0 : 0.0);
  }
  b.rows = 3000;
  return b;
}

LogisticRegressionSGDSettings adagrad() {
  LogisticRegressionSGDSettings s;
  s.mode = LogisticMode::Online;
  s.optimizer = OnlineOptimizer::AdaGrad;
  s.fit_intercept = true;
  return s;
}

LogisticRegressionSGDSettings spark() {
  LogisticRegressionSGDSettings s;
  s.step_size = 0.5;
  s.num_iterations = 20;
  return s;
}

PipelineSettings by_count(std::size_t batch_size) {
  PipelineSettings p;
  p.batching.batch_size = batch_size;
  return p;
}

// Oracle: each learner trained directly, test-then-train, on the same 100-record batches.
TEST(Stages, TwoLearnersOfOneTypeRunSideBySideUnderTheirOwnNames) {
  auto a = std::make_shared<LogisticRegressionSGD>(adagrad());
  auto b = std::make_shared<LogisticRegressionSGD>(spark());
  std::vector<double> a_probability, b_probability;
  Pipeline pipeline(std::make_unique<MemorySource>(records(), 250), by_count(100));
  pipeline.add_learner("ctr_adagrad", a).add_learner("ctr_spark", b);
  pipeline.add_stage("outputs", [&](Batch& batch) {
    const auto* pa = batch.output("ctr_adagrad.probability");
    const auto* pb = batch.output("ctr_spark.probability");
    ASSERT_TRUE(pa && pb);
    const auto& va = std::get<std::vector<double>>(pa->values);
    const auto& vb = std::get<std::vector<double>>(pb->values);
    a_probability.insert(a_probability.end(), va.begin(), va.end());
    b_probability.insert(b_probability.end(), vb.begin(), vb.end());
  }, StageState::Stateless);
  const PipelineReport report = pipeline.run();
  EXPECT_EQ(report.records, 3000);
  EXPECT_NE(report.stage_summaries.find("\"ctr_adagrad\""), std::string::npos);
  EXPECT_NE(report.stage_summaries.find("\"ctr_spark\""), std::string::npos);

  LogisticRegressionSGD direct_a(adagrad()), direct_b(spark());
  std::vector<double> want_a, want_b;
  const Batch all = records();
  for (std::size_t begin = 0; begin < all.rows; begin += 100) {
    Batch batch = all.empty_like();
    batch.append(all, begin, begin + 100);
    const Eigen::VectorXd pa = direct_a.predict_proba(batch), pb = direct_b.predict_proba(batch);
    want_a.insert(want_a.end(), pa.data(), pa.data() + pa.size());
    want_b.insert(want_b.end(), pb.data(), pb.data() + pb.size());
    direct_a.partial_fit(batch);
    direct_b.partial_fit(batch);
  }
  EXPECT_EQ(a_probability, want_a);  // the output column is the score before learning
  EXPECT_EQ(b_probability, want_b);
  EXPECT_TRUE(a->coef() == direct_a.coef());
  EXPECT_TRUE(b->coef() == direct_b.coef());
  EXPECT_FALSE(a->coef() == b->coef());  // two models, not one
}

// Oracle: an uninterrupted run. Both stages are checkpointed under their names in one
// manifest, and a run stopped after batch 12 and resumed ends with the same two models.
TEST(Stages, TwoLearnersOfOneTypeShareOneCheckpointAndResumeExactly) {
  const auto dir = testing::temp_dir("stages_two_learners");
  auto run = [&](const std::string& ck, std::int64_t stop_after, bool resume) {
    auto a = std::make_shared<LogisticRegressionSGD>(adagrad());
    auto b = std::make_shared<LogisticRegressionSGD>(spark());
    PipelineSettings p = by_count(100);
    p.checkpoint.dir = ck;
    p.checkpoint.every_batches = 4;
    p.checkpoint.resume = resume;
    Pipeline pipeline(std::make_unique<MemorySource>(records(), 250), p);
    pipeline.add_learner("ctr_adagrad", a).add_learner("ctr_spark", b);
    pipeline.add_stage("crash", [stop_after](Batch& batch) {
      if (batch.index == stop_after) throw std::runtime_error("stopped");
    }, StageState::Stateless);
    try {
      pipeline.run();
    } catch (const Error&) {
    }
    return std::pair{a, b};
  };
  const auto [whole_a, whole_b] = run((dir / "whole").string(), -1, false);
  run((dir / "cut").string(), 13, false);  // the checkpoint after batch 11 is the last complete one
  const auto [resumed_a, resumed_b] = run((dir / "cut").string(), -1, true);
  EXPECT_TRUE(resumed_a->coef() == whole_a->coef());
  EXPECT_TRUE(resumed_b->coef() == whole_b->coef());
  EXPECT_EQ(resumed_a->state().examples_seen, 3000);

  const CheckpointStore store((dir / "whole").string());
  EXPECT_EQ(store.names(), (std::vector<std::string>{"ctr_adagrad", "ctr_spark", "pipeline"}));
  EXPECT_EQ(store.describe("ctr_adagrad").learner_type, "logreg");
  EXPECT_EQ(store.describe("ctr_spark").learner_type, "logreg");
  LogisticRegressionSGD loaded;
  store.load("ctr_spark", loaded);
  EXPECT_TRUE(loaded.coef() == whole_b->coef());
}

// Oracle: the documented contract (streaming/stage.h). With checkpoints, a function stage must
// say how it keeps state; once it does (stateless, or the Stateful it updates), it runs.
TEST(Stages, AFunctionStageThatHidesStateIsRefusedUnderCheckpoints) {
  const auto dir = testing::temp_dir("stages_lambda");
  LogisticRegressionSGD model(adagrad());
  auto make = [&](const std::string& ck) {
    PipelineSettings p = by_count(100);
    p.checkpoint.dir = ck;
    p.checkpoint.every_batches = 5;
    return Pipeline(std::make_unique<MemorySource>(records(), 250), p);
  };
  Pipeline undeclared = make((dir / "a").string());
  undeclared.add_stage("model", [&](Batch& batch) { model.partial_fit(batch); });
  const std::string message = error_of([&] { undeclared.run(); });
  EXPECT_NE(message.find("stage 'model' has not said how it keeps state"), std::string::npos) << message;
  EXPECT_NE(message.find("StageState::Stateless"), std::string::npos) << message;
  EXPECT_EQ(model.state().examples_seen, 0);  // refused before the first batch

  Pipeline declared = make((dir / "b").string());
  declared.add_stage("model", [&](Batch& batch) { model.partial_fit(batch); }, model);
  declared.add_stage("count", [](Batch&) {}, StageState::Stateless);
  declared.run();
  EXPECT_EQ(model.state().examples_seen, 3000);
  const CheckpointStore store((dir / "b").string());
  EXPECT_EQ(store.describe("model").learner_type, "logreg");  // saved under the stage's name

  // Without checkpoints nothing needs declaring (the README's first example).
  Pipeline plain(std::make_unique<MemorySource>(records(), 250), by_count(100));
  plain.add_stage("anything", [](Batch&) {});
  EXPECT_EQ(plain.run().records, 3000);
}

TEST(Stages, NamesAreUniqueAndCheckpointable) {
  Pipeline pipeline(std::make_unique<MemorySource>(records(), 250), by_count(100));
  pipeline.add_learner("ctr", std::make_shared<LogisticRegressionSGD>());
  EXPECT_NE(error_of([&] { pipeline.add_learner("ctr", std::make_shared<LogisticRegressionSGD>()); })
                .find("two stages named 'ctr'"),
            std::string::npos);
  EXPECT_NE(error_of([&] { pipeline.add_learner("ctr/a", std::make_shared<LogisticRegressionSGD>()); })
                .find("model name 'ctr/a' must be 1 to 100 characters"),
            std::string::npos);
  EXPECT_NE(error_of([&] { pipeline.add_learner("none", nullptr); }).find("needs a learner"), std::string::npos);
}

// Oracle: a clusterer's stage learns, then labels with the updated model (Spark's predictOn);
// its output column equals predict() of the learner after the batch.
TEST(Stages, AClustererAddsItsClusterColumn) {
  StreamingKMeansSettings s;
  s.k = 3;
  auto kmeans = std::make_shared<StreamingKMeans>(s);
  std::vector<std::int64_t> clusters;
  Pipeline pipeline(std::make_unique<MemorySource>(records(), 250), by_count(500));
  pipeline.add_learner("regimes", kmeans);
  pipeline.add_stage("check", [&](Batch& batch) {
    const auto& c = std::get<std::vector<std::int64_t>>(batch.output("regimes.cluster")->values);
    const Eigen::VectorXd predicted = kmeans->score(batch);
    for (std::size_t i = 0; i < batch.rows; ++i) EXPECT_EQ(double(c[i]), predicted[Eigen::Index(i)]);
    clusters.insert(clusters.end(), c.begin(), c.end());
  }, StageState::Stateless);
  pipeline.run();
  EXPECT_EQ(clusters.size(), 3000u);
}

// Oracle: the command line. add_learner("logreg", ...) with the settings of `--param` runs
// what `streamml replay --learner logreg` runs: the same final model, checkpointed alike.
TEST(Stages, AddLearnerIsWhatTheCommandLineRuns) {
  const auto dir = testing::temp_dir("stages_cli");
  std::ostringstream csv;
  csv << "x0,x1,x2,y\n";
  const Batch all = records();
  for (std::size_t i = 0; i < all.rows; ++i)
    csv << all.features[3 * i] << "," << all.features[3 * i + 1] << "," << all.features[3 * i + 2] << ","
        << all.labels[i] << "\n";
  const auto path = testing::write_file(dir / "s.csv", csv.str());

  std::vector<std::string> args = {"streamml", "replay", "--input", path.string(), "--label", "y", "--batch-size",
                                   "100", "--learner", "logreg", "--param", "mode=online", "--param",
                                   "optimizer=adagrad", "--param", "fit_intercept=true", "--quiet",
                                   "--checkpoint-dir", (dir / "cli").string()};
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  std::stringstream out;
  auto* old = std::cout.rdbuf(out.rdbuf());
  const int code = run_cli(int(argv.size()), argv.data());
  std::cout.rdbuf(old);
  ASSERT_EQ(code, 0) << out.str();

  FileSourceOptions in;
  in.schema.label = "y";
  auto model = std::shared_ptr<Learner>(learner_registry().make_learner(
      "logreg", {{"mode", "online"}, {"optimizer", "adagrad"}, {"fit_intercept", "true"}}));
  Pipeline pipeline(open_file_source(path.string(), in), by_count(100));
  pipeline.add_learner("logreg", model);
  pipeline.run();

  LogisticRegressionSGD from_cli;
  CheckpointStore((dir / "cli").string()).load("logreg", from_cli);
  const auto& mine = dynamic_cast<const LogisticRegressionSGD&>(*model);
  EXPECT_TRUE(from_cli.coef() == mine.coef());
  EXPECT_EQ(from_cli.intercept(), mine.intercept());
}

}  // namespace
}  // namespace streamml
