// Replay pacing (when each batch is due) and the progress line's text.
#include <gtest/gtest.h>

#include <cmath>

#include "core/error.h"
#include "streaming/pacer.h"
#include "streaming/progress.h"
#include "test_helpers.h"

namespace streamml {
namespace {

TEST(Pacer, DueTimesFollowEventTimeDividedBySpeed) {
  // Batches whose latest records are at 100 s, 110 s, 130 s; speed 10: due at 0 s, 1 s, 3 s.
  Pacer pacer(10.0);
  const auto b0 = testing::make_records(2, {95, 100});
  const auto b1 = testing::make_records(1, {110});
  const auto b2 = testing::make_records(2, {130, 120});
  EXPECT_EQ(pacer.due(b0)->count(), 0);
  EXPECT_EQ(pacer.due(b1)->count(), 1'000'000);
  EXPECT_EQ(pacer.due(b2)->count(), 3'000'000);
}

TEST(Pacer, TimeBatchesUseTheirIntervalEnd) {
  // Interval batches [0,5) and [5,10) at speed 2.5: the second is due (10 - 5) / 2.5 = 2 s later.
  Pacer pacer(2.5);
  Batch a, b;
  a.interval_start = 0;
  a.interval_end = 5'000'000;
  b.interval_start = 5'000'000;
  b.interval_end = 10'000'000;
  EXPECT_EQ(pacer.due(a)->count(), 0);
  EXPECT_EQ(pacer.due(b)->count(), 2'000'000);
}

TEST(Pacer, OffMeansNoWaitingAndBadSpeedsAreRejected) {
  Pacer off(0.0);
  EXPECT_FALSE(off.due(testing::make_records(1, {5})).has_value());
  EXPECT_THROW(Pacer(-1.0), Error);
  EXPECT_THROW(Pacer(std::nan("")), Error);
}

TEST(Progress, LineShowsPercentRateEtaAndStages) {
  ProgressSnapshot s;
  s.records = 210000;
  s.batches = 210;
  s.bad_records = 3;
  s.done = 42;
  s.total = 100;
  s.elapsed_seconds = 2.0;  // 42 % in 2 s -> 58 % left at 21 %/s -> ETA 2.76 s -> "0:03"
  s.stages = "logreg auc 0.812";
  EXPECT_EQ(format_progress(s),
            " 42.0%  210,000 records  105.0k rec/s  batches 210  bad 3  ETA 0:03  | logreg auc 0.812");
}

TEST(Progress, PlainModeWritesWholeLines) {
  char* buffer = nullptr;
  std::size_t size = 0;
  std::FILE* out = open_memstream(&buffer, &size);
  ProgressReporter reporter(out, false, 3600.0);
  ProgressSnapshot s;
  s.records = 5;
  reporter.update(s);  // first update prints
  reporter.update(s);  // within the interval: nothing
  reporter.finish(s);  // always prints
  std::fclose(out);
  const std::string text(buffer, size);
  std::free(buffer);
  EXPECT_EQ(text, "5 records  batches 0\n5 records  batches 0\n");
}

}  // namespace
}  // namespace streamml
