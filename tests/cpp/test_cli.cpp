// The `streamml` command, driven through run_cli exactly as a user types it. Expected
// figures are brute-force counts over the file the test writes.
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>

#include "algorithms/registry.h"
#include "apps/cli.h"
#include "core/event_time.h"
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
  EXPECT_NE(file.out.find("\"/coef\""), std::string::npos) << file.out;
  // The text form asks the learner registry what the type is and loads the file through it.
  const CliRun text = cli({"inspect", ck + "/logreg/v000002.h5"});
  ASSERT_EQ(text.code, 0) << text.err;
  EXPECT_NE(text.out.find("  learner_type     logreg (classifier: "), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("  loads            yes\n"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("  state_version    2\n"), std::string::npos) << text.out;

  const CliRun missing = cli({"inspect", (dir / "nothing.h5").string()});
  EXPECT_EQ(missing.code, 2);
  EXPECT_NE(missing.err.find("nothing.h5"), std::string::npos);
  const CliRun no_dir = cli({"replay", "--input", csv.string(), "--label", "y", "--resume"});
  EXPECT_EQ(no_dir.code, 2);
  EXPECT_NE(no_dir.err.find("--resume needs --checkpoint-dir"), std::string::npos) << no_dir.err;
}

// `replay --count-by user --window 10s --slide 2s --top 3`: every window of event time with its
// top three users. Oracle: a brute-force count of the records each window covers (the one
// record 100 s behind the stream is later than the watermark allows and is dropped).
TEST(Cli, CountByWindowPrintsTheTopKeysOfEveryWindow) {
  const auto dir = testing::temp_dir("cli_count_by");
  std::ostringstream csv;
  csv << "t,user,device,x\n";
  std::map<std::int64_t, std::map<std::string, std::int64_t>> windows;  // start (s) -> user -> n
  for (int i = 0; i < 600; ++i) {
    const std::int64_t tenths = 10000 + i * 3 + (i % 7) * (i % 5);  // nondecreasing
    const std::int64_t t = i == 300 ? tenths - 1000 : tenths;        // one record 100 s late
    const std::string user = "u" + std::to_string((i * i) % 11);
    csv << t / 10 << "." << t % 10 << "," << user << ",phone," << i << "\n";
    if (i == 300) continue;
    const std::int64_t pane = t / 20;  // 2 s panes
    for (std::int64_t s = pane - 4; s <= pane; ++s) windows[s * 2][user] += 1;
  }
  const auto path = testing::write_file(dir / "events.csv", csv.str());
  const CliRun r = cli({"replay", "--input", path.string(), "--time", "t", "--count-by", "user", "--window", "10s",
                        "--slide", "2s", "--top", "3", "--lateness", "3s", "-q"});
  ASSERT_EQ(r.code, 0) << r.err;
  std::string expected;
  for (const auto& [start, users] : windows) {
    std::vector<std::pair<std::string, std::int64_t>> top(users.begin(), users.end());
    std::int64_t records = 0;
    for (const auto& u : top) records += u.second;
    std::sort(top.begin(), top.end(), [](const auto& a, const auto& b) { return a.second > b.second || (a.second == b.second && a.first < b.first); });
    expected += "window " + format_event_time(start * kMicrosPerSecond) + " +10s:";
    for (std::size_t i = 0; i < 3 && i < top.size(); ++i) expected += (i ? ", " : " ") + top[i].first + " " + std::to_string(top[i].second);
    expected += " (" + std::to_string(users.size()) + " keys, " + std::to_string(records) + " records)\n";
  }
  EXPECT_EQ(r.out.substr(0, r.out.find("replayed")), expected);
  EXPECT_NE(r.out.find("count by user: " + std::to_string(windows.size()) + " windows, 1 late records dropped"), std::string::npos)
      << r.out;

  const CliRun bad = cli({"replay", "--input", path.string(), "--time", "t", "--count-by", "user", "--window", "10s",
                          "--slide", "3s", "-q"});
  EXPECT_EQ(bad.code, 2);
  EXPECT_NE(bad.err.find("the slide (3000000 µs) must divide the window length (10000000 µs)"), std::string::npos) << bad.err;
  const CliRun no_time = cli({"replay", "--input", path.string(), "--count-by", "user", "--window", "10s", "-q"});
  EXPECT_EQ(no_time.code, 2);
  EXPECT_NE(no_time.err.find("add --time COL"), std::string::npos) << no_time.err;
}

}  // namespace
}  // namespace streamml

namespace streamml {
namespace {

// Oracle: the settings tables themselves. `streamml learners` lists every registered type that
// can be a stage; `streamml learners NAME` shows each setting's name, type, default and doc.
TEST(Cli, LearnersListsTheRegistryAndEachSettingsTable) {
  const CliRun all = cli({"learners"});
  ASSERT_EQ(all.code, 0) << all.err;
  for (const auto& type : learner_registry().types()) {
    const bool listed = all.out.find("  " + type.name + " ") != std::string::npos;
    EXPECT_EQ(listed, type.role != LearnerRole::Evaluator) << type.name << "\n" << all.out;
    if (type.role == LearnerRole::Evaluator) continue;
    const CliRun one = cli({"learners", type.name});
    ASSERT_EQ(one.code, 0) << one.err;
    for (const auto& s : type.settings->settings()) {
      const auto at = one.out.find("\n  " + s.name + " ");
      ASSERT_NE(at, std::string::npos) << type.name << ": " << s.name << "\n" << one.out;
      const std::string line = one.out.substr(at, one.out.find('\n', at + 1) - at);
      EXPECT_NE(line.find(setting_type_name(s.type)), std::string::npos) << line;
      EXPECT_NE(line.find("default " + (s.default_text.empty() ? std::string("(none)") : s.default_text)),
                std::string::npos) << line;
      EXPECT_NE(one.out.find(s.doc, at), std::string::npos) << s.doc;
    }
  }
  const CliRun unknown = cli({"learners", "logit"});
  EXPECT_EQ(unknown.code, 2);
  EXPECT_NE(unknown.err.find("unknown learner 'logit' (known: logreg, kmeans, dbscan"), std::string::npos)
      << unknown.err;
}

// Oracle: data/clicks.csv's header (its `user` column holds text). A new user who forgets
// --key user has every record refused: the run stops with an error that says so and hints at
// the column roles, instead of exiting 0 having learned nothing. Messages for bad input carry
// no source location unless --debug asks for it.
TEST(Cli, AStreamOfBadRecordsStopsWithAHint) {
  const std::string clicks = std::string(std::getenv("STREAMML_SOURCE_DIR")) + "/data/clicks.csv";
  const CliRun forgot = cli({"replay", "--input", clicks, "--label", "clicked", "--time", "event_time",
                             "--categorical", "device,ad_category", "--learner", "logreg", "--quiet"});
  EXPECT_EQ(forgot.code, 2) << forgot.out;
  EXPECT_NE(forgot.err.find("records of " + clicks + " were bad (100%), more than the 0.5"), std::string::npos)
      << forgot.err;
  EXPECT_NE(forgot.err.find("cannot parse 'u04825' as a number in column 'user'"), std::string::npos) << forgot.err;
  EXPECT_NE(forgot.err.find("The first batch held no good record"), std::string::npos) << forgot.err;
  EXPECT_EQ(forgot.err.find(".cpp:"), std::string::npos) << forgot.err;  // no source location for people

  const CliRun plain = cli({"replay", "--input", clicks, "--label", "click", "--quiet"});
  const CliRun debug = cli({"--debug", "replay", "--input", clicks, "--label", "click", "--quiet"});
  EXPECT_EQ(plain.code, 2);
  EXPECT_EQ(debug.code, 2);
  EXPECT_NE(plain.err.find("'click'"), std::string::npos) << plain.err;
  EXPECT_EQ(plain.err.find(".cpp:"), std::string::npos) << plain.err;
  EXPECT_EQ(debug.err.rfind(plain.err.substr(0, plain.err.size() - 1), 0), 0u) << debug.err;
  EXPECT_NE(debug.err.find(".cpp:"), std::string::npos) << debug.err;  // --debug: where it was found

  // The limit is the user's: 1 keeps every good record whatever the share of bad ones.
  const auto dir = testing::temp_dir("cli_bad_fraction");
  std::ostringstream mostly_bad;
  mostly_bad << "x,y\n";
  for (int i = 0; i < 2000; ++i) mostly_bad << (i % 4 == 0 ? std::to_string(i) : "bad") << "," << i % 2 << "\n";
  const auto csv = testing::write_file(dir / "mostly_bad.csv", mostly_bad.str());
  // Batches of 100 good records: after the third (record 1,197; hand-counted: 300 good, 897
  // bad), the stream has passed the 1,000 records from which the share is judged.
  const CliRun stopped = cli({"replay", "--input", csv.string(), "--label", "y", "--quiet", "--batch-size", "100"});
  EXPECT_EQ(stopped.code, 2);
  EXPECT_NE(stopped.err.find("897 of 1197 records"), std::string::npos) << stopped.err;
  EXPECT_EQ(stopped.err.find("The first batch held no good record"), std::string::npos) << stopped.err;
  const CliRun allowed = cli({"replay", "--input", csv.string(), "--label", "y", "--quiet", "--max-bad-fraction", "1"});
  EXPECT_EQ(allowed.code, 0) << allowed.err;
  EXPECT_NE(allowed.out.find("500 records in"), std::string::npos) << allowed.out;
}

}  // namespace
}  // namespace streamml
