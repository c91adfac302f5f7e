// The `streamml` command, driven through run_cli exactly as a user types it. Expected
// figures are brute-force counts over the file the test writes.
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <iostream>
#include <sstream>

#include "apps/cli.h"
#include "core/position.h"
#include "test_helpers.h"

namespace streamml {
namespace {

struct CliRun {
  int code;
  std::string out, err;
};

CliRun cli(std::vector<std::string> args) {
  args.insert(args.begin(), "streamml");
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  std::stringstream out, err;
  auto* old_out = std::cout.rdbuf(out.rdbuf());
  auto* old_err = std::cerr.rdbuf(err.rdbuf());
  const int code = run_cli(int(argv.size()), argv.data());
  std::cout.rdbuf(old_out);
  std::cerr.rdbuf(old_err);
  return {code, out.str(), err.str()};
}

std::string read(const std::filesystem::path& p) {
  std::ifstream in(p);
  return {std::istreambuf_iterator<char>(in), {}};
}

// 1,000 records, one per 0.1 s from t = 1000 s, label = (i % 3 == 0); line 502 (record 501)
// has an unparsable number and line 803 a missing field: 998 good records, 2 bad.
std::filesystem::path sample(const std::filesystem::path& dir) {
  std::ostringstream csv;
  csv << "t,user,x1,x2,y\n";
  for (int i = 0; i < 1000; ++i) {
    csv << 1000 + i / 10 << "." << i % 10 << ",u" << i % 7 << ",";
    if (i == 500) csv << "oops";
    else csv << i * 0.5;
    if (i != 801) csv << "," << -i;
    csv << "," << (i % 3 == 0) << "\n";
  }
  return testing::write_file(dir / "sample.csv", csv.str());
}

TEST(Cli, ReplayWritesASummaryWithTheStreamsFigures) {
  const auto dir = testing::temp_dir("cli_summary");
  const auto csv = sample(dir);
  const CliRun r = cli({"replay", "--input", csv.string(), "--label", "y", "--key", "user", "--time", "t",
                     "--batch-interval", "10s", "--summary", (dir / "s.json").string(), "-q",
                     "--dead-letter", (dir / "dead.jsonl").string()});
  ASSERT_EQ(r.code, 0) << r.err;
  const std::string json = read(dir / "s.json");
  // 998 good records; event times 1000.0 .. 1099.9 s in 10 s intervals: 10 batches.
  EXPECT_NE(json.find("\"records\": 998"), std::string::npos) << json;
  EXPECT_NE(json.find("\"batches\": 10"), std::string::npos) << json;
  EXPECT_NE(json.find("\"bad_records\": 2"), std::string::npos) << json;
  EXPECT_NE(r.out.find("998 records in 10 batches"), std::string::npos) << r.out;
  // The dead-letter file holds both bad records with their line numbers (header is line 1).
  const std::string dead = read(dir / "dead.jsonl");
  EXPECT_NE(dead.find("\"line\":502"), std::string::npos) << dead;
  EXPECT_NE(dead.find("\"line\":803"), std::string::npos) << dead;
}

TEST(Cli, OnBadErrorStopsAtTheFirstBadRecordNamingIt) {
  const auto dir = testing::temp_dir("cli_error");
  const auto csv = sample(dir);
  const CliRun r = cli({"replay", "--input", csv.string(), "--label", "y", "--key", "user",
                     "--on-bad", "error", "-q"});
  EXPECT_EQ(r.code, 2);  // bad input
  // Line 502, column 3 (x1) holds "oops".
  EXPECT_NE(r.err.find(csv.string() + ":502:3"), std::string::npos) << r.err;
}

TEST(Cli, LearnerReportsAPrequentialCurve) {
  const auto dir = testing::temp_dir("cli_learner");
  const auto csv = sample(dir);
  const CliRun r = cli({"replay", "--input", csv.string(), "--label", "y", "--features", "x1,x2",
                     "--batch-size", "100", "--learner", "logreg", "--param", "mode=online",
                     "--curve", (dir / "curve.csv").string(), "-q"});
  ASSERT_EQ(r.code, 0) << r.err;
  // 998 records in batches of 100: 10 batches (the last of 98), one curve line each + header.
  const std::string curve = read(dir / "curve.csv");
  EXPECT_EQ(std::count(curve.begin(), curve.end(), '\n'), 11) << curve;
  EXPECT_NE(r.out.find("whole stream: 998 predictions"), std::string::npos) << r.out;
}

TEST(Cli, UsageErrorsSayWhatIsWrong) {
  const auto dir = testing::temp_dir("cli_usage");
  const auto csv = sample(dir);
  CliRun r = cli({"replay", "--input", csv.string(), "--speed", "10", "-q"});
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("--speed needs the event-time column"), std::string::npos) << r.err;
  r = cli({"replay", "--input", csv.string(), "--label", "nope", "-q"});
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("label column 'nope' is not in the header (t, user, x1, x2, y)"),
            std::string::npos) << r.err;
  r = cli({"replay", "--input", csv.string(), "--learner", "logreg", "--param", "step_size"});
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("'step_size' is not of the form key=value"), std::string::npos) << r.err;
  r = cli({"replay", "--input", (dir / "missing.csv").string()});
  EXPECT_NE(r.code, 0);
  EXPECT_NE(r.err.find("missing.csv"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace streamml

namespace streamml {
namespace {

// Two 10 x 10 grids of spacing 0.1 at (0, 0) and (10, 10), interleaved record by record, then
// one outlier at (30, 30): 201 records, one per second.
std::filesystem::path two_blobs(const std::filesystem::path& dir) {
  std::ostringstream csv;
  csv << "t,x,y\n";
  for (int i = 0; i < 200; ++i) {
    const int j = i / 2;
    const double off = i % 2 ? 10.0 : 0.0;
    csv << i << "," << off + 0.1 * (j % 10) << "," << off + 0.1 * (j / 10) << "\n";
  }
  csv << "200,30,30\n";
  return testing::write_file(dir / "blobs.csv", csv.str());
}

TEST(Cli, KMeansFindsTheTwoBlobs) {
  const auto dir = testing::temp_dir("cli_kmeans");
  const auto csv = two_blobs(dir);
  const CliRun r = cli({"replay", "--input", csv.string(), "--time", "t", "--batch-size", "50",
                        "--learner", "kmeans", "--param", "k=2", "--summary",
                        (dir / "s.json").string(), "-q"});
  ASSERT_EQ(r.code, 0) << r.err;
  // By hand: 100 points per blob; the outlier (30, 30) is nearer the (10, 10) blob: 100 and 101.
  const std::string json = read(dir / "s.json");
  const bool a = json.find(R"("records_per_label":{"0":100,"1":101})") != std::string::npos;
  const bool b = json.find(R"("records_per_label":{"0":101,"1":100})") != std::string::npos;
  EXPECT_TRUE(a || b) << json;
}

TEST(Cli, WindowedDbscanReportsTheOutlierAsTheOnlyAnomaly) {
  const auto dir = testing::temp_dir("cli_dbscan");
  const auto csv = two_blobs(dir);
  const CliRun r = cli({"replay", "--input", csv.string(), "--time", "t", "--batch-size", "50",
                        "--learner", "dbscan", "--param", "eps=0.15", "--param", "min_samples=3",
                        "--param", "window_batches=4", "-q"});
  ASSERT_EQ(r.code, 0) << r.err;
  // Grid neighbours are 0.1 apart, so every blob point is core; (30, 30) has no neighbour
  // within 0.15: the only noise point, alone in the 5th batch (201 = 4 x 50 + 1).
  EXPECT_NE(r.out.find("dbscan: 1 noise points (anomalies) in 1 of 5 batches"), std::string::npos)
      << r.out;
}

TEST(Cli, ClusteringRejectsSettingsItDoesNotHave) {
  const auto dir = testing::temp_dir("cli_cluster_bad");
  const auto csv = two_blobs(dir);
  CliRun r = cli({"replay", "--input", csv.string(), "--learner", "kmeans", "--param", "k=0", "-q"});
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("k"), std::string::npos) << r.err;
  r = cli({"replay", "--input", csv.string(), "--learner", "dbscan", "--param", "eps=-1", "-q"});
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("eps"), std::string::npos) << r.err;
  r = cli({"replay", "--input", csv.string(), "--learner", "kmeans", "--curve", "x.csv", "-q"});
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("'kmeans' has none"), std::string::npos) << r.err;
}

// Checkpoints from the command line: written every N batches, resumed, inspected. Oracle:
// the sample's brute-force counts (1,000 records over 100 s: 10 batches of 10 s) and the flags.
TEST(Cli, ReplayCheckpointsResumesAndInspects) {
  const auto dir = testing::temp_dir("cli_checkpoints");
  const auto csv = sample(dir);
  const std::string ck = (dir / "ck").string();
  const std::vector<std::string> replay{"replay", "--input", csv.string(), "--label", "y", "--time", "t",
                                        "--ignore", "user", "--batch-interval", "10s", "-q",
                                        "--learner", "logreg", "--param", "mode=online",
                                        "--checkpoint-dir", ck, "--checkpoint-every", "3"};
  const CliRun first = cli(replay);
  ASSERT_EQ(first.code, 0) << first.err;
  // 10 batches: after batches 2, 5 and 8, and at the end.
  EXPECT_NE(first.out.find("wrote 4 checkpoints (newest: version 4)"), std::string::npos) << first.out;

  auto resumed_args = replay;
  resumed_args.push_back("--resume");
  const CliRun resumed = cli(resumed_args);
  ASSERT_EQ(resumed.code, 0) << resumed.err;
  // Resumed after the last batch: nothing is left to replay, nothing is learned twice.
  EXPECT_NE(resumed.out.find("resumed from checkpoint 4 (after batch 9): 1000 records before it skipped"),
            std::string::npos) << resumed.out;
  EXPECT_NE(resumed.out.find(": 0 records in 0 batches"), std::string::npos) << resumed.out;

  const CliRun listing = cli({"inspect", ck});
  ASSERT_EQ(listing.code, 0) << listing.err;
  EXPECT_NE(listing.out.find("logreg: 4 versions (1 to 4); newest: logreg after batch 9"), std::string::npos)
      << listing.out;
  const CliRun file = cli({"inspect", ck + "/logreg/v000002.h5", "--json"});
  ASSERT_EQ(file.code, 0) << file.err;
  EXPECT_NE(file.out.find("\"batch_index\": 5,"), std::string::npos) << file.out;
  EXPECT_NE(file.out.find("\"/weights\""), std::string::npos) << file.out;

  const CliRun missing = cli({"inspect", (dir / "nothing.h5").string()});
  EXPECT_EQ(missing.code, 2);
  EXPECT_NE(missing.err.find("nothing.h5"), std::string::npos);
  const CliRun no_dir = cli({"replay", "--input", csv.string(), "--label", "y", "--resume"});
  EXPECT_EQ(no_dir.code, 2);
  EXPECT_NE(no_dir.err.find("--resume needs --checkpoint-dir"), std::string::npos) << no_dir.err;
}

}  // namespace
}  // namespace streamml
