#include "core/checkpoint_file.h"

#include <simdjson.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <ctime>

#include "core/error.h"
#include "core/json.h"
#include "core/state_io.h"

namespace streamml {

namespace {

std::string utc_now() {
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return text;
}

// The user block (the file's first 512 bytes, which HDF5 leaves alone) says how long the
// HDF5 part after it is and what its Fletcher-32 checksum is, in text a person can read with
// `head -c 100`. Loading checks both before HDF5 parses a byte: a truncated or changed file is
// refused with a clear message instead of being handed to a parser that trusts it.
constexpr char kMagic[] = "streamml checkpoint\n";

void write_header(char* block, std::size_t body_size, std::uint32_t body_checksum) {
  std::memset(block, 0, detail::kUserBlockBytes);
  std::snprintf(block, detail::kUserBlockBytes, "%sformat %lld\nlength %zu\nfletcher32 %08x\n", kMagic,
                (long long)kCheckpointFormatVersion, body_size, unsigned(body_checksum));
}

void seal(char* block, const char* body, std::size_t body_size) {
  write_header(block, body_size, detail::checksum(body, body_size));
}

// The first bytes of a checkpoint of `size` bytes: the user block and the HDF5 signature after it.
constexpr std::size_t kPrefixBytes = detail::kUserBlockBytes + 8;

// Checks the header of a checkpoint of `size` bytes whose first min(size, kPrefixBytes) bytes
// are `data`, and returns the checksum it gives for the rest.
std::uint32_t check_header(const char* data, std::size_t size, const std::string& name) {
  const std::size_t magic = sizeof kMagic - 1;
  const std::size_t prefix = std::min(size, kPrefixBytes);
  // A prefix of a checkpoint (a copy cut short, a crash of a writer that was not ours): empty,
  // or the start of the header without the rest of it.
  STREAMML_CHECK(size > 0, InvalidInput, name << ": truncated: the file is empty (0 bytes), so not a checkpoint");
  STREAMML_CHECK(size >= detail::kUserBlockBytes || std::memcmp(data, kMagic, std::min(size, magic)) != 0,
                 InvalidInput,
                 name << ": truncated: " << size << " bytes, shorter than the " << detail::kUserBlockBytes
                      << "-byte checkpoint header it starts with");
  if (size < detail::kUserBlockBytes || std::memcmp(data, kMagic, magic) != 0) {
    const auto hdf5_at = [&](std::size_t at) { return prefix >= at + 8 && std::memcmp(data + at, "\x89HDF\r\n\x1a\n", 8) == 0; };
    STREAMML_CHECK(hdf5_at(0) || hdf5_at(detail::kUserBlockBytes), InvalidInput,
                   name << ": not an HDF5 file (no HDF5 signature in its " << size << " bytes), so not a checkpoint");
    STREAMML_FAIL(InvalidInput, name << ": an HDF5 file but not a streamml checkpoint (no 'streamml checkpoint' "
                                        "header in its first bytes): written by another program, or damaged");
  }
  long long format = 0;
  unsigned long long length = 0;
  unsigned sum = 0;
  const std::string header(data + magic, strnlen(data + magic, detail::kUserBlockBytes - magic));
  STREAMML_CHECK(std::sscanf(header.c_str(), "format %lld\nlength %llu\nfletcher32 %x\n", &format, &length, &sum) == 3,
                 InvalidInput, name << ": damaged checkpoint header");
  // The format first: a newer file may be laid out in ways this reader cannot check.
  STREAMML_CHECK(format <= kCheckpointFormatVersion, InvalidInput,
                 name << ": written in checkpoint format " << format << " by a newer streamml; this one ("
                      << STREAMML_VERSION_STRING << ") reads formats up to " << kCheckpointFormatVersion);
  STREAMML_CHECK(format >= 1, InvalidInput, name << ": format " << format << " is not a valid format (1 is the first)");
  const std::size_t body = size - detail::kUserBlockBytes;
  STREAMML_CHECK(length == body, InvalidInput,
                 name << ": truncated or extended: the checkpoint holds " << length << " bytes after its header, the file "
                      << body);
  return sum;
}

void check_sum(std::uint32_t got, std::uint32_t expected, const std::string& name) {
  STREAMML_CHECK(got == expected, InvalidInput,
                 name << ": damaged: its Fletcher-32 checksum does not match its contents (changed after it was "
                         "written)");
}

void verify(const char* data, std::size_t size, const std::string& name) {
  const std::uint32_t expected = check_header(data, size, name);
  check_sum(detail::checksum(data + detail::kUserBlockBytes, size - detail::kUserBlockBytes), expected, name);
}

// An open file descriptor, closed on every path.
struct Fd {
  int fd;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

std::size_t read_at(int fd, char* out, std::size_t size, std::size_t offset, const std::string& path) {
  std::size_t done = 0;
  while (done < size) {
    const ssize_t n = ::pread(fd, out + done, size - done, off_t(offset + done));
    if (n < 0 && errno == EINTR) continue;
    STREAMML_CHECK(n >= 0, Io, "cannot read '" << path << "': " << std::strerror(errno));
    if (n == 0) break;
    done += std::size_t(n);
  }
  return done;
}

std::size_t file_size(int fd, const std::string& path) {
  struct stat st {};
  STREAMML_CHECK(::fstat(fd, &st) == 0, Io, "cannot stat '" << path << "': " << std::strerror(errno));
  return std::size_t(st.st_size);
}

// The checksum of a file's bytes after the user block, read a piece at a time into a buffer the
// thread keeps: a buffer the size of the file would be fresh memory every time, and touching
// fresh pages (a fault per 4 KiB, ~12 us on a virtual machine) would cost more than the reading.
std::uint32_t body_checksum(int fd, std::size_t size, const std::string& path) {
  constexpr std::size_t kPiece = 1456 * detail::Fletcher32::kPieceBytes;  // just under 1 MiB
  thread_local std::vector<char> buffer(kPiece);
  detail::Fletcher32 sum;
  for (std::size_t at = detail::kUserBlockBytes; at < size; at += kPiece) {
    const std::size_t want = std::min(kPiece, size - at);
    STREAMML_CHECK(read_at(fd, buffer.data(), want, at, path) == want, Io,
                   "cannot read '" << path << "': it shrank while being read");
    sum.add(buffer.data(), want);
  }
  return sum.value();
}

void verify_file(const std::string& path) {
  const Fd f{::open(path.c_str(), O_RDONLY | O_CLOEXEC)};
  STREAMML_CHECK(f.fd >= 0, Io, "cannot open '" << path << "': " << std::strerror(errno));
  const std::size_t size = file_size(f.fd, path);
  char prefix[kPrefixBytes];
  STREAMML_CHECK(read_at(f.fd, prefix, std::min(size, kPrefixBytes), 0, path) == std::min(size, kPrefixBytes), Io,
                 "cannot read '" << path << "': it shrank while being read");
  const std::uint32_t expected = check_header(prefix, size, path);
  check_sum(body_checksum(f.fd, size, path), expected, path);
}

// Fills in the user block of a finished file.
void seal_file(const std::string& path) {
  const Fd f{::open(path.c_str(), O_RDWR | O_CLOEXEC)};
  STREAMML_CHECK(f.fd >= 0, Io, "cannot reopen '" << path << "' to seal it: " << std::strerror(errno));
  const std::size_t size = file_size(f.fd, path);
  STREAMML_CHECK(size >= detail::kUserBlockBytes, Io, "cannot seal '" << path << "': " << size << " bytes");
  char block[detail::kUserBlockBytes];
  write_header(block, size - detail::kUserBlockBytes, body_checksum(f.fd, size, path));
  STREAMML_CHECK(::pwrite(f.fd, block, sizeof block, 0) == ssize_t(sizeof block), Io,
                 "cannot seal '" << path << "': " << std::strerror(errno));
}

void check_json(const std::string& text, const std::string& file, const char* attribute) {
  simdjson::dom::parser parser;
  simdjson::dom::element element;
  const auto error = parser.parse(text).get(element);
  STREAMML_CHECK(!error, InvalidInput,
                 file << ": attribute '" << attribute << "' is not valid JSON ("
                      << simdjson::error_message(error) << ")");
}

// The root attributes of a checkpoint of a model of `type` with these settings and metrics.
void write_attributes(detail::H5Object& file, const std::string& type, const std::string& params,
                      const std::string& metrics, std::int64_t state_version, const CheckpointHeader& header) {
  detail::h5_write_attr(file, "format_version", kCheckpointFormatVersion);
  detail::h5_write_attr(file, "library_version", STREAMML_VERSION_STRING);
  detail::h5_write_attr(file, "learner_type", type);
  detail::h5_write_attr(file, "params", params);
  detail::h5_write_attr(file, "created_utc", utc_now());
  detail::h5_write_attr(file, "version", header.version);
  detail::h5_write_attr(file, "parent_version", header.parent_version);
  detail::h5_write_attr(file, "batch_index", header.batch_index);
  detail::h5_write_attr(file, "source_positions", header.source_positions);
  detail::h5_write_attr(file, "metrics", header.metrics.empty() ? metrics : header.metrics);
  detail::h5_write_attr(file, "state_version", state_version);
  detail::h5_write_attr(file, "user_metadata", header.user_metadata.empty() ? std::string("{}") : header.user_metadata);
}

// A model saved at once: its state goes into the file as save_state writes it, uncopied.
void write_model(detail::H5Object& file, const Stateful& model, const CheckpointHeader& header) {
  write_attributes(file, model.type(), model.params_json(), model.metrics_json(), model.state_version(), header);
  detail::h5_save_state(file, model);
}

// HDF5 1.10's file image leaves the user block out (the superblock, whose base address accounts
// for it, comes first): the image goes after it, as in a file on disk.
void seal_image(detail::H5Object& file, std::vector<char>& out) {
  detail::h5_file_image(file, out, detail::kUserBlockBytes);
  seal(out.data(), out.data() + detail::kUserBlockBytes, out.size() - detail::kUserBlockBytes);
}

// The root attributes, every one checked before it is trusted.
// with_datasets: also list the datasets (describe); loading skips it, as each dataset is
// checked when it is read.
CheckpointInfo read_info(detail::H5Object& file, const std::string& name, bool with_datasets) {
  CheckpointInfo info;
  info.path = name;
  info.format_version = detail::h5_read_attr_int(file, "format_version", name);
  STREAMML_CHECK(info.format_version <= kCheckpointFormatVersion, InvalidInput,
                 name << ": written in checkpoint format " << info.format_version << " by a newer streamml; this one ("
                      << STREAMML_VERSION_STRING << ") reads formats up to " << kCheckpointFormatVersion);
  STREAMML_CHECK(info.format_version >= 1, InvalidInput,
                 name << ": format_version " << info.format_version << " is not a valid format (1 is the first)");
  // Format 1 is the only one so far; a format 2 reader keeps this branch for old files.
  info.library_version = detail::h5_read_attr_string(file, "library_version", name);
  info.learner_type = detail::h5_read_attr_string(file, "learner_type", name);
  STREAMML_CHECK(!info.learner_type.empty(), InvalidInput, name << ": attribute 'learner_type' is empty");
  info.params = detail::h5_read_attr_string(file, "params", name);
  check_json(info.params, name, "params");
  info.created_utc = detail::h5_read_attr_string(file, "created_utc", name);
  info.header.version = detail::h5_read_attr_int(file, "version", name);
  info.header.parent_version = detail::h5_read_attr_int(file, "parent_version", name);
  info.header.batch_index = detail::h5_read_attr_int(file, "batch_index", name);
  STREAMML_CHECK(info.header.version >= 0 && info.header.parent_version >= 0 && info.header.batch_index >= -1,
                 InvalidInput,
                 name << ": version " << info.header.version << ", parent_version " << info.header.parent_version
                      << ", batch_index " << info.header.batch_index << " are not all valid");
  info.header.source_positions = detail::h5_read_attr_string(file, "source_positions", name);
  check_json(info.header.source_positions, name, "source_positions");
  info.header.metrics = detail::h5_read_attr_string(file, "metrics", name);
  check_json(info.header.metrics, name, "metrics");
  // Attributes added within format 1: files written before them get their defaults.
  if (detail::h5_has_attr(file, "state_version")) {
    info.state_version = detail::h5_read_attr_int(file, "state_version", name);
    STREAMML_CHECK(info.state_version >= 1, InvalidInput,
                   name << ": state_version " << info.state_version << " is not a valid layout (1 is the first)");
  }
  if (detail::h5_has_attr(file, "user_metadata")) {
    info.header.user_metadata = detail::h5_read_attr_string(file, "user_metadata", name);
    check_json(info.header.user_metadata, name, "user_metadata");
  }
  if (with_datasets) info.datasets = detail::h5_list_datasets(file, name);
  return info;
}

// Restores `into` from the open file whose root attributes `info` holds (read_info).
void restore(const std::shared_ptr<detail::H5Object>& file, const std::string& name, const CheckpointInfo& info,
             Stateful& into) {
  STREAMML_CHECK(info.learner_type == into.type(), InvalidInput,
                 name << ": holds a '" << info.learner_type << "' model, not a '" << into.type() << "'");
  try {
    STREAMML_CHECK(info.state_version <= into.state_version(), InvalidInput,
                   "its '" << info.learner_type << "' state is of layout " << info.state_version
                           << ", written by a newer streamml; this one reads layouts up to " << into.state_version());
    into.load_state(info.params, StateReader(file, name, info.state_version));
  } catch (const Error& e) {
    // State readers name the file already; settings errors do not.
    if (e.message().find(name) != std::string::npos) throw;
    throw Error(e.kind(), name + ": " + e.message(), e.location());
  }
}

CheckpointInfo load_from(const std::shared_ptr<detail::H5Object>& file, const std::string& name, Stateful& into) {
  CheckpointInfo info = read_info(*file, name, false);
  restore(file, name, info, into);
  return info;
}

// The attributes read once: they name the object to make, then its state is restored.
std::unique_ptr<Stateful> load_made(const std::shared_ptr<detail::H5Object>& file, const std::string& name,
                                    const MakeFromCheckpoint& make) {
  const CheckpointInfo info = read_info(*file, name, false);
  std::unique_ptr<Stateful> made = make(info);
  restore(file, name, info, *made);
  return made;
}

}  // namespace

std::string CheckpointInfo::to_json(bool pretty) const {
  JsonWriter w(pretty);
  w.begin_object();
  w.key("path").value(path);
  w.key("format_version").value(format_version);
  w.key("library_version").value(library_version);
  w.key("learner_type").value(learner_type);
  w.key("params").raw(params);
  w.key("created_utc").value(created_utc);
  w.key("version").value(header.version);
  w.key("parent_version").value(header.parent_version);
  w.key("batch_index").value(header.batch_index);
  w.key("source_positions").raw(header.source_positions);
  w.key("metrics").raw(header.metrics);
  w.key("state_version").value(state_version);
  w.key("user_metadata").raw(header.user_metadata);
  w.key("datasets").begin_object();
  for (const auto& d : datasets) {
    w.key(d.path).begin_object();
    w.key("type").value(d.type);
    w.key("shape").begin_array();
    for (auto s : d.shape) w.value(s);
    w.end_array();
    w.end_object();
  }
  w.end_object();
  w.end_object();
  return w.str();
}

void CheckpointContent::take(const Stateful& model) {
  learner_type = model.type();
  params = model.params_json();
  metrics = model.metrics_json();
  state_version = model.state_version();
  state.clear();
  StateWriter out(state);
  model.save_state(out);
}

void write_checkpoint_file(const std::string& path, const Stateful& model, const CheckpointHeader& header) {
  auto file = detail::h5_create(path);
  write_model(*file, model, header);
  detail::h5_close(*file, path);
  seal_file(path);
}

std::vector<char> checkpoint_bytes(const Stateful& model, const CheckpointHeader& header) {
  auto file = detail::h5_create_in_memory();
  write_model(*file, model, header);
  std::vector<char> image;
  seal_image(*file, image);
  return image;
}

void checkpoint_bytes(const CheckpointContent& content, const CheckpointHeader& header, std::vector<char>& out) {
  auto file = detail::h5_create_in_memory(content.state.payload_bytes());
  write_attributes(*file, content.learner_type, content.params, content.metrics, content.state_version, header);
  detail::h5_write_state(*file, content.state);
  seal_image(*file, out);
}

CheckpointInfo describe_checkpoint_file(const std::string& path) {
  verify_file(path);
  auto file = detail::h5_open(path);
  return read_info(*file, path, true);
}

CheckpointInfo load_checkpoint_file(const std::string& path, Stateful& into) {
  verify_file(path);
  return load_from(detail::h5_open(path), path, into);
}

CheckpointInfo load_checkpoint_bytes(const void* data, std::size_t size, Stateful& into, const std::string& name) {
  verify(static_cast<const char*>(data), size, name);
  return load_from(detail::h5_open_in_memory(data, size, name), name, into);
}

CheckpointInfo describe_checkpoint_bytes(const void* data, std::size_t size, const std::string& name) {
  verify(static_cast<const char*>(data), size, name);
  auto file = detail::h5_open_in_memory(data, size, name);
  return read_info(*file, name, true);
}

std::unique_ptr<Stateful> load_made_checkpoint_file(const std::string& path, const MakeFromCheckpoint& make) {
  verify_file(path);
  return load_made(detail::h5_open(path), path, make);
}

std::unique_ptr<Stateful> load_made_checkpoint_bytes(const void* data, std::size_t size, const MakeFromCheckpoint& make,
                                                     const std::string& name) {
  verify(static_cast<const char*>(data), size, name);
  return load_made(detail::h5_open_in_memory(data, size, name), name, make);
}

}  // namespace streamml
