#include "core/checkpoint_store.h"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <map>
#include <mutex>

#include "core/durable_file.h"
#include "core/error.h"
#include "core/file_sync.h"

namespace streamml {

namespace {

constexpr const char* kPrefix = "v";
constexpr const char* kSuffix = ".h5";
constexpr int kDigits = 6;

std::string errno_text() { return std::strerror(errno); }

void make_dirs(const std::string& dir) {
  std::string partial;
  std::size_t pos = 0;
  while (pos != std::string::npos) {
    pos = dir.find('/', pos + 1);
    partial = dir.substr(0, pos);
    if (partial.empty()) continue;
    if (::mkdir(partial.c_str(), 0777) != 0 && errno != EEXIST)
      STREAMML_FAIL(Io, "cannot create directory '" << partial << "': " << errno_text());
  }
  struct stat st {};
  STREAMML_CHECK(::stat(dir.c_str(), &st) == 0 && S_ISDIR(st.st_mode), Io,
                 "'" << dir << "' is not a directory");
}

// "v000012.h5" -> 12; anything else (temporary files, strangers) -> nullopt.
std::optional<std::int64_t> version_of(const std::string& file) {
  const std::size_t prefix = std::strlen(kPrefix), suffix = std::strlen(kSuffix);
  if (file.size() < prefix + kDigits + suffix || file.compare(0, prefix, kPrefix) != 0 ||
      file.compare(file.size() - suffix, suffix, kSuffix) != 0)
    return std::nullopt;
  std::int64_t v = 0;
  for (std::size_t i = prefix; i < file.size() - suffix; ++i) {
    if (file[i] < '0' || file[i] > '9' || v > 1'000'000'000'000) return std::nullopt;
    v = v * 10 + (file[i] - '0');
  }
  return v > 0 ? std::optional<std::int64_t>(v) : std::nullopt;
}

std::vector<std::string> list_dir(const std::string& dir) {
  std::vector<std::string> out;
  DIR* d = ::opendir(dir.c_str());
  if (!d) return out;
  while (const dirent* e = ::readdir(d)) out.emplace_back(e->d_name);
  ::closedir(d);
  return out;
}

// Savers in one process take turns per directory, so two of them never pick the same number.
std::mutex& save_mutex(const std::string& dir) {
  static std::mutex guard;
  static std::map<std::string, std::unique_ptr<std::mutex>> mutexes;
  std::lock_guard<std::mutex> lock(guard);
  auto& m = mutexes[dir];
  if (!m) m = std::make_unique<std::mutex>();
  return *m;
}

// ".v000003.h5.tmp-<pid>-<n>": the pid says whether its writer may still be alive.
std::optional<pid_t> temporary_owner(const std::string& file) {
  const auto tmp = file.find(".tmp-");
  if (file.empty() || file[0] != '.' || tmp == std::string::npos) return std::nullopt;
  return pid_t(std::atoll(file.c_str() + tmp + 5));
}

// A fresh temporary name beside `final_path` (".v000003.h5.tmp-<pid>-<n>", see
// temporary_owner): never a version name, so readers listing versions skip it.
std::string temporary_path(const std::string& dir, const std::string& final_path) {
  static std::atomic<std::int64_t> counter{0};
  return dir + "/." + final_path.substr(dir.size() + 1) + ".tmp-" + std::to_string(::getpid()) + "-" +
         std::to_string(counter++);
}

// Publishes the complete, fsynced file `tmp` as `final_path`: link() never replaces, so this
// returns false (and drops tmp) when that version exists already; otherwise the directory is
// fsynced so the new name survives a crash.
bool link_into_place(const std::string& tmp, const std::string& final_path, const std::string& dir) {
  if (::link(tmp.c_str(), final_path.c_str()) != 0) {
    const int saved = errno;
    ::unlink(tmp.c_str());
    if (saved == EEXIST) return false;
    errno = saved;
    STREAMML_FAIL(Io, "cannot publish '" << final_path << "': " << errno_text());
  }
  ::unlink(tmp.c_str());
  fsync_path(dir, true);
  return true;
}

}  // namespace

void check_model_name(const std::string& name) {
  bool ok = !name.empty() && name.size() <= 100 && name[0] != '.';
  for (char c : name)
    ok = ok && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
                c == '_' || c == '-');
  STREAMML_CHECK(ok, InvalidInput,
                 "model name '" << name << "' must be 1 to 100 characters of letters, digits, '.', '_' or '-', "
                                   "not starting with '.'");
}


CheckpointStore::CheckpointStore(std::string dir) : dir_(std::move(dir)) {
  STREAMML_CHECK(!dir_.empty(), InvalidInput, "checkpoint directory is empty");
  while (dir_.size() > 1 && dir_.back() == '/') dir_.pop_back();
  make_dirs(dir_);
  // Held open for the store's life: while it is, the directory's inode cannot be reused, so a
  // directory removed and made again under the same name is told apart from it.
  const int fd = ::open(dir_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  STREAMML_CHECK(fd >= 0, Io, "cannot open directory '" << dir_ << "': " << errno_text());
  dir_fd_ = std::shared_ptr<const int>(new int(fd), [](const int* p) {
    ::close(*p);
    delete p;
  });
}

std::string CheckpointStore::model_dir(const std::string& name) const {
  check_model_name(name);
  return dir_ + "/" + name;
}

std::string CheckpointStore::path(const std::string& name, std::int64_t version) const {
  char file[32];
  std::snprintf(file, sizeof file, "%s%0*lld%s", kPrefix, kDigits, (long long)version, kSuffix);
  return model_dir(name) + "/" + file;
}

std::vector<std::int64_t> CheckpointStore::versions(const std::string& name) const {
  std::vector<std::int64_t> out;
  for (const auto& f : list_dir(model_dir(name)))
    if (auto v = version_of(f)) out.push_back(*v);
  std::sort(out.begin(), out.end());
  return out;
}

std::optional<std::int64_t> CheckpointStore::latest(const std::string& name) const {
  const auto v = versions(name);
  return v.empty() ? std::nullopt : std::optional<std::int64_t>(v.back());
}

std::vector<std::string> CheckpointStore::names() const {
  std::vector<std::string> out;
  for (const auto& f : list_dir(dir_)) {
    if (f.empty() || f[0] == '.') continue;
    struct stat st {};
    if (::stat((dir_ + "/" + f).c_str(), &st) == 0 && S_ISDIR(st.st_mode) && !versions(f).empty())
      out.push_back(f);
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::int64_t CheckpointStore::save(const std::string& name, const Stateful& model, const CheckpointMetadata& metadata) {
  const std::string dir = model_dir(name);
  make_dirs(dir);
  std::lock_guard<std::mutex> lock(save_mutex(dir_));
  while (true) {
    CheckpointHeader header;
    header.version = latest(name).value_or(0) + 1;
    header.parent_version = metadata.parent_version >= 0 ? metadata.parent_version : header.version - 1;
    header.batch_index = metadata.batch_index;
    header.source_positions = metadata.source_positions;
    header.metrics = metadata.metrics;
    header.user_metadata = metadata.user_metadata;
    const std::string final_path = path(name, header.version);
    const std::string tmp = temporary_path(dir, final_path);
    try {
      write_checkpoint_file(tmp, model, header);
      fsync_path(tmp, false);
    } catch (const Error& e) {
      ::unlink(tmp.c_str());
      if (e.kind() != ErrorKind::Io) throw;
      STREAMML_FAIL(Io, "cannot write checkpoint '" << final_path << "': " << e.message());
    } catch (...) {
      ::unlink(tmp.c_str());
      throw;
    }
    // If another process saved this number first, take the next.
    if (link_into_place(tmp, final_path, dir)) return header.version;
  }
}

void CheckpointStore::publish(const std::string& name, std::int64_t version, const std::vector<char>& image) {
  STREAMML_CHECK(version >= 1, InvalidInput, "checkpoint versions start at 1, got " << version);
  check_directory();
  const std::string dir = model_dir(name);
  const std::string final_path = path(name, version);
  // Every failure names the version it was writing, then what failed and why (ENOSPC, EROFS,
  // EFBIG, ...); the temporary file is gone after it, and the versions before are untouched.
  bool linked = false;
  try {
    // The model's folder only: the store's directory, checked above, is never made again.
    STREAMML_CHECK(::mkdir(dir.c_str(), 0777) == 0 || errno == EEXIST, Io,
                   "cannot create directory '" << dir << "': " << errno_text());
    const std::string tmp = temporary_path(dir, final_path);
    write_file_synced(tmp, image.data(), image.size());
    linked = link_into_place(tmp, final_path, dir);
  } catch (const Error& e) {
    check_directory();  // a directory removed meanwhile says so rather than "No such file"
    STREAMML_FAIL(Io, "cannot write checkpoint '" << final_path << "': " << e.message());
  }
  STREAMML_CHECK(linked, Io, "cannot publish '" << final_path << "': File exists (another writer uses this directory)");
}

void CheckpointStore::check_directory() const {
  struct stat held {}, st {};
  const bool present = ::stat(dir_.c_str(), &st) == 0;
  const bool same = present && ::fstat(*dir_fd_, &held) == 0 && held.st_nlink > 0 && st.st_dev == held.st_dev &&
                    st.st_ino == held.st_ino;
  STREAMML_CHECK(same, Io,
                 "checkpoint directory '" << dir_ << "' " << (present ? "was replaced" : "has disappeared")
                                          << " since the run started (removed, or its volume unmounted?): "
                                             "not writing checkpoints into "
                                          << (present ? "another" : "a recreated") << " directory");
}

std::int64_t CheckpointStore::resolve(const std::string& name, std::optional<std::int64_t> version) const {
  if (version) {
    STREAMML_CHECK(*version >= 1, InvalidInput, "checkpoint versions start at 1, got " << *version);
    return *version;
  }
  const auto newest = latest(name);
  STREAMML_CHECK(newest.has_value(), InvalidInput,
                 "no checkpoint of '" << name << "' in '" << dir_ << "'");
  return *newest;
}

CheckpointInfo CheckpointStore::load(const std::string& name, Stateful& into, std::optional<std::int64_t> version) const {
  return load_checkpoint_file(path(name, resolve(name, version)), into);
}

CheckpointInfo CheckpointStore::describe(const std::string& name, std::optional<std::int64_t> version) const {
  return describe_checkpoint_file(path(name, resolve(name, version)));
}

std::vector<std::int64_t> CheckpointStore::prune(const std::string& name, std::size_t keep_last) {
  STREAMML_CHECK(keep_last >= 1, InvalidInput, "prune keeps at least the newest version; keep_last is 0");
  std::lock_guard<std::mutex> lock(save_mutex(dir_));
  const std::string dir = model_dir(name);
  for (const auto& f : list_dir(dir))
    if (auto pid = temporary_owner(f); pid && *pid != ::getpid() && ::kill(*pid, 0) != 0 && errno == ESRCH)
      ::unlink((dir + "/" + f).c_str());
  auto all = versions(name);
  std::vector<std::int64_t> removed;
  if (all.size() <= keep_last) return removed;
  removed.assign(all.begin(), all.end() - std::ptrdiff_t(keep_last));
  for (auto v : removed) {
    const std::string p = path(name, v);
    STREAMML_CHECK(::unlink(p.c_str()) == 0 || errno == ENOENT, Io, "cannot delete '" << p << "': " << errno_text());
  }
  fsync_path(dir, true);
  return removed;
}

}  // namespace streamml
