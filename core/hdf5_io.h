// The HDF5 layer under StateWriter/StateReader and the checkpoint files: open files and
// groups as shared handles, root attributes, file images in memory, and HDF5's own error
// text turned into streamml::Error. Only core's .cpp files include this; nothing else sees
// HDF5.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace streamml {
class StateSnapshot;
class Stateful;
}

namespace streamml::detail {

struct H5Object;

// Files made here start with a user block of this many bytes that HDF5 does not use.
inline constexpr std::size_t kUserBlockBytes = 512;

// Fletcher-32 as HDF5 computes it (16-bit big-endian words), at memory speed.
std::uint32_t checksum(const void* data, std::size_t size);
// The same checksum over bytes that come in pieces (a file read a block at a time, so a large
// file needs no buffer of its size): every piece but the last a multiple of kPieceBytes.
class Fletcher32 {
 public:
  static constexpr std::size_t kPieceBytes = 720;  // HDF5 folds the sums every 360 words
  void add(const void* data, std::size_t size);
  std::uint32_t value() const;

 private:
  std::uint32_t sum1_ = 0, sum2_ = 0;
};

// A new file at `path` (truncated if it exists), in HDF5's 1.10 format (checksummed metadata).
std::shared_ptr<H5Object> h5_create(const std::string& path);
// An existing file, read-only. Throws Error(InvalidInput) naming the file when it is not a
// readable HDF5 file (truncated, corrupt), Error(Io) when it cannot be opened at all.
std::shared_ptr<H5Object> h5_open(const std::string& path);
// The same, for a file held in memory (HDF5's core driver, no backing store): pickled models,
// and checkpoints encoded before they are written. Each is opened under a fresh name that no
// file can have, so a file in the working directory is never read instead, and two images open
// at once are never taken for one; errors name the image as `name`. expected_bytes: about how
// large the file will grow, so the driver allocates its memory once instead of growing it a
// megabyte at a time (each growth touches fresh pages, the dominant cost of encoding on a
// virtual machine).
std::shared_ptr<H5Object> h5_create_in_memory(std::size_t expected_bytes = 0);
std::shared_ptr<H5Object> h5_open_in_memory(const void* data, std::size_t size, const std::string& name);
// Flushes an in-memory file and puts its bytes into `out` from offset `at` on (the bytes
// before it are left for the caller; out's memory is reused when it is large enough).
void h5_file_image(H5Object& file, std::vector<char>& out, std::size_t at);
// Writes every dataset and group of a snapshot under the file's root (layouts: state_io.h).
void h5_write_state(H5Object& file, const StateSnapshot& state);
// Writes a model's state into the file as its save_state goes, with no copy in between (a save
// encoded at once; a checkpoint taken to be written later is a snapshot).
void h5_save_state(H5Object& file, const Stateful& model);
// Flushes and closes a file, reporting failure (destructors close silently).
void h5_close(H5Object& file, const std::string& path);

void h5_write_attr(H5Object& object, std::string_view name, std::string_view text);
void h5_write_attr(H5Object& object, std::string_view name, std::int64_t value);
bool h5_has_attr(H5Object& object, std::string_view name);
// Throw Error(InvalidInput) naming file and attribute when missing or of another type.
std::string h5_read_attr_string(H5Object& object, std::string_view name, const std::string& file);
std::int64_t h5_read_attr_int(H5Object& object, std::string_view name, const std::string& file);

struct DatasetInfo {
  std::string path;                 // "/optimizer/grad_sq_sum"
  std::string type;                 // "float64" | "int64" | "uint8" | "string" | ...
  std::vector<std::int64_t> shape;  // empty for a scalar
};
// Every dataset under the root, in name order (metadata only; no data is read). Errors name
// the file as `name`.
std::vector<DatasetInfo> h5_list_datasets(H5Object& file, const std::string& name);

}  // namespace streamml::detail
