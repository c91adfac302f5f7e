// Sinks: the file sink's rows, and exactly-once output across crashes.
//
// Oracles: the input file itself (brute force: every record's key, event time, position and,
// for the learner's probabilities, a test-then-train loop over the same records run here by
// hand); for windows, counts recomputed by brute force over the input; for crashes, one
// uninterrupted run's output file, byte for byte (the SIGKILL version, from the command line,
// is tests/python/test_sinks.py); RFC 4180 and JSON by hand for the encoder.
#include <gtest/gtest.h>

#include <simdjson.h>

#include <algorithm>
#include <charconv>
#include <fstream>
#include <map>
#include <numeric>
#include <random>
#include <sstream>

#include "algorithms/linear/logistic_regression_sgd.h"
#include "apps/windowed_count.h"
#include "core/event_time.h"
#include "streaming/file_source.h"
#include "streaming/pipeline.h"
#include "streaming/sinks/file_sink.h"
#include "test_helpers.h"

namespace streamml {
namespace {

using testing::error_of;
using testing::temp_dir;
using testing::write_file;

std::string read_text(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string shortest(double v) {
  char buf[32];
  return std::string(buf, std::to_chars(buf, buf + sizeof buf, v).ptr);
}

// Splits one CSV line of our own writing (RFC 4180 quoting).
std::vector<std::string> csv_fields(const std::string& line) {
  std::vector<std::string> out(1);
  bool quoted = false;
  for (std::size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quoted) {
      if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') out.back() += '"', ++i;
      else if (c == '"') quoted = false;
      else out.back() += c;
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      out.emplace_back();
    } else {
      out.back() += c;
    }
  }
  return out;
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

TEST(RowEncoder, CsvQuotesOnlyWhatRfc4180NeedsAndJsonLinesIsOneObjectPerRow) {
  // Oracle: RFC 4180 and JSON, written out by hand.
  std::string csv, jsonl;
  RowEncoder c(RowFormat::Csv, {"id", "text", "p", "pos"});
  RowEncoder j(RowFormat::JsonLines, {"id", "text", "p", "pos"});
  c.header(csv);
  j.header(jsonl);
  for (RowEncoder* e : {&c, &j}) {
    std::string& out = e == &c ? csv : jsonl;
    e->begin(out);
    e->cell(out, std::int64_t{-7});
    e->cell(out, std::string_view("a,\"b\""));
    e->cell(out, 0.1);
    e->json_cell(out, R"({"offset":3})");
    e->end(out);
    e->begin(out);
    e->cell(out, std::int64_t{8});
    e->cell(out, std::string_view("plain"));
    e->cell(out, std::nan(""));
    e->json_cell(out, "[1]");
    e->end(out);
  }
  EXPECT_EQ(csv, "id,text,p,pos\n-7,\"a,\"\"b\"\"\",0.1,\"{\"\"offset\"\":3}\"\n8,plain,nan,[1]\n");
  EXPECT_EQ(jsonl, "{\"id\":-7,\"text\":\"a,\\\"b\\\"\",\"p\":0.1,\"pos\":{\"offset\":3}}\n"
                   "{\"id\":8,\"text\":\"plain\",\"p\":null,\"pos\":[1]}\n");
  EXPECT_EQ(resolve_row_format(RowFormat::Auto, "/x/out.jsonl"), RowFormat::JsonLines);
  EXPECT_EQ(resolve_row_format(RowFormat::Auto, "out.csv"), RowFormat::Csv);
  EXPECT_NE(error_of([] { resolve_row_format(RowFormat::Auto, "out.txt"); }).find("--output-format"), std::string::npos);
}

// A recorded click-like stream: time t (epoch seconds), user, two features, label.
struct Input {
  std::string text;
  std::vector<std::string> users;
  std::vector<EventTime> times;
  std::vector<double> x1, x2, y;
  std::vector<std::int64_t> line_end;  // byte offset just after each record's line
};

Input make_input(int n, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> normal;
  Input in;
  in.text = "t,user,x1,x2,y\n";
  std::int64_t ms = 1767225600000;  // 2026-01-01T00:00:00Z
  for (int i = 0; i < n; ++i) {
    ms += std::int64_t(rng() % 2000);
    char t[32];
    std::snprintf(t, sizeof t, "%lld.%03lld", (long long)(ms / 1000), (long long)(ms % 1000));
    const double x1 = std::round(normal(rng) * 1000) / 1000, x2 = std::round(normal(rng) * 1000) / 1000;
    const double y = (x1 - 0.5 * x2 + 0.3 * normal(rng)) > 0 ? 1 : 0;
    const std::string user = "u" + std::to_string(rng() % 37);
    in.text += std::string(t) + "," + user + "," + shortest(x1) + "," + shortest(x2) + "," + shortest(y) + "\n";
    in.users.push_back(user);
    in.times.push_back(EventTime(ms) * 1000);
    in.x1.push_back(x1);
    in.x2.push_back(x2);
    in.y.push_back(y);
    in.line_end.push_back(std::int64_t(in.text.size()));
  }
  return in;
}

LogisticRegressionSGDSettings online() {
  LogisticRegressionSGDSettings s;
  s.mode = LogisticMode::Online;
  s.optimizer = OnlineOptimizer::AdaGrad;
  return s;
}

// The brute-force oracle of the learner's output column: test-then-train over the input's
// records in batches of `batch`, by hand, with no pipeline.
std::vector<double> probabilities_by_hand(const Input& in, std::size_t batch) {
  LogisticRegressionSGD model(online());
  std::vector<double> out;
  for (std::size_t begin = 0; begin < in.users.size(); begin += batch) {
    Batch b;
    b.cols = 2;
    for (std::size_t i = begin; i < std::min(in.users.size(), begin + batch); ++i) {
      b.features.push_back(in.x1[i]);
      b.features.push_back(in.x2[i]);
      b.labels.push_back(in.y[i]);
      ++b.rows;
    }
    const Eigen::VectorXd p = model.score(b);
    out.insert(out.end(), p.data(), p.data() + p.size());
    model.partial_fit(b);
  }
  return out;
}

struct RunResult {
  std::string error;
  PipelineReport report;
};

// The input replayed into a logreg stage "ctr" (then a stage that may crash) and a file sink.
RunResult run_learner(const std::string& input, const FileSinkSettings& sink, const CheckpointSettings& checkpoint,
                std::int64_t crash_at = -1, std::size_t batch = 50) {
  FileSourceOptions in;
  in.schema.label = "y";
  in.schema.key = "user";
  in.schema.time = "t";
  in.chunk_bytes = 700;  // many chunks in flight
  PipelineSettings settings;
  settings.batching.batch_size = batch;
  settings.threads = 2;
  settings.checkpoint = checkpoint;
  RunResult r;
  try {
    Pipeline pipeline(open_file_source(input, in), settings);
    pipeline.add_learner("ctr", std::make_shared<LogisticRegressionSGD>(online()));
    pipeline.add_stage("crash", [crash_at](Batch& b) {
      if (b.index == crash_at) throw std::runtime_error("simulated crash");
    }, StageState::Stateless);
    pipeline.add_sink(std::make_unique<FileSink>(sink));
    r.report = pipeline.run();
  } catch (const std::exception& e) {
    r.error = e.what();
  }
  return r;
}

TEST(FileSink, RecordsReachTheFileInRecordOrderWithTheirKeysTimesPositionsAndProbabilities) {
  const auto dir = temp_dir("sink_records");
  const Input in = make_input(1234, 5);
  const std::string input = write_file(dir / "in.csv", in.text).string();
  const std::vector<double> want = probabilities_by_hand(in, 50);
  for (const std::string name : {"out.csv", "out.jsonl"}) {
    SCOPED_TRACE(name);
    FileSinkSettings sink;
    sink.path = (dir / name).string();
    const RunResult r = run_learner(input, sink, {});
    ASSERT_TRUE(r.error.empty()) << r.error;
    const auto lines = lines_of(read_text(sink.path));
    const bool csv = name == "out.csv";
    ASSERT_EQ(lines.size(), in.users.size() + (csv ? 1 : 0));
    if (csv) {
      EXPECT_EQ(lines[0], "record,batch,key,event_time,position,ctr.probability");
    }
    simdjson::dom::parser parser;
    for (std::size_t i = 0; i < in.users.size(); ++i) {
      SCOPED_TRACE(i);
      const std::size_t batch = i / 50, last = std::min(in.users.size(), (batch + 1) * 50) - 1;
      std::string record, index, key, time, position, probability;
      if (csv) {
        const auto f = csv_fields(lines[i + 1]);
        ASSERT_EQ(f.size(), 6u);
        record = f[0], index = f[1], key = f[2], time = f[3], position = f[4], probability = f[5];
      } else {
        simdjson::dom::element row = parser.parse(lines[i]);
        record = std::to_string(std::int64_t(row["record"]));
        index = std::to_string(std::int64_t(row["batch"]));
        key = std::string(std::string_view(row["key"]));
        time = std::string(std::string_view(row["event_time"]));
        position = simdjson::minify(simdjson::dom::element(row["position"]));
        probability = shortest(double(row["ctr.probability"]));
      }
      EXPECT_EQ(record, std::to_string(i));
      EXPECT_EQ(index, std::to_string(batch));
      EXPECT_EQ(key, in.users[i]);
      EXPECT_EQ(time, format_event_time(in.times[i]));
      simdjson::dom::parser p2;
      simdjson::dom::element pos = p2.parse(position);
      EXPECT_EQ(std::int64_t(pos["offset"]), in.line_end[last]);  // just after the batch's last record
      EXPECT_EQ(std::int64_t(pos["records"]), std::int64_t(last + 1));
      double got = 0;
      std::from_chars(probability.data(), probability.data() + probability.size(), got);
      EXPECT_EQ(got, want[i]);
    }
  }
}

TEST(FileSink, ChosenColumnsAreWrittenInTheirOrderAndAMissingOneIsNamed) {
  const auto dir = temp_dir("sink_columns");
  const Input in = make_input(120, 6);
  const std::string input = write_file(dir / "in.csv", in.text).string();
  FileSinkSettings sink;
  sink.path = (dir / "out.csv").string();
  sink.columns = {"ctr.probability"};
  ASSERT_TRUE(run_learner(input, sink, {}).error.empty());
  EXPECT_EQ(lines_of(read_text(sink.path))[0], "record,batch,key,event_time,position,ctr.probability");
  sink.columns = {"ctr.prob"};
  const std::string error = run_learner(input, sink, {}).error;
  EXPECT_NE(error.find("has no column 'ctr.prob'"), std::string::npos) << error;
  EXPECT_NE(error.find("ctr.probability"), std::string::npos) << error;  // what there is
}

// A stage's result table, one file per table: every row, in order, with its batch.
TEST(FileSink, ResultTablesAreWrittenRowByRowWithTheirBatch) {
  const auto dir = temp_dir("sink_table");
  const Input in = make_input(300, 7);
  FileSourceOptions opts;
  opts.schema.label = "y";
  opts.schema.key = "user";
  PipelineSettings settings;
  settings.batching.batch_size = 100;
  Pipeline pipeline(open_file_source(write_file(dir / "in.csv", in.text).string(), opts), settings);
  pipeline.add_stage("sizes", [](Batch& b) {
    // Oracle by construction: the batch's size and a note, on two rows.
    const std::string note = "of batch " + std::to_string(b.index) + ", sized";
    b.add_table({"sizes", {"rows", "note"}, {std::vector<std::int64_t>(2, std::int64_t(b.rows)), std::vector<std::string>{note, "two"}}});
  });
  FileSinkSettings sink;
  sink.path = (dir / "sizes.csv").string();
  sink.table = "sizes";
  pipeline.add_sink(std::make_unique<FileSink>(sink));
  pipeline.run();
  EXPECT_EQ(read_text(sink.path),
            "batch,rows,note\n0,100,\"of batch 0, sized\"\n0,100,two\n1,100,\"of batch 1, sized\"\n1,100,two\n"
            "2,100,\"of batch 2, sized\"\n2,100,two\n");
}

// Crashes at ten random batches (a stage throws; the sink's unflushed rows reach the file as
// the exception unwinds, and a torn row is appended as a crash in the middle of a write would
// leave), each followed by a resume: the output is the uninterrupted run's, byte for byte.
TEST(FileSink, TenCrashesInjectedByAStageThenResumesGiveTheUninterruptedOutputByteForByte) {
  const auto dir = temp_dir("sink_crash_learner");
  const Input in = make_input(2000, 8);
  const std::string input = write_file(dir / "in.csv", in.text).string();
  FileSinkSettings sink;
  sink.path = (dir / "whole.csv").string();
  ASSERT_TRUE(run_learner(input, sink, {}).error.empty());
  const std::string whole = read_text(sink.path);

  sink.path = (dir / "crashed.csv").string();
  CheckpointSettings ck;
  ck.dir = (dir / "ck").string();
  ck.every_batches = 3;
  ck.resume = true;
  std::mt19937_64 rng(2026);
  std::vector<std::int64_t> crashes(39);
  std::iota(crashes.begin(), crashes.end(), 1);  // batches 1..39 of 40
  std::shuffle(crashes.begin(), crashes.end(), rng);
  crashes.resize(10);
  std::sort(crashes.begin(), crashes.end());  // each after the previous one's resume point
  for (const std::int64_t at : crashes) {
    const RunResult r = run_learner(input, sink, ck, at);
    ASSERT_NE(r.error.find("simulated crash"), std::string::npos) << r.error;
    EXPECT_GT(read_text(sink.path).size(), 0u);
    std::ofstream(sink.path, std::ios::app) << "17,2,u";  // a torn row
  }
  const RunResult done = run_learner(input, sink, ck);
  ASSERT_TRUE(done.error.empty()) << done.error;
  EXPECT_GT(done.report.resumed_from, 0);
  EXPECT_EQ(read_text(sink.path), whole);
  EXPECT_EQ(lines_of(whole).size(), 2001u);
}

// The same with a DStream graph's results: the windowed count's table (WindowedCount, what
// `replay --count-by` runs), including the windows only the end-of-stream flush closes.
TEST(FileSink, TenCrashesOfAWindowedCountThenResumesGiveTheUninterruptedTableByteForByte) {
  const auto dir = temp_dir("sink_crash_windows");
  const Input in = make_input(3000, 9);
  const std::string input = write_file(dir / "in.csv", in.text).string();
  WindowedCountOptions count;
  count.count_by = "user";
  count.window = "60s";
  count.slide = "20s";
  count.top = 3;
  auto run = [&](const std::string& out, const CheckpointSettings& ck, std::int64_t crash_at) {
    FileSourceOptions opts;
    opts.schema.time = "t";
    opts.chunk_bytes = 900;
    prepare_windowed_count(count, input, opts);
    PipelineSettings settings;
    settings.batching.interval_us = 20 * kMicrosPerSecond;
    settings.threads = 2;
    settings.checkpoint = ck;
    std::ostringstream printed;
    RunResult r;
    try {
      Pipeline pipeline(open_file_source(input, opts), settings);
      WindowedCount windows(count, false, printed);
      pipeline.add_stage(windows.stage());
      pipeline.add_stage("crash", [crash_at](Batch& b) {
        if (b.index == crash_at) throw std::runtime_error("simulated crash");
      }, StageState::Stateless);
      FileSinkSettings sink;
      sink.path = out;
      sink.table = WindowedCount::kTable;
      pipeline.add_sink(std::make_unique<FileSink>(sink));
      r.report = pipeline.run();
    } catch (const std::exception& e) {
      r.error = e.what();
    }
    return r;
  };
  const std::string whole_path = (dir / "whole.jsonl").string();
  const RunResult whole_run = run(whole_path, {}, -1);
  ASSERT_TRUE(whole_run.error.empty()) << whole_run.error;
  const std::string whole = read_text(whole_path);

  // Oracle of the content: every window of 60 s sliding by 20 s, its keys counted by brute force
  // over the input, the top 3 by count (ties by key).
  {
    std::map<EventTime, std::map<std::string, std::int64_t>> windows;
    const EventTime w = 60 * kMicrosPerSecond, s = 20 * kMicrosPerSecond;
    for (std::size_t i = 0; i < in.times.size(); ++i) {
      const EventTime last_start = in.times[i] - in.times[i] % s;
      for (EventTime start = last_start; start > in.times[i] - w; start -= s) ++windows[start][in.users[i]];
    }
    std::string want;
    for (const auto& [start, counts] : windows) {
      std::vector<std::pair<std::string, std::int64_t>> top(counts.begin(), counts.end());
      std::sort(top.begin(), top.end(), [](const auto& a, const auto& b) { return a.second > b.second || (a.second == b.second && a.first < b.first); });
      std::int64_t records = 0;
      for (const auto& kv : counts) records += kv.second;
      for (std::size_t r = 0; r < std::min<std::size_t>(3, top.size()); ++r)
        want += "\"window_start\":\"" + format_event_time(start) + "\",\"window_end\":\"" + format_event_time(start + w) +
                "\",\"rank\":" + std::to_string(r + 1) + ",\"key\":\"" + top[r].first + "\",\"count\":" +
                std::to_string(top[r].second) + ",\"window_keys\":" + std::to_string(counts.size()) +
                ",\"window_records\":" + std::to_string(records) + "}\n";
    }
    std::string got;  // the rows without their batch (when the watermark closed them)
    for (const auto& line : lines_of(whole)) got += line.substr(line.find(',') + 1) + "\n";
    EXPECT_EQ(got, want);
    EXPECT_NE(lines_of(whole).back().find("\"batch\":" + std::to_string(whole_run.report.batches)), std::string::npos)
        << "the last windows are closed by the end-of-stream flush";
  }

  const std::string crashed_path = (dir / "crashed.jsonl").string();
  CheckpointSettings ck;
  ck.dir = (dir / "ck").string();
  ck.every_batches = 4;
  ck.resume = true;
  const std::int64_t batches = whole_run.report.batches;
  std::mt19937_64 rng(11);
  std::vector<std::int64_t> crashes(std::size_t(batches - 1));
  std::iota(crashes.begin(), crashes.end(), 1);
  std::shuffle(crashes.begin(), crashes.end(), rng);
  crashes.resize(10);
  std::sort(crashes.begin(), crashes.end());
  for (const std::int64_t at : crashes) {
    const RunResult r = run(crashed_path, ck, at);
    ASSERT_NE(r.error.find("simulated crash"), std::string::npos) << r.error;
    std::ofstream(crashed_path, std::ios::app) << "{\"batch\":";  // a torn row
  }
  const RunResult done = run(crashed_path, ck, -1);
  ASSERT_TRUE(done.error.empty()) << done.error;
  EXPECT_EQ(read_text(crashed_path), whole);
  // Finished, then resumed once more: the end-of-stream windows are written again in place.
  ASSERT_TRUE(run(crashed_path, ck, -1).error.empty());
  EXPECT_EQ(read_text(crashed_path), whole);
}

TEST(FileSink, AResumeRefusesAnOutputThatIsShorterThanItsCheckpointOrAnotherOutput) {
  const auto dir = temp_dir("sink_refusals");
  const Input in = make_input(600, 10);
  const std::string input = write_file(dir / "in.csv", in.text).string();
  FileSinkSettings sink;
  sink.path = (dir / "out.csv").string();
  CheckpointSettings ck;
  ck.dir = (dir / "ck").string();
  ck.every_batches = 2;
  ASSERT_NE(run_learner(input, sink, ck, 7).error.find("simulated crash"), std::string::npos);
  ck.resume = true;
  FileSinkSettings other = sink;
  other.path = (dir / "other.csv").string();
  std::string error = run_learner(input, other, ck).error;
  EXPECT_NE(error.find("resume with the same --output"), std::string::npos) << error;
  EXPECT_NE(error.find(sink.path), std::string::npos) << error;
  std::filesystem::resize_file(sink.path, 10);
  error = run_learner(input, sink, ck).error;
  EXPECT_NE(error.find("has 10 bytes, but the checkpoint being resumed wrote"), std::string::npos) << error;
  std::filesystem::remove(sink.path);
  error = run_learner(input, sink, ck).error;
  EXPECT_NE(error.find("is gone"), std::string::npos) << error;
}

}  // namespace
}  // namespace streamml
