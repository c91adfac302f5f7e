// Writing a generated stream: a buffered output file, the number and time texts every kind
// writes, and the writer of one record at a time in CSV or JSON Lines.
//
// Numbers are written in fixed notation with std::to_chars, and a generator rounds a value to
// the grid it is written on (on_grid) before it uses it, so what a reader parses back is
// exactly the number the generator's truth refers to.
#pragma once

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <fstream>
#include <limits>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "core/error.h"

namespace streamml {

inline constexpr std::int64_t kMillisPerDay = 86'400'000;

inline std::int64_t floor_div(std::int64_t a, std::int64_t b) {
  std::int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
  return q;
}

// Rounds to the decimal grid the file is written on, so the generator's label model sees
// exactly the numbers a reader will parse back. Division by a power of ten is correctly
// rounded, giving the double nearest to k·10^-d, which is what strtod returns for the text.
inline double on_grid(double x, double scale) {
  const double r = std::round(x * scale) / scale;
  return r == 0 ? 0.0 : r;  // no "-0.000000"
}

// A file written through a large buffer; errors are Io errors naming the path.
class OutputFile {
 public:
  explicit OutputFile(std::string path);
  std::string& text() { return buffer_; }
  // Called between records: writes in large blocks, which is what makes 1M events fast.
  void maybe_flush() {
    if (buffer_.size() >= kFlushAt) flush();
  }
  void close();
  const std::string& path() const { return path_; }

 private:
  static constexpr std::size_t kFlushAt = std::size_t(1) << 20;
  void flush();
  std::string path_;
  std::ofstream file_;
  std::string buffer_;
};

// A whole small file (a model or truth JSON) at once.
void write_text_file(const std::string& path, const std::string& text);

inline void append_fixed(std::string& s, double v, int decimals) {
  char buf[64];
  const auto r = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::fixed, decimals);
  STREAMML_CHECK(r.ec == std::errc(), Runtime, "value " << v << " does not fit 64 characters");
  s.append(buf, r.ptr);
}

inline void append_int(std::string& s, std::int64_t v) {
  char buf[24];
  const auto r = std::to_chars(buf, buf + sizeof buf, v);
  s.append(buf, r.ptr);
}

// prefix + zero-padded number, at least `width` digits: "u00042".
inline void append_id(std::string& s, char prefix, std::int64_t v, int width) {
  char buf[24];
  const auto r = std::to_chars(buf, buf + sizeof buf, v);
  s += prefix;
  s.append(std::size_t(std::max<std::ptrdiff_t>(0, width - (r.ptr - buf))), '0');
  s.append(buf, r.ptr);
}

// Digits of the largest of `count` ids (0..count-1), and at least `at_least`.
int id_width(std::int64_t count, int at_least);

// ISO 8601 UTC with milliseconds, "2026-01-01T00:00:01.234Z". The date part is cached per
// day: snprintf for every record would cost more than everything else a record needs.
class TimeText {
 public:
  void append(std::string& s, std::int64_t millis);

 private:
  std::int64_t day_ = std::numeric_limits<std::int64_t>::min();
  std::string date_;
};

// One record at a time, in CSV or JSON Lines, fields in column order. Keeping the two formats
// behind one writer guarantees they carry the same fields in the same order. The CSV header
// is written on construction.
class RecordWriter {
 public:
  RecordWriter(OutputFile& out, bool jsonl, const std::vector<std::string>& columns);
  // Lines taken by the header: record r (0-based) sits on line r + 1 + header_lines().
  int header_lines() const { return jsonl_ ? 0 : 1; }

  void time(std::size_t i, std::int64_t millis) {
    std::string& s = open(i);
    if (jsonl_) s += '"';
    time_.append(s, millis);
    if (jsonl_) s += '"';
  }
  void id(std::size_t i, char prefix, std::int64_t v, int width) {
    std::string& s = open(i);
    if (jsonl_) s += '"';
    append_id(s, prefix, v, width);
    if (jsonl_) s += '"';
  }
  void word(std::size_t i, std::string_view w) {  // identifiers only: nothing to escape
    std::string& s = open(i);
    if (jsonl_) s += '"';
    s += w;
    if (jsonl_) s += '"';
  }
  void fixed(std::size_t i, double v, int decimals) { append_fixed(open(i), v, decimals); }
  void integer(std::size_t i, std::int64_t v) { append_int(open(i), v); }
  void end() {
    out_.text() += jsonl_ ? "}\n" : "\n";
    out_.maybe_flush();
  }

 private:
  std::string& open(std::size_t i) {
    out_.text() += prefixes_[i];
    return out_.text();
  }
  OutputFile& out_;
  bool jsonl_;
  std::vector<std::string> prefixes_;
  TimeText time_;
};

}  // namespace streamml
