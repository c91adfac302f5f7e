// Event time: when a record happened, as written in the record itself.
//
// Stored as microseconds since the Unix epoch (UTC) in an int64, which covers ±292,000 years
// at a resolution finer than any recorded stream needs.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace streamml {

using EventTime = std::int64_t;  // microseconds since 1970-01-01T00:00:00Z

constexpr EventTime kMicrosPerSecond = 1'000'000;

// Parses an event time written as epoch seconds ("1700000000", "1700000000.25") or as an
// ISO 8601 / RFC 3339 timestamp ("2026-11-21T10:00:00Z", "2026-11-21 10:00:00.5+01:00",
// "2026-11-21"). Returns nullopt when the text is neither.
std::optional<EventTime> parse_event_time(std::string_view text);

// Epoch seconds given as a number (JSON numbers, NumPy arrays).
std::optional<EventTime> event_time_from_seconds(double seconds);

// "2026-11-21T10:00:00.250000Z"
std::string format_event_time(EventTime t);

// Durations on the command line: "500ms", "1s", "1.5s", "2m", "1h", "1d", or plain seconds.
// Throws Error(InvalidInput) naming the text when it is not a positive duration.
std::int64_t parse_duration_micros(std::string_view text);

}  // namespace streamml
