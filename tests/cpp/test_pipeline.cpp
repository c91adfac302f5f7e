// The pipeline runner: identical batches for any thread count, the same batches as the
// serial BatchReader, errors from stages surfacing with their message and context.
#include <gtest/gtest.h>

#include <oneapi/tbb/parallel_for.h>

#include "core/error.h"
#include "streaming/batch_reader.h"
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
  // test_omp_exception_safety, for oneTBB): the first exception reaches the caller.
  PipelineSettings settings;
  settings.batching = {100, 0};
  settings.threads = 2;
  Pipeline pipeline(std::make_unique<MemorySource>(make_records(300), 50), settings);
  pipeline.add_stage("parallel", [](Batch& b) {
    oneapi::tbb::parallel_for(std::size_t(0), b.rows, [&](std::size_t i) {
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
