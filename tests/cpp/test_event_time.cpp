// Event-time parsing and durations. Oracle: epoch values computed with Python,
//   datetime.datetime(2026, 11, 21, 10, 0, tzinfo=datetime.timezone.utc).timestamp() == 1795255200
#include <gtest/gtest.h>

#include "core/error.h"
#include "core/event_time.h"

namespace streamml {
namespace {

TEST(EventTime, EpochSecondsIntegerAndFractional) {
  EXPECT_EQ(parse_event_time("1795255200"), EventTime(1795255200) * 1'000'000);
  EXPECT_EQ(parse_event_time("1795255200.25"), EventTime(1795255200) * 1'000'000 + 250'000);
  EXPECT_EQ(parse_event_time(" 12 "), 12'000'000);
  EXPECT_EQ(parse_event_time("-1.5"), -1'500'000);
}

TEST(EventTime, Iso8601Forms) {
  const EventTime base = EventTime(1795255200) * 1'000'000;  // 2026-11-21T10:00:00Z (Python)
  EXPECT_EQ(parse_event_time("2026-11-21T10:00:00Z"), base);
  EXPECT_EQ(parse_event_time("2026-11-21 10:00:00"), base);
  EXPECT_EQ(parse_event_time("2026-11-21T10:00:00.123456Z"), base + 123456);
  EXPECT_EQ(parse_event_time("2026-11-21T10:00:00.5"), base + 500000);
  EXPECT_EQ(parse_event_time("2026-11-21T11:30:00+01:30"), base);  // same instant
  EXPECT_EQ(parse_event_time("2026-11-21T08:00:00-0200"), base);
  EXPECT_EQ(parse_event_time("2026-11-21"), base - 10 * 3600 * 1'000'000LL);
  EXPECT_EQ(parse_event_time("1970-01-01T00:00:00Z"), 0);
  // Leap day: datetime(2024, 2, 29, tzinfo=utc).timestamp() == 1709164800
  EXPECT_EQ(parse_event_time("2024-02-29"), 1709164800LL * 1'000'000);
}

TEST(EventTime, RejectsWhatIsNotATime) {
  for (const char* bad : {"", "abc", "2026-13-01", "2026-11-21T25:00", "2026-11-21X", "nan", "inf",
                          "2026-11-21T10:00:00Zjunk"})
    EXPECT_FALSE(parse_event_time(bad).has_value()) << bad;
}

TEST(EventTime, FormatRoundTrips) {
  const EventTime t = EventTime(1795255200) * 1'000'000 + 250'000;
  EXPECT_EQ(format_event_time(t), "2026-11-21T10:00:00.250000Z");
  EXPECT_EQ(parse_event_time(format_event_time(t)), t);
  EXPECT_EQ(format_event_time(-1), "1969-12-31T23:59:59.999999Z");
}

TEST(EventTime, Durations) {
  EXPECT_EQ(parse_duration_micros("1s"), 1'000'000);
  EXPECT_EQ(parse_duration_micros("500ms"), 500'000);
  EXPECT_EQ(parse_duration_micros("1.5s"), 1'500'000);
  EXPECT_EQ(parse_duration_micros("2m"), 120'000'000);
  EXPECT_EQ(parse_duration_micros("1h"), 3'600'000'000LL);
  EXPECT_EQ(parse_duration_micros("60"), 60'000'000);
  for (const char* bad : {"0s", "-1s", "1 parsec", "s", "1x"}) {
    try {
      parse_duration_micros(bad);
      ADD_FAILURE() << bad << " was accepted";
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), ErrorKind::InvalidInput);
      EXPECT_NE(std::string(e.what()).find(bad), std::string::npos) << e.what();
    }
  }
}

}  // namespace
}  // namespace streamml
