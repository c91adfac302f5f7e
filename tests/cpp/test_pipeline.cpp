// The pipeline runner: identical batches for any thread count, the same batches as the
// serial BatchReader, errors from stages surfacing with their message and context.
#include <gtest/gtest.h>

#include "core/error.h"
#include "core/parallel.h"
#include "streaming/batch_reader.h"
#include "streaming/file_source.h"
#include "streaming/memory_source.h"
#include "streaming/pipeline.h"
#include "test_helpers.h"

namespace streamml {
namespace {

using testing::make_records;

struct Seen {
  std::vector<std::int64_t> index;
  std::vector<std::size_t> rows;
  std::vector<double> features;
  std::vector<std::int64_t> end_offsets;
};

Seen run_pipeline(std::size_t threads, BatchingSettings batching, std::size_t chunk_rows) {
  std::vector<double> times;
  for (int i = 0; i < 5000; ++i) times.push_back(1000.0 + 0.013 * i * (i % 7));
  PipelineSettings settings;
  settings.batching = batching;
  settings.threads = threads;
  Pipeline pipeline(std::make_unique<MemorySource>(make_records(5000, times), chunk_rows), settings);
  Seen seen;
  pipeline.add_stage("collect", [&](Batch& b) {
    seen.index.push_back(b.index);
    seen.rows.push_back(b.rows);
    seen.features.insert(seen.features.end(), b.features.begin(), b.features.end());
    seen.end_offsets.push_back(b.end_position.offset);
  });
  const PipelineReport report = pipeline.run();
  EXPECT_EQ(report.records, 5000);
  EXPECT_EQ(report.batches, std::int64_t(seen.index.size()));
  return seen;
}

TEST(Pipeline, SameBatchesWithOneAndTwoThreads) {
  for (BatchingSettings b : {BatchingSettings{64, 0}, BatchingSettings{0, 2'000'000}}) {
    const Seen one = run_pipeline(1, b, 37);
    const Seen two = run_pipeline(2, b, 37);
    EXPECT_EQ(one.index, two.index);
    EXPECT_EQ(one.rows, two.rows);
    EXPECT_EQ(one.features, two.features);
    EXPECT_EQ(one.end_offsets, two.end_offsets);
  }
  // By count: ceil(5000 / 64) = 79 batches (78 full, the last of 5000 - 78*64 = 8).
  const Seen by_count = run_pipeline(2, {64, 0}, 37);
  ASSERT_EQ(by_count.rows.size(), 79u);
  EXPECT_EQ(by_count.rows.back(), 8u);
}

TEST(Pipeline, SameBatchesAsTheSerialReader) {
  const Seen piped = run_pipeline(2, {0, 2'000'000}, 100);
  std::vector<double> times;
  for (int i = 0; i < 5000; ++i) times.push_back(1000.0 + 0.013 * i * (i % 7));
  BatchReader reader(std::make_unique<MemorySource>(make_records(5000, times), 100), {0, 2'000'000});
  std::vector<std::size_t> rows;
  while (auto b = reader.next()) rows.push_back(b->rows);
  EXPECT_EQ(rows, piped.rows);
}

TEST(Pipeline, ExceptionInAStageStopsItAndSurfacesWithContext) {
  PipelineSettings settings;
  settings.batching = {10, 0};
  settings.threads = 2;
  Pipeline pipeline(std::make_unique<MemorySource>(make_records(1000), 10), settings);
  int calls_after = 0;
  pipeline.add_stage("explode", [](Batch& b) {
    if (b.index == 3) throw std::runtime_error("boom in user code");
  });
  pipeline.add_stage("after", [&](Batch&) { ++calls_after; });
  try {
    pipeline.run();
    FAIL() << "expected the stage's exception";
  } catch (const Error& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("boom in user code"), std::string::npos) << what;
    EXPECT_NE(what.find("stage 'explode' failed on batch 3"), std::string::npos) << what;
    EXPECT_EQ(e.kind(), ErrorKind::Runtime);
  }
  // Batches 0, 1, 2 passed every stage; batch 3 stopped before "after"; nothing later ran.
  EXPECT_EQ(calls_after, 3);
}

TEST(Pipeline, ExceptionInsideAParallelLoopOfAStageSurfaces) {
  // A stage that parallelises inside the batch and throws from one task (faiss's
  // test_omp_exception_safety, for oneTBB; through parallel_ranges, streamml's one parallel
  // loop): the first exception reaches the caller.
  PipelineSettings settings;
  settings.batching = {100, 0};
  settings.threads = 2;
  Pipeline pipeline(std::make_unique<MemorySource>(make_records(300), 50), settings);
  pipeline.add_stage("parallel", [](Batch& b) {
    parallel_ranges(b.rows, 1, [&](std::size_t from, std::size_t to) {
      for (std::size_t i = from; i < to; ++i)
        if (b.index == 1 && i == 42) throw Error(ErrorKind::InvalidInput, "row 42 is bad");
    });
  });
  try {
    pipeline.run();
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("row 42 is bad"), std::string::npos);
    EXPECT_EQ(e.kind(), ErrorKind::InvalidInput);  // the kind survives the added context
  }
}

TEST(Pipeline, ReportCountsRecordsAndStageTimes) {
  PipelineSettings settings;
  settings.batching = {300, 0};
  Pipeline pipeline(std::make_unique<MemorySource>(make_records(1000), 128), settings);
  pipeline.add_stage("noop", [](Batch&) {});
  const PipelineReport r = pipeline.run();
  EXPECT_EQ(r.records, 1000);
  EXPECT_EQ(r.batches, 4);  // 300, 300, 300, 100
  EXPECT_EQ(r.end_position.offset, 1000);
  ASSERT_EQ(r.times.size(), 4u);  // read, parse, batch, noop
  EXPECT_EQ(r.times[3].name, "noop");
  const std::string json = r.to_json(false);
  EXPECT_NE(json.find("\"records\":1000"), std::string::npos) << json;
  EXPECT_NE(json.find("\"batches\":4"), std::string::npos) << json;
}

}  // namespace
}  // namespace streamml

namespace streamml {
namespace {

// "a,y" with records on lines 2..7; line 5 holds "x" where a number belongs.
std::string file_with_bad_line_5(const std::string& name) {
  const auto dir = testing::temp_dir(name);
  return testing::write_file(dir / "data.csv", "a,y\n1,0\n2,1\n3,0\nx,1\n5,0\n6,1\n").string();
}

TEST(BadRecordPolicy, ErrorDeliversTheBatchesBeforeTheBadRecordThenStops) {
  // Batches of 2: {1, 2} is complete before line 5; {3} is still open when line 5 fails, so
  // it is never emitted (an incomplete batch would break "boundaries depend on the input").
  const std::string path = file_with_bad_line_5("policy_reader");
  FileSourceOptions in;
  in.schema.label = "y";
  in.bad_records.on_bad = OnBadRecord::Error;
  BatchReader reader(open_file_source(path, in), {2, 0}, in.bad_records);
  auto first = reader.next();
  ASSERT_TRUE(first);
  EXPECT_EQ(first->features, (std::vector<double>{1, 2}));
  try {
    reader.next();
    FAIL() << "expected the bad record's error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(path + ":5:1"), std::string::npos) << e.what();
  }
  EXPECT_FALSE(reader.next());  // the stream is over after the error
}

TEST(BadRecordPolicy, PipelineStopsAtTheBadRecordAfterEarlierBatches) {
  const std::string path = file_with_bad_line_5("policy_pipeline");
  FileSourceOptions in;
  in.schema.label = "y";
  in.bad_records.on_bad = OnBadRecord::Error;
  PipelineSettings settings;
  settings.batching = {1, 0};
  settings.bad_records = in.bad_records;
  Pipeline pipeline(open_file_source(path, in), settings);
  std::vector<double> seen;
  pipeline.add_stage("collect", [&](Batch& b) { seen.push_back(b.features[0]); });
  EXPECT_THROW(pipeline.run(), Error);
  EXPECT_EQ(seen, (std::vector<double>{1, 2, 3}));  // lines 2, 3, 4; nothing after line 5
}

TEST(BadRecordPolicy, SkipCountsAndDeliversEverythingElse) {
  const std::string path = file_with_bad_line_5("policy_skip");
  FileSourceOptions in;
  in.schema.label = "y";
  PipelineSettings settings;
  settings.batching = {4, 0};
  Pipeline pipeline(open_file_source(path, in), settings);
  std::vector<double> seen;
  std::int64_t skipped = 0;
  pipeline.add_stage("collect", [&](Batch& b) {
    seen.insert(seen.end(), b.features.begin(), b.features.end());
    skipped += b.skipped_records;
  });
  const PipelineReport r = pipeline.run();
  EXPECT_EQ(seen, (std::vector<double>{1, 2, 3, 5, 6}));
  EXPECT_EQ(r.bad_records, 1);
  EXPECT_EQ(skipped, 1);  // the batch whose range holds line 5 carries it
}

}  // namespace
}  // namespace streamml
