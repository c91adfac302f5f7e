#include "core/event_time.h"

#include <charconv>
#include <cmath>
#include <cstdio>

#include "core/error.h"

namespace streamml {

namespace {

// Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar (Howard Hinnant's
// days_from_civil), so no time zone database or locale is involved.
std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = unsigned(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + std::int64_t(doe) - 719468;
}

void civil_from_days(std::int64_t z, int& y, unsigned& m, unsigned& d) {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = unsigned(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  d = doy - (153 * mp + 2) / 5 + 1;
  m = mp < 10 ? mp + 3 : mp - 9;
  y = int(std::int64_t(yoe) + era * 400 + (m <= 2));
}

// Reads exactly n digits at p; advances p.
bool digits(const char*& p, const char* end, int n, int& out) {
  if (end - p < n) return false;
  out = 0;
  for (int i = 0; i < n; ++i) {
    if (p[i] < '0' || p[i] > '9') return false;
    out = out * 10 + (p[i] - '0');
  }
  p += n;
  return true;
}

std::optional<EventTime> parse_iso8601(std::string_view s) {
  const char* p = s.data();
  const char* end = p + s.size();
  int year, month, day, hour = 0, minute = 0, second = 0;
  if (!digits(p, end, 4, year) || p == end || *p++ != '-' || !digits(p, end, 2, month) ||
      p == end || *p++ != '-' || !digits(p, end, 2, day))
    return std::nullopt;
  if (month < 1 || month > 12 || day < 1 || day > 31) return std::nullopt;
  std::int64_t micros = 0;
  std::int64_t offset_seconds = 0;
  if (p != end) {
    if (*p != 'T' && *p != 't' && *p != ' ') return std::nullopt;
    ++p;
    if (!digits(p, end, 2, hour) || p == end || *p++ != ':' || !digits(p, end, 2, minute))
      return std::nullopt;
    if (p != end && *p == ':') {
      ++p;
      if (!digits(p, end, 2, second)) return std::nullopt;
      if (p != end && (*p == '.' || *p == ',')) {
        ++p;
        std::int64_t scale = 100000;
        const char* start = p;
        while (p != end && *p >= '0' && *p <= '9') {
          micros += scale * (*p - '0');  // digits past microseconds are dropped
          scale /= 10;
          ++p;
        }
        if (p == start) return std::nullopt;
      }
    }
    if (hour > 23 || minute > 59 || second > 60) return std::nullopt;
    if (p != end) {
      if (*p == 'Z' || *p == 'z') {
        ++p;
      } else if (*p == '+' || *p == '-') {
        const int sign = *p++ == '-' ? -1 : 1;
        int oh, om = 0;
        if (!digits(p, end, 2, oh)) return std::nullopt;
        if (p != end && *p == ':') ++p;
        if (p != end && !digits(p, end, 2, om)) return std::nullopt;
        offset_seconds = sign * (oh * 3600 + om * 60);
      } else {
        return std::nullopt;
      }
    }
    if (p != end) return std::nullopt;
  }
  const std::int64_t seconds = days_from_civil(year, unsigned(month), unsigned(day)) * 86400 +
                               hour * 3600 + minute * 60 + second - offset_seconds;
  return seconds * kMicrosPerSecond + micros;
}

}  // namespace

std::optional<EventTime> event_time_from_seconds(double seconds) {
  // 9.2e12 s is the int64-microsecond horizon (year ~292,000).
  if (!std::isfinite(seconds) || std::fabs(seconds) > 9.2e12) return std::nullopt;
  return EventTime(std::llround(seconds * 1e6));
}

std::optional<EventTime> parse_event_time(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t' || text.back() == '\r'))
    text.remove_suffix(1);
  if (text.empty()) return std::nullopt;
  // Integral seconds are parsed exactly; fractional ones through double (microsecond exact
  // for any date this side of year 2200).
  std::int64_t whole = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), whole);
  if (ec == std::errc() && p == text.data() + text.size()) {
    if (whole > INT64_MAX / kMicrosPerSecond || whole < INT64_MIN / kMicrosPerSecond)
      return std::nullopt;
    return whole * kMicrosPerSecond;
  }
  if (text.size() >= 10 && text[4] == '-') return parse_iso8601(text);
  double seconds = 0;
  auto [q, ec2] = std::from_chars(text.data(), text.data() + text.size(), seconds);
  if (ec2 == std::errc() && q == text.data() + text.size()) return event_time_from_seconds(seconds);
  return std::nullopt;
}

std::string format_event_time(EventTime t) {
  std::int64_t seconds = t / kMicrosPerSecond;
  std::int64_t micros = t % kMicrosPerSecond;
  if (micros < 0) {
    micros += kMicrosPerSecond;
    --seconds;
  }
  std::int64_t days = seconds / 86400;
  std::int64_t rest = seconds % 86400;
  if (rest < 0) {
    rest += 86400;
    --days;
  }
  int y;
  unsigned m, d;
  civil_from_days(days, y, m, d);
  char buf[48];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02d.%06dZ", y, m, d, int(rest / 3600),
                int(rest / 60 % 60), int(rest % 60), int(micros));
  return buf;
}

std::int64_t parse_duration_micros(std::string_view text) {
  double amount = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), amount);
  STREAMML_CHECK(ec == std::errc() && amount > 0 && std::isfinite(amount), InvalidInput,
                 "duration '" << text << "' is not a positive number with a unit (ms, s, m, h, d)");
  const std::string_view unit(p, std::size_t(text.data() + text.size() - p));
  double scale = 0;
  if (unit.empty() || unit == "s") scale = 1e6;
  else if (unit == "ms") scale = 1e3;
  else if (unit == "us") scale = 1;
  else if (unit == "m" || unit == "min") scale = 60e6;
  else if (unit == "h") scale = 3600e6;
  else if (unit == "d") scale = 86400e6;
  STREAMML_CHECK(scale > 0, InvalidInput,
                 "duration '" << text << "' has unknown unit '" << unit
                              << "' (expected us, ms, s, m, h or d)");
  const double micros = amount * scale;
  STREAMML_CHECK(micros >= 1 && micros < 9.2e18, InvalidInput,
                 "duration '" << text << "' is out of range (1 us to 292,000 years)");
  return std::int64_t(std::llround(micros));
}

}  // namespace streamml
