#include "core/durable_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "core/error.h"
#include "core/file_sync.h"

namespace streamml {

namespace {
std::string parent_of(const std::string& path) {
  const auto slash = path.rfind('/');
  return slash == std::string::npos ? "." : slash == 0 ? "/" : path.substr(0, slash);
}
}  // namespace

void write_file_synced(const std::string& path, const char* data, std::size_t size) {
  const auto fail = [&](const char* what, int error) {
    ::unlink(path.c_str());
    STREAMML_FAIL(Io, what << " '" << path << "' failed: " << std::strerror(error));
  };
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
  if (fd < 0) fail("creating", errno);
  std::size_t done = 0;
  while (done < size) {
    const ssize_t n = ::write(fd, data + done, size - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const int saved = n == 0 ? ENOSPC : errno;
      ::close(fd);
      fail("writing", saved);
    }
    done += std::size_t(n);
  }
  const int synced = ::fsync(fd);
  const int sync_error = errno;
  const int closed = ::close(fd);
  if (synced != 0) fail("fsync of", sync_error);
  if (closed != 0) fail("closing", errno);
}

void replace_file(const std::string& path, const std::string& contents) {
  const std::string tmp = path + ".tmp-" + std::to_string(::getpid());
  try {
    write_file_synced(tmp, contents.data(), contents.size());
  } catch (const Error& e) {
    STREAMML_FAIL(Io, "cannot replace '" << path << "': " << e.message());
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    const int saved = errno;
    ::unlink(tmp.c_str());
    STREAMML_FAIL(Io, "cannot replace '" << path << "': renaming '" << tmp << "' failed: " << std::strerror(saved));
  }
  fsync_path(parent_of(path), true);
}

}  // namespace streamml
