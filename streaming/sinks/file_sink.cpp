#include "streaming/sinks/file_sink.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <simdjson.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "core/error.h"
#include "core/file_sync.h"
#include "core/json.h"

namespace streamml {

namespace {

constexpr std::size_t kBlockBytes = std::size_t(1) << 20;

std::string errno_text() { return std::strerror(errno); }

void write_all(int fd, const char* data, std::size_t n, const std::string& path) {
  while (n > 0) {
    const ssize_t w = ::write(fd, data, n);
    if (w < 0 && errno == EINTR) continue;
    STREAMML_CHECK(w > 0, Io, "cannot write output '" << path << "': " << errno_text());
    data += w;
    n -= std::size_t(w);
  }
}

}  // namespace

void FileSinkSettings::validate() const {
  STREAMML_CHECK(!path.empty(), InvalidInput, "file sink: the output path is empty");
  resolve_row_format(format, path);
  check_output_columns(columns);
}

FileSink::FileSink(FileSinkSettings settings)
    : settings_((settings.validate(), std::move(settings))),
      format_(resolve_row_format(settings_.format, settings_.path)),
      rows_(format_, settings_.columns, settings_.table, settings_.path) {}

FileSink::~FileSink() {
  if (fd_ < 0) return;
  // Not a crash (that leaves the buffer unwritten): an error stopped the pipeline. The rows of
  // the batches delivered so far are kept; a resume cuts the file back to its checkpoint anyway.
  try {
    write_out();
  } catch (const Error&) {
  }
  ::close(fd_);
}

std::string FileSink::name() const {
  return "file:" + settings_.path + (settings_.table.empty() ? "" : "#" + settings_.table);
}

void FileSink::open(const std::optional<std::string>& mark) {
  STREAMML_CHECK(fd_ < 0, Runtime, "output '" << settings_.path << "' is opened twice");
  const std::string& path = settings_.path;
  std::int64_t length = 0;
  rows_.reset();
  if (mark) {
    const std::string what = "the checkpoint's mark of output '" + path + "'";
    rows_.restore(*mark, what);
    simdjson::dom::parser parser;
    const simdjson::padded_string text(*mark);
    simdjson::dom::element root;
    STREAMML_CHECK(!parser.parse(text).get(root) && !root["bytes"].get(length) && length >= 0, InvalidInput,
                   what << " lacks its length: " << *mark);
  }
  // A fresh start begins the file anew; a resume keeps what the checkpoint covers.
  const int flags = O_WRONLY | O_CLOEXEC | (mark ? 0 : O_CREAT | O_TRUNC);
  fd_ = ::open(path.c_str(), flags, 0644);
  if (fd_ < 0 && mark && errno == ENOENT && length == 0) fd_ = ::open(path.c_str(), O_WRONLY | O_CLOEXEC | O_CREAT, 0644);
  // A resumed output that is gone is the user's to sort out; other failures are the system's.
  STREAMML_CHECK(fd_ >= 0 || !mark || errno != ENOENT, InvalidInput,
                 "output '" << path << "' is gone, but the checkpoint being resumed wrote " << length
                            << " bytes to it: start afresh (without --resume) to write it anew");
  STREAMML_CHECK(fd_ >= 0, Io, "cannot open output '" << path << "': " << errno_text());
  if (mark) {
    struct stat st {};
    STREAMML_CHECK(::fstat(fd_, &st) == 0, Io, "cannot read the size of output '" << path << "': " << errno_text());
    STREAMML_CHECK(st.st_size >= length, InvalidInput,
                   "output '" << path << "' has " << st.st_size << " bytes, but the checkpoint being resumed wrote "
                              << length << ": it was changed since; start afresh (without --resume) to write it anew");
    STREAMML_CHECK(::ftruncate(fd_, off_t(length)) == 0, Io, "cannot cut output '" << path << "' back to " << length
                                                                                   << " bytes: " << errno_text());
  }
  STREAMML_CHECK(::lseek(fd_, off_t(length), SEEK_SET) == length, Io,
                 "cannot seek in output '" << path << "': " << errno_text());
  written_ = length;
  buffer_.clear();
  // The file's name must survive a crash as its rows do.
  const auto dir = std::filesystem::path(path).parent_path();
  fsync_path(dir.empty() ? "." : dir.string(), true);
}

void FileSink::write(const Batch& batch) {
  STREAMML_CHECK(fd_ >= 0, Runtime, "output '" << settings_.path << "' is written before it is opened");
  rows_.write(batch, buffer_, nullptr, written_ + std::int64_t(buffer_.size()) == 0);
  if (buffer_.size() >= kBlockBytes) write_out();
}

void FileSink::write_out() {
  if (buffer_.empty()) return;
  write_all(fd_, buffer_.data(), buffer_.size(), settings_.path);
  written_ += std::int64_t(buffer_.size());
  buffer_.clear();
}

std::string FileSink::flush() {
  write_out();
  JsonWriter w;
  w.begin_object();
  w.key("bytes").value(written_);
  rows_.mark_fields(w);
  w.end_object();
  return w.str();
}

void FileSink::sync() {
  STREAMML_CHECK(::fsync(fd_) == 0, Io, "fsync of output '" << settings_.path << "' failed: " << errno_text());
}

void FileSink::close() {
  if (fd_ < 0) return;
  write_out();
  sync();
  const int rc = ::close(fd_);
  fd_ = -1;
  STREAMML_CHECK(rc == 0, Io, "cannot close output '" << settings_.path << "': " << errno_text());
}

}  // namespace streamml
