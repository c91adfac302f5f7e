// Event times (core/event_time.h): epoch seconds and ISO 8601 text, durations, and numbers of
// seconds. Property: a time that parses and is written back (format_event_time) in the years
// 0000 to 9999, which ISO 8601 writes with four digits and no sign, parses again to the same
// microsecond. (Times outside them are written with the year as printf gives it, "-847-03-23",
// which no reader takes for ISO 8601.)
#include <cstring>

#include "core/event_time.h"
#include "fuzz/fuzz_input.h"

using namespace streamml;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  if (const auto t = parse_event_time(text)) {
    const std::string written = format_event_time(*t);
    const bool four_digit_year = written.size() == std::strlen("2026-11-21T10:00:00.250000Z") &&
                                 written[0] >= '0' && written[0] <= '9' && written[4] == '-';
    if (four_digit_year) {
      const auto again = parse_event_time(written);
      STREAMML_FUZZ_ASSERT(again && *again == *t, "'%.*s' read as %lld, written '%s', read back as %lld",
                           int(text.size()), text.data(), (long long)*t, written.c_str(),
                           again ? (long long)*again : -1LL);
    }
  }
  fuzz::expect_refusal_or_success([&] {
    const std::int64_t d = parse_duration_micros(text);
    STREAMML_FUZZ_ASSERT(d > 0, "duration '%.*s' read as %lld", int(text.size()), text.data(), (long long)d);
  });
  if (size >= sizeof(double)) {
    double seconds;
    std::memcpy(&seconds, data, sizeof seconds);
    if (const auto t = event_time_from_seconds(seconds)) format_event_time(*t);
  }
  return 0;
}
