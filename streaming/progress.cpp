#include "streaming/progress.h"

#include <unistd.h>

#include <cmath>

namespace streamml {

namespace {

std::string with_commas(std::int64_t n) {
  std::string digits = std::to_string(n < 0 ? -n : n);
  std::string out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return n < 0 ? "-" + out : out;
}

std::string si_rate(double per_second) {
  char buf[32];
  if (per_second >= 1e6) std::snprintf(buf, sizeof buf, "%.2fM", per_second / 1e6);
  else if (per_second >= 1e3) std::snprintf(buf, sizeof buf, "%.1fk", per_second / 1e3);
  else std::snprintf(buf, sizeof buf, "%.0f", per_second);
  return buf;
}

std::string clock_time(double seconds) {
  const auto s = std::int64_t(std::llround(seconds));
  char buf[32];
  if (s >= 3600) std::snprintf(buf, sizeof buf, "%lld:%02lld:%02lld", (long long)(s / 3600),
                               (long long)(s / 60 % 60), (long long)(s % 60));
  else std::snprintf(buf, sizeof buf, "%lld:%02lld", (long long)(s / 60), (long long)(s % 60));
  return buf;
}

}  // namespace

std::string format_progress(const ProgressSnapshot& s) {
  std::string line;
  const bool sized = s.total && *s.total > 0;
  if (sized) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "%5.1f%%  ", 100.0 * double(s.done) / double(*s.total));
    line += buf;
  }
  line += with_commas(s.records) + " records";
  if (s.elapsed_seconds > 0) line += "  " + si_rate(double(s.records) / s.elapsed_seconds) + " rec/s";
  line += "  batches " + with_commas(s.batches);
  if (s.bad_records) line += "  bad " + with_commas(s.bad_records);
  if (sized && s.done > 0 && s.done < *s.total && s.elapsed_seconds > 0) {
    const double rate = double(s.done) / s.elapsed_seconds;
    line += "  ETA " + clock_time(double(*s.total - s.done) / rate);
  }
  if (!s.stages.empty()) line += "  | " + s.stages;
  return line;
}

ProgressReporter::ProgressReporter(std::FILE* out, std::optional<bool> interactive,
                                   double plain_interval_seconds)
    : out_(out),
      interactive_(interactive.value_or(isatty(fileno(out)) != 0)),
      interval_(interactive_ ? 0.1 : plain_interval_seconds) {}

void ProgressReporter::update(const ProgressSnapshot& s) {
  const auto now = std::chrono::steady_clock::now();
  if (printed_ && std::chrono::duration<double>(now - last_).count() < interval_) return;
  last_ = now;
  printed_ = true;
  const std::string line = format_progress(s);
  if (interactive_) std::fprintf(out_, "\r\033[K%s", line.c_str());
  else std::fprintf(out_, "%s\n", line.c_str());
  std::fflush(out_);
}

void ProgressReporter::finish(const ProgressSnapshot& s) {
  const std::string line = format_progress(s);
  if (interactive_) std::fprintf(out_, "\r\033[K%s\n", line.c_str());
  else std::fprintf(out_, "%s\n", line.c_str());
  std::fflush(out_);
}

}  // namespace streamml
