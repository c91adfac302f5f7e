// DStream graphs as a pipeline stage: read from files (lines, CSV), checkpointed with the
// pipeline (CheckpointCoordinator) and resumed. Oracles: a brute-force count over the file the
// test wrote, and one uninterrupted run of the same graph over the same file.
#include <gtest/gtest.h>

#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "streaming/dstream/dstream.h"
#include "streaming/file_source.h"
#include "streaming/file_source.h"
#include "streaming/formats/lines_format.h"
#include "streaming/pipeline.h"
#include "test_helpers.h"

namespace streamml {
namespace {

using namespace dstream;

TEST(DStreamPipeline, WordCountOverALineFileEqualsBruteForceWithOneAndTwoThreads) {
  const auto dir = testing::temp_dir("dstream_words");
  std::ostringstream text;
  std::map<std::string, std::int64_t> expected;
  const char* words[] = {"alpha", "beta", "gamma", "delta", "a-rather-long-word-beyond-sso"};
  for (int i = 0; i < 3000; ++i) {
    for (int j = 0; j <= i % 7; ++j) {
      const std::string w = words[(i * 7 + j * 3) % 5];
      text << (j ? " " : "") << w;
      expected[w] += 1;
    }
    text << (i % 100 == 0 ? "\r\n\n" : "\n");
  }
  const auto path = testing::write_file(dir / "log.txt", text.str()).string();
  for (std::size_t threads : {1, 2}) {
    StreamingContext ctx("wordcount");
    std::map<std::string, std::int64_t> total;
    std::int64_t batches = 0;
    ctx.lines()
        .flat_map([](const std::string& line) {
          std::vector<std::string> out;
          std::istringstream s(line);
          for (std::string w; s >> w;) out.push_back(w);
          return out;
        })
        .map([](const std::string& w) { return std::pair<std::string, std::int64_t>(w, 1); })
        .reduce_by_key(std::plus<>())
        .for_each_batch([&](const std::vector<std::pair<std::string, std::int64_t>>& counts) {
          ++batches;
          for (const auto& [w, n] : counts) total[w] += n;
        });
    PipelineSettings settings;
    settings.batching.batch_size = 250;
    settings.threads = threads;
    LineSourceOptions options;
    options.chunk_bytes = 4096;
    const PipelineReport report = ctx.run(open_line_source(path, options), settings);
    EXPECT_EQ(report.records, 3000);
    EXPECT_EQ(batches, 12);
    EXPECT_EQ(total, expected);
  }
}

TEST(DStreamPipeline, CommonLogTimes) {
  EXPECT_EQ(common_log_time("127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] \"GET /a.gif HTTP/1.0\" 200 2326"),
            std::optional<EventTime>((971186136LL + 7 * 3600) * kMicrosPerSecond));
  EXPECT_EQ(common_log_time("h - - [01/Jan/2026:00:00:00 +0000] x"), std::optional<EventTime>(1767225600LL * kMicrosPerSecond));
  EXPECT_FALSE(common_log_time("no time here"));
  EXPECT_FALSE(common_log_time("h - - [01/Foo/2026:00:00:00 +0000] x"));
}

// Transactions (t, customer, amount) at irregular times, a few out of order.
std::string transactions(int n) {
  std::ostringstream out;
  out << "t,customer,amount\n";
  double t = 1000;
  for (int i = 0; i < n; ++i) {
    t += (i % 29 == 0) ? 40.0 : 0.9;
    const double when = (i % 31 == 3) ? t - 12 : t;
    out << when << ",c" << (i * 7919) % 23 + i / 150 << "," << (i % 17) * 1.5 << "\n";
  }
  return out.str();
}

// The graph under test: every kind of state (watermark, windows by count and event time, both
// keyed-state operators); each output batch becomes a line "batch: ...".
struct Graph {
  StreamingContext ctx{"graph"};
  std::vector<std::string> lines;
  std::int64_t crash_after = -1;

  Graph() {
    auto tx = ctx.from_batches<std::pair<std::string, double>>([](const Batch& b, std::size_t i) {
      return std::pair<std::string, double>(std::get<std::vector<std::string>>(b.keys)[i], b.features[i * b.cols]);
    });
    auto record = [this](const char* what) {
      return [this, what](const auto& v, const BatchInfo& info) {
        std::ostringstream s;
        s << info.index << (info.end_of_stream ? " end " : " ") << what << ":";
        for (const auto& x : v) s << " " << x;
        lines.push_back(s.str());
      };
    };
    auto timed = tx.with_watermark(seconds(5));
    timed.count_by_key_and_window(seconds(30), seconds(10))
        .map([](const Windowed<std::pair<std::string, std::int64_t>>& w) {
          return std::to_string(w.window.start) + "/" + w.value.first + "=" + std::to_string(w.value.second);
        })
        .for_each_batch(record("time-window"));
    tx.map_values([](double a) { return std::int64_t(a * 2); })
        .reduce_by_key_and_window(std::plus<std::int64_t>(), Batches{4}, Batches{2})
        .map([](const std::pair<std::string, std::int64_t>& kv) { return kv.first + "=" + std::to_string(kv.second); })
        .for_each_batch(record("count-window"));
    tx.update_state_by_key<double>([](const std::vector<double>& v, const std::optional<double>& s) {
        double sum = s.value_or(0);
        for (double x : v) sum += x;
        return std::optional<double>(sum);
      })
        .count()
        .for_each_batch(record("keys"));
    tx.map_with_state(state_spec<std::int64_t>([](const std::string& k, const std::optional<double>&,
                                                   State<std::int64_t>& s) -> std::optional<std::string> {
                        if (s.is_timing_out()) return k + " idle after " + std::to_string(s.get());
                        s.update(s.exists() ? s.get() + 1 : 1);
                        return std::nullopt;
                      }).timeout(Batches{3}))
        .for_each_batch(record("timeouts"));
    timed.late().count().for_each_batch(record("late"));
    tx.count().for_each_batch([this](const std::vector<std::int64_t>&, const BatchInfo& info) {
      if (info.index == crash_after) throw std::runtime_error("simulated crash");
    });
  }
};

struct GraphRun {
  PipelineReport report;
  std::vector<std::string> lines;
  std::string error;
};

GraphRun run_graph(const std::string& path, const std::string& ck, std::int64_t crash_after, bool resume, BatchingSettings batching) {
  Graph g;
  g.crash_after = crash_after;
  FileSourceOptions in;
  in.schema.key = "customer";
  in.schema.time = "t";
  in.chunk_bytes = 700;
  PipelineSettings s;
  s.batching = batching;
  s.threads = 2;
  s.checkpoint.dir = ck;
  s.checkpoint.every_batches = ck.empty() ? 0 : 3;
  s.checkpoint.resume = resume;
  GraphRun r;
  try {
    r.report = g.ctx.run(open_file_source(path, in), s);
  } catch (const std::exception& e) {
    r.error = e.what();
  }
  r.lines = g.lines;
  return r;
}

void expect_resume_matches(const char* name, BatchingSettings batching, std::int64_t crash_after) {
  const auto dir = testing::temp_dir(name);
  const std::string path = testing::write_file(dir / "tx.csv", transactions(900)).string();
  const GraphRun whole = run_graph(path, "", -1, false, batching);
  ASSERT_TRUE(whole.error.empty()) << whole.error;
  const GraphRun crashed = run_graph(path, (dir / "ck").string(), crash_after, false, batching);
  ASSERT_NE(crashed.error.find("simulated crash"), std::string::npos) << crashed.error;
  const GraphRun resumed = run_graph(path, (dir / "ck").string(), -1, true, batching);
  ASSERT_TRUE(resumed.error.empty()) << resumed.error;
  const std::int64_t checkpointed = crash_after / 3 * 3 - 1;  // checkpoints after batches 2, 5, 8, ...
  ASSERT_EQ(resumed.report.resumed_batch_index, checkpointed);
  // The uninterrupted run's outputs from the batch after the checkpoint on.
  std::vector<std::string> tail;
  for (const auto& line : whole.lines)
    if (std::stoll(line) > checkpointed) tail.push_back(line);
  EXPECT_GE(tail.size(), 40u);
  EXPECT_EQ(resumed.lines, tail);
  // Things happened: windows by event time, late records and timeouts.
  std::string all;
  for (const auto& l : whole.lines) all += l + "\n";
  EXPECT_NE(all.find("idle after"), std::string::npos);
  EXPECT_NE(all.find("end time-window: "), std::string::npos);
  EXPECT_NE(all.find("late: 1"), std::string::npos);
}

TEST(DStreamPipeline, StateSurvivesCheckpointCrashAndResumeByCount) { expect_resume_matches("dstream_resume_count", {40, 0}, 13); }

TEST(DStreamPipeline, StateSurvivesCheckpointCrashAndResumeByEventTime) {
  expect_resume_matches("dstream_resume_time", {1000, 5'000'000}, 37);
}

TEST(DStreamPipeline, AThrowingFunctionStopsThePipelineNamingStageOperatorAndBatch) {
  const auto dir = testing::temp_dir("dstream_throw");
  const std::string path = testing::write_file(dir / "tx.csv", transactions(300)).string();
  const GraphRun r = run_graph(path, "", 4, false, {40, 0});
  EXPECT_NE(r.error.find("stage 'graph' failed on batch 4: dstream operator"), std::string::npos) << r.error;
  EXPECT_NE(r.error.find("for_each_batch failed on batch 4: simulated crash"), std::string::npos) << r.error;
}

TEST(DStreamPipeline, ACheckpointOfAnotherGraphIsRefused) {
  const auto dir = testing::temp_dir("dstream_other_graph");
  const std::string path = testing::write_file(dir / "tx.csv", transactions(200)).string();
  ASSERT_TRUE(run_graph(path, (dir / "ck").string(), -1, false, {40, 0}).error.empty());
  StreamingContext other("graph");
  other.string_keys().count().for_each_batch([](const auto&) {});
  FileSourceOptions in;
  in.schema.key = "customer";
  in.schema.time = "t";
  PipelineSettings s;
  s.checkpoint.dir = (dir / "ck").string();
  s.checkpoint.resume = true;
  std::string error;
  try {
    other.run(open_file_source(path, in), s);
  } catch (const Error& e) {
    error = e.what();
  }
  EXPECT_NE(error.find("another DStream graph"), std::string::npos) << error;
}

}  // namespace
}  // namespace streamml
