// LaneClock, the micro-batch clock the decision system's lanes share (apps/lane_clock.h):
// checked against its definition (no lane past a batch another running lane has not finished;
// one tick per batch, in order) and its failure rule (a failed lane stops the others).
#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "apps/lane_clock.h"
#include "core/error.h"

namespace streamml {
namespace {

TEST(LaneClock, NoLaneRunsAheadAndEveryTickFiresOnce) {
  // Three lanes of 200, 200 and 150 batches on threads; each records the batches the others
  // had finished when it left the clock: never fewer than its own (oracle: the definition).
  constexpr std::size_t kLanes = 3;
  std::vector<std::int64_t> ticks;
  std::mutex m;
  LaneClock clock(kLanes, [&](std::int64_t tick, const std::vector<LaneTick>&) {
    std::lock_guard<std::mutex> lock(m);
    ticks.push_back(tick);
  });
  std::atomic<bool> ahead{false};
  const std::vector<std::int64_t> length{200, 200, 150};
  std::vector<std::thread> threads;
  for (std::size_t l = 0; l < kLanes; ++l)
    threads.emplace_back([&, l] {
      for (std::int64_t k = 0; k < length[l]; ++k) {
        LaneTick t;
        t.batch = k;
        clock.arrive(l, t);
        const auto seen = clock.lanes();
        for (std::size_t o = 0; o < kLanes; ++o)
          if (k < length[o] && seen[o].batch < k) ahead = true;
      }
      clock.leave(l);
    });
  for (auto& t : threads) t.join();
  EXPECT_FALSE(ahead);
  ASSERT_EQ(ticks.size(), 200u);
  for (std::size_t k = 0; k < ticks.size(); ++k) EXPECT_EQ(ticks[k], std::int64_t(k));
}

TEST(LaneClock, AFailedLaneStopsTheOthers) {
  LaneClock clock(2);
  EXPECT_EQ(clock.aborted_by(), "");
  std::thread failing([&] { clock.abort("clicks"); });
  failing.join();
  clock.abort("monitoring");  // stopped by the first: the first stays the one that failed
  EXPECT_EQ(clock.aborted_by(), "clicks");
  LaneTick t;
  t.batch = 0;
  try {
    clock.arrive(1, t);
    FAIL() << "arrive should throw once a lane failed";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("lane 'clicks' failed"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace streamml
