#include "datasets/record_writer.h"

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "core/event_time.h"
#include "core/json.h"

namespace streamml {

OutputFile::OutputFile(std::string path) : path_(std::move(path)) {
  file_.open(path_, std::ios::binary | std::ios::trunc);
  STREAMML_CHECK(file_.is_open(), Io, "cannot open '" << path_ << "' for writing: " << std::strerror(errno));
  buffer_.reserve(kFlushAt + 4096);
}

void OutputFile::close() {
  flush();
  file_.close();
  STREAMML_CHECK(!file_.fail(), Io, "closing '" << path_ << "' failed (disk full?)");
}

void OutputFile::flush() {
  file_.write(buffer_.data(), std::streamsize(buffer_.size()));
  STREAMML_CHECK(file_.good(), Io, "writing " << buffer_.size() << " bytes to '" << path_ << "' failed (disk full?)");
  buffer_.clear();
}

void write_text_file(const std::string& path, const std::string& text) {
  OutputFile f(path);
  f.text() = text;
  f.close();
}

int id_width(std::int64_t count, int at_least) {
  int digits = 1;
  for (std::int64_t v = count - 1; v >= 10; v /= 10) ++digits;
  return std::max(digits, at_least);
}

void TimeText::append(std::string& s, std::int64_t millis) {
  const std::int64_t day = floor_div(millis, kMillisPerDay);
  std::int64_t ms = millis - day * kMillisPerDay;
  if (day != day_) {
    day_ = day;
    date_ = format_event_time(day * 86'400 * kMicrosPerSecond).substr(0, 11);  // "YYYY-MM-DDT"
  }
  s += date_;
  const auto two = [&s](std::int64_t v) {
    s += char('0' + v / 10);
    s += char('0' + v % 10);
  };
  two(ms / 3'600'000);
  s += ':';
  two(ms / 60'000 % 60);
  s += ':';
  two(ms / 1000 % 60);
  s += '.';
  ms %= 1000;
  s += char('0' + ms / 100);
  s += char('0' + ms / 10 % 10);
  s += char('0' + ms % 10);
  s += 'Z';
}

RecordWriter::RecordWriter(OutputFile& out, bool jsonl, const std::vector<std::string>& columns)
    : out_(out), jsonl_(jsonl) {
  for (std::size_t i = 0; i < columns.size(); ++i) {
    if (jsonl) prefixes_.push_back((i == 0 ? "{" : ",") + json_quote(columns[i]) + ":");
    else prefixes_.push_back(i == 0 ? "" : ",");
  }
  if (!jsonl) {
    for (std::size_t i = 0; i < columns.size(); ++i) out_.text() += (i ? "," : "") + columns[i];
    out_.text() += '\n';
  }
}

}  // namespace streamml
