// ALS as a pipeline stage (streaming/stages/recommender_stage.h) and on the command line
// (`streamml replay --learner als --key user --item item --label rating`). Oracles: ALS and
// PrequentialRanking fed the same batches directly (factors and figures bit for bit); an
// uninterrupted run for crash -> resume.
#include <gtest/gtest.h>

#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "algorithms/evaluation/prequential_ranking.h"
#include "algorithms/recommend/als.h"
#include "apps/cli.h"
#include "checkpoint_test_util.h"
#include "core/checkpoint_store.h"
#include "datasets/ratings.h"
#include "streaming/file_source.h"
#include "streaming/pipeline.h"
#include "streaming/stages/recommender_stage.h"
#include "test_helpers.h"

namespace streamml {
namespace {

using testing::error_of;

struct Ratings {
  std::string path;
  std::vector<EventTime> times;
  std::vector<std::string> users, items;
  std::vector<double> ratings;
};

const Ratings& ratings_stream() {
  static const Ratings r = [] {
    Ratings out;
    out.path = (testing::temp_dir("recommender_stream") / "ratings.csv").string();
    StreamOptions o;
    o.out = out.path;
    o.events = 6000;
    o.seed = 5;
    RatingsSettings s;
    s.users = 300;
    s.items = 120;
    generate_ratings(o, s);
    std::ifstream in(out.path);
    std::string line;
    std::getline(in, line);  // event_time,user,item,rating
    while (std::getline(in, line)) {
      const auto c1 = line.find(','), c2 = line.find(',', c1 + 1), c3 = line.find(',', c2 + 1);
      out.times.push_back(*parse_event_time(line.substr(0, c1)));
      out.users.push_back(line.substr(c1 + 1, c2 - c1 - 1));
      out.items.push_back(line.substr(c2 + 1, c3 - c2 - 1));
      out.ratings.push_back(std::stod(line.substr(c3 + 1)));
    }
    return out;
  }();
  return r;
}

AlsSettings als_settings() {
  AlsSettings s;
  s.rank = 4;
  s.sweep_interval = 3;
  s.seed = 9;
  return s;
}

// The stream in batches of 500, straight into an ALS and its ranking evaluator.
void feed_directly(AlternatingLeastSquares& als, PrequentialRanking& ranking) {
  const Ratings& r = ratings_stream();
  for (std::size_t b = 0; b < r.users.size(); b += 500) {
    const std::size_t e = std::min(r.users.size(), b + 500);
    const KeyColumn users(std::vector<std::string>(r.users.begin() + std::ptrdiff_t(b), r.users.begin() + std::ptrdiff_t(e)));
    const KeyColumn items(std::vector<std::string>(r.items.begin() + std::ptrdiff_t(b), r.items.begin() + std::ptrdiff_t(e)));
    ranking.update(als, users, items);
    als.partial_fit(users, items, std::vector<double>(r.ratings.begin() + std::ptrdiff_t(b), r.ratings.begin() + std::ptrdiff_t(e)),
                    std::vector<EventTime>(r.times.begin() + std::ptrdiff_t(b), r.times.begin() + std::ptrdiff_t(e)));
  }
}

bool same_bits(const ConstRowMatrixMap& a, const ConstRowMatrixMap& b) {
  return a.rows() == b.rows() && a.cols() == b.cols() &&
         std::memcmp(a.data(), b.data(), std::size_t(a.size()) * sizeof(double)) == 0;
}

TEST(RecommenderStage, TheCommandLineRunsAlsAsFedDirectly) {
  const Ratings& r = ratings_stream();
  const auto dir = testing::temp_dir("recommender_cli");
  const std::string ck = (dir / "ck").string();
  std::ostringstream out;
  std::vector<std::string> args = {"streamml", "replay", "--input", r.path, "--time", "event_time", "--key", "user",
                                   "--item", "item", "--label", "rating", "--batch-size", "500", "--learner", "als",
                                   "--param", "rank=4", "--param", "sweep_interval=3", "--param", "seed=9",
                                   "--param", "eval_top_n=5", "--checkpoint-dir", ck, "--quiet"};
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  auto* old = std::cout.rdbuf(out.rdbuf());
  const int code = run_cli(int(argv.size()), argv.data());
  std::cout.rdbuf(old);
  ASSERT_EQ(code, 0) << out.str();
  EXPECT_NE(out.str().find("als: prequential top-5"), std::string::npos) << out.str();

  AlternatingLeastSquares direct(als_settings());
  PrequentialRankingSettings top5;
  top5.top_n = 5;
  PrequentialRanking ranking(top5);
  feed_directly(direct, ranking);
  RecommenderStage saved("als", std::make_shared<AlternatingLeastSquares>(), top5);
  CheckpointStore(ck).load("als", saved);
  EXPECT_TRUE(same_bits(saved.model().user_factors(), direct.user_factors()));
  EXPECT_TRUE(same_bits(saved.model().item_factors(), direct.item_factors()));
  EXPECT_EQ(saved.model().batches_seen(), 12);
  EXPECT_EQ(saved.model().params_json(), direct.params_json());
  EXPECT_EQ(saved.evaluator().metrics_json(), ranking.metrics_json());
  const RankingFigures f = ranking.cumulative();
  EXPECT_GT(f.scored, 1000);
  char line[160];
  std::snprintf(line, sizeof line, "  %-12s %9lld %8.4f %16.4f %8.4f %12.4f\n", "stream", (long long)f.scored, f.recall,
                f.baseline_recall, f.mrr, f.baseline_mrr);
  EXPECT_NE(out.str().find(line), std::string::npos) << out.str();
}

TEST(RecommenderStage, AddsScoresRankedBeforeLearning) {
  const Ratings& r = ratings_stream();
  PipelineSettings p;
  p.batching.batch_size = 500;
  FileSourceOptions file;
  file.schema.time = "event_time";
  file.schema.key = "user";
  file.schema.ids = {{"item", "item"}};
  file.schema.label = "rating";
  auto model = std::make_shared<AlternatingLeastSquares>(als_settings());
  Pipeline pipeline(open_file_source(r.path, file), p);
  pipeline.add_learner("recs", model);
  std::vector<double> scores;
  pipeline.add_stage("collect", [&](Batch& b) {
    const auto& v = std::get<std::vector<double>>(b.output("recs.score")->values);
    scores.insert(scores.end(), v.begin(), v.end());
  }, StageState::Stateless);
  pipeline.run();
  // Oracle: predict() on the model as it stood before each batch.
  AlternatingLeastSquares direct(als_settings());
  std::vector<double> expected;
  for (std::size_t b = 0; b < r.users.size(); b += 500) {
    const std::size_t e = std::min(r.users.size(), b + 500);
    const KeyColumn users(std::vector<std::string>(r.users.begin() + std::ptrdiff_t(b), r.users.begin() + std::ptrdiff_t(e)));
    const KeyColumn items(std::vector<std::string>(r.items.begin() + std::ptrdiff_t(b), r.items.begin() + std::ptrdiff_t(e)));
    const Eigen::VectorXd s = direct.predict(users, items);
    expected.insert(expected.end(), s.data(), s.data() + s.size());
    direct.partial_fit(users, items, std::vector<double>(r.ratings.begin() + std::ptrdiff_t(b), r.ratings.begin() + std::ptrdiff_t(e)),
                       std::vector<EventTime>(r.times.begin() + std::ptrdiff_t(b), r.times.begin() + std::ptrdiff_t(e)));
  }
  ASSERT_EQ(scores.size(), expected.size());
  std::size_t nan = 0;
  for (std::size_t i = 0; i < scores.size(); ++i) {
    nan += std::isnan(expected[i]);
    if (std::isnan(expected[i])) EXPECT_TRUE(std::isnan(scores[i])) << i;
    else EXPECT_EQ(scores[i], expected[i]) << i;
  }
  EXPECT_GT(nan, 0u);  // the first batch knows no one
}

TEST(RecommenderStage, ResumeAfterACrashEqualsAnUninterruptedRun) {
  const Ratings& r = ratings_stream();
  const auto dir = testing::temp_dir("recommender_resume");
  auto run = [&](const std::string& ck, std::int64_t stop_at, bool resume) {
    PipelineSettings p;
    p.batching.batch_size = 500;
    p.checkpoint.dir = ck;
    p.checkpoint.every_batches = 3;
    p.checkpoint.resume = resume;
    FileSourceOptions file;
    file.schema.time = "event_time";
    file.schema.key = "user";
    file.schema.ids = {{"item", "item"}};
    file.schema.label = "rating";
    auto stage = std::make_unique<RecommenderStage>("als", std::make_shared<AlternatingLeastSquares>(als_settings()));
    RecommenderStage* kept = stage.get();
    Pipeline pipeline(open_file_source(r.path, file), p);
    pipeline.add_stage(std::move(stage));
    pipeline.add_stage("crash", [stop_at](Batch& b) {
      if (b.index == stop_at) throw std::runtime_error("injected failure");
    }, StageState::Stateless);
    try {
      pipeline.run();
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find("injected failure"), std::string::npos) << e.what();
    }
    return checkpoint_test::snapshot(*kept);
  };
  const auto whole = run((dir / "whole").string(), -1, false);
  run((dir / "cut").string(), 7, false);
  const auto resumed = run((dir / "cut").string(), -1, true);
  EXPECT_TRUE(whole == resumed) << checkpoint_test::first_difference(whole, resumed);
}

TEST(RecommenderStage, NeedsUsersAndItems) {
  RecommenderStage stage("recs", std::make_shared<AlternatingLeastSquares>());
  Batch b;
  b.rows = 1;
  b.keys = std::vector<std::string>{"u1"};
  EXPECT_NE(error_of([&] { stage.process(b); }).find("stage 'recs': learner 'als' needs users and items: replay with "
                                                     "--key COL --item COL"),
            std::string::npos);
}

}  // namespace
}  // namespace streamml
