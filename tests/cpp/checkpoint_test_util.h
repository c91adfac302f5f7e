// Shared by test_checkpoint_conformance.cpp and test_checkpoint_store.cpp: a checkpoint's whole
// saved state read back through the HDF5 C API, to compare two states bit for bit, and small
// tools that doctor a checkpoint file the way a damaged or hostile one would look.
#pragma once

#include <hdf5.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "core/checkpoint_file.h"
#include "core/error.h"
#include "core/stateful.h"

namespace streamml::checkpoint_test {

// Everything a checkpoint says about its object's state: the learner type, the settings and
// every dataset (element type, shape and raw bytes as stored, so the comparison is bit for bit).
// Attributes that describe the save itself (created_utc, version, ...) are left out.
struct Snapshot {
  std::string learner_type;
  std::string params;
  struct Dataset {
    std::string type;
    std::vector<std::int64_t> shape;
    std::vector<char> bytes;
    bool operator==(const Dataset& o) const { return type == o.type && shape == o.shape && bytes == o.bytes; }
  };
  std::map<std::string, Dataset> datasets;

  bool operator==(const Snapshot& o) const {
    return learner_type == o.learner_type && params == o.params && datasets == o.datasets;
  }
  bool operator!=(const Snapshot& o) const { return !(*this == o); }
};

// Where two snapshots differ first ("" when they do not), for failure messages.
inline std::string first_difference(const Snapshot& a, const Snapshot& b) {
  if (a.learner_type != b.learner_type) return "learner_type " + a.learner_type + " vs " + b.learner_type;
  if (a.params != b.params) return "params " + a.params + " vs " + b.params;
  for (const auto& [name, d] : a.datasets) {
    const auto it = b.datasets.find(name);
    if (it == b.datasets.end()) return "dataset " + name + " only in the first";
    if (!(d == it->second)) return "dataset " + name + " differs";
  }
  for (const auto& [name, d] : b.datasets)
    if (!a.datasets.count(name)) return "dataset " + name + " only in the second";
  return "";
}

namespace detail {

// A fresh name per image, where no file can be (as core/hdf5_io.cpp names its images): HDF5
// takes two images open at once under one name for one file.
inline hid_t open_image(const std::vector<char>& bytes) {
  static std::atomic<unsigned long long> counter{0};
  const std::string name = "/dev/null/snapshot-image-" + std::to_string(counter++) + ".h5";
  const hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
  H5Pset_fapl_core(fapl, 1 << 20, 0);
  H5Pset_file_image(fapl, const_cast<char*>(bytes.data()), bytes.size());
  const hid_t f = H5Fopen(name.c_str(), H5F_ACC_RDONLY, fapl);
  H5Pclose(fapl);
  return f;
}

// Reads every dataset `info` lists from the open file, in the file's own element type.
inline Snapshot read_snapshot(hid_t file, const CheckpointInfo& info) {
  Snapshot s;
  s.learner_type = info.learner_type;
  s.params = info.params;
  for (const auto& d : info.datasets) {
    Snapshot::Dataset out;
    out.type = d.type;
    out.shape = d.shape;
    const hid_t ds = H5Dopen2(file, d.path.c_str(), H5P_DEFAULT);
    EXPECT_GE(ds, 0) << d.path;
    if (ds < 0) continue;
    const hid_t type = H5Dget_type(ds);
    const hid_t space = H5Dget_space(ds);
    const auto n = std::size_t(H5Sget_simple_extent_npoints(space));
    out.bytes.resize(n * H5Tget_size(type));
    if (n > 0) {
      EXPECT_GE(H5Dread(ds, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, out.bytes.data()), 0) << d.path;
    }
    H5Sclose(space);
    H5Tclose(type);
    H5Dclose(ds);
    s.datasets[d.path] = std::move(out);
  }
  return s;
}

}  // namespace detail

inline Snapshot snapshot_of_file(const std::string& path) {
  const CheckpointInfo info = describe_checkpoint_file(path);
  const hid_t f = H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  EXPECT_GE(f, 0) << path;
  Snapshot s = detail::read_snapshot(f, info);
  H5Fclose(f);
  return s;
}

inline Snapshot snapshot_of_bytes(const std::vector<char>& bytes) {
  const CheckpointInfo info = describe_checkpoint_bytes(bytes.data(), bytes.size());
  const hid_t f = detail::open_image(bytes);
  EXPECT_GE(f, 0);
  Snapshot s = detail::read_snapshot(f, info);
  H5Fclose(f);
  return s;
}

// The state an object would save now.
inline Snapshot snapshot(const Stateful& model) { return snapshot_of_bytes(checkpoint_bytes(model)); }

inline std::vector<char> read_bytes(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::vector<char>(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

inline void write_bytes(const std::filesystem::path& path, const std::vector<char>& bytes) {
  std::ofstream(path, std::ios::binary | std::ios::trunc).write(bytes.data(), std::streamsize(bytes.size()));
}

// Fletcher-32 as HDF5 computes it (H5_checksum_fletcher32 in H5checksum.c: 16-bit big-endian
// words, both sums folded after every 360 words), written plainly here as the test's own oracle.
inline std::uint32_t fletcher32(const unsigned char* data, std::size_t size) {
  std::uint32_t sum1 = 0, sum2 = 0;
  const auto fold = [](std::uint32_t v) { return (v & 0xffff) + (v >> 16); };
  for (std::size_t words = size / 2; words > 0;) {
    const std::size_t block = std::min<std::size_t>(words, 360);
    words -= block;
    for (std::size_t i = 0; i < block; ++i, data += 2) {
      sum1 += (std::uint32_t(data[0]) << 8) | data[1];
      sum2 += sum1;
    }
    sum1 = fold(sum1);
    sum2 = fold(sum2);
  }
  if (size % 2) {
    sum1 += std::uint32_t(*data) << 8;
    sum2 += sum1;
    sum1 = fold(sum1);
    sum2 = fold(sum2);
  }
  return (fold(sum2) << 16) | fold(sum1);
}

// A checkpoint file starts with a 512-byte user block (core/checkpoint_file.h) holding text
// lines "streamml checkpoint", then "key value" lines, among them the length and Fletcher-32
// checksum of the HDF5 part after the block. After a file was edited through HDF5 this rewrites
// that seal, as a writer that knows the format would, so the edit reaches the loader's own
// checks instead of being refused as damage. Other lines are kept, or replaced by `set`
// ({"format", "2"}). Files without the seal are left alone.
inline void reseal(const std::filesystem::path& path, const std::map<std::string, std::string>& set = {}) {
  constexpr std::size_t kBlock = 512;
  const std::string magic = "streamml checkpoint\n";
  std::vector<char> bytes = read_bytes(path);
  if (bytes.size() < kBlock || std::memcmp(bytes.data(), magic.data(), magic.size()) != 0) return;
  const std::size_t body = bytes.size() - kBlock;
  char sum[16];
  std::snprintf(sum, sizeof sum, "%08x", unsigned(fletcher32(reinterpret_cast<const unsigned char*>(bytes.data()) + kBlock, body)));
  std::map<std::string, std::string> values = set;
  values.emplace("length", std::to_string(body));
  values.emplace("fletcher32", sum);
  std::istringstream old(std::string(bytes.data() + magic.size(), strnlen(bytes.data() + magic.size(), kBlock - magic.size())));
  std::string text = magic;
  for (std::string line; std::getline(old, line);) {
    const std::string key = line.substr(0, line.find(' '));
    text += values.count(key) ? key + " " + values.at(key) : line;
    text += "\n";
  }
  EXPECT_LT(text.size(), kBlock);
  std::fill(bytes.begin(), bytes.begin() + kBlock, '\0');
  std::copy(text.begin(), text.end(), bytes.begin());
  write_bytes(path, bytes);
}

// Opens an existing checkpoint read-write, hands its root group to `edit`, then reseals it.
inline void doctor(const std::filesystem::path& path, const std::function<void(hid_t root)>& edit) {
  const hid_t f = H5Fopen(path.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
  ASSERT_GE(f, 0) << path;
  edit(f);
  ASSERT_GE(H5Fclose(f), 0) << path;
  reseal(path);
}

// Replaces a root attribute by an int64 or a fixed-length string one.
inline void set_attribute(hid_t root, const char* name, std::int64_t value) {
  if (H5Aexists(root, name) > 0) {
    ASSERT_GE(H5Adelete(root, name), 0) << name;
  }
  const hid_t space = H5Screate(H5S_SCALAR);
  const hid_t attr = H5Acreate2(root, name, H5T_STD_I64LE, space, H5P_DEFAULT, H5P_DEFAULT);
  ASSERT_GE(attr, 0) << name;
  ASSERT_GE(H5Awrite(attr, H5T_NATIVE_INT64, &value), 0) << name;
  H5Aclose(attr);
  H5Sclose(space);
}

inline void set_attribute(hid_t root, const char* name, const std::string& value) {
  if (H5Aexists(root, name) > 0) {
    ASSERT_GE(H5Adelete(root, name), 0) << name;
  }
  const hid_t type = H5Tcopy(H5T_C_S1);
  H5Tset_size(type, value.empty() ? 1 : value.size());
  H5Tset_strpad(type, H5T_STR_NULLPAD);
  H5Tset_cset(type, H5T_CSET_UTF8);
  const hid_t space = H5Screate(H5S_SCALAR);
  const hid_t attr = H5Acreate2(root, name, type, space, H5P_DEFAULT, H5P_DEFAULT);
  ASSERT_GE(attr, 0) << name;
  std::string padded = value;
  padded.resize(value.empty() ? 1 : value.size(), '\0');
  ASSERT_GE(H5Awrite(attr, type, padded.data()), 0) << name;
  H5Aclose(attr);
  H5Sclose(space);
  H5Tclose(type);
}

// Replaces dataset `path` by one of the same element type with the given shape, filled with
// `fill` (bytes repeated as one element; zeros when empty).
inline void replace_dataset(hid_t root, const std::string& path, const std::vector<hsize_t>& shape,
                            const std::vector<char>& fill = {}) {
  const hid_t old = H5Dopen2(root, path.c_str(), H5P_DEFAULT);
  ASSERT_GE(old, 0) << path;
  const hid_t type = H5Dget_type(old);
  H5Dclose(old);
  ASSERT_GE(H5Ldelete(root, path.c_str(), H5P_DEFAULT), 0) << path;
  const hid_t space = shape.empty() ? H5Screate(H5S_SCALAR) : H5Screate_simple(int(shape.size()), shape.data(), nullptr);
  const hid_t ds = H5Dcreate2(root, path.c_str(), type, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  ASSERT_GE(ds, 0) << path;
  const std::size_t element = H5Tget_size(type);
  std::size_t n = 1;
  for (auto s : shape) n *= std::size_t(s);
  std::vector<char> data(n * element, 0);
  if (!fill.empty())
    for (std::size_t i = 0; i < n; ++i) std::copy(fill.begin(), fill.end(), data.begin() + std::ptrdiff_t(i * element));
  if (n > 0) {
    ASSERT_GE(H5Dwrite(ds, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data.data()), 0) << path;
  }
  H5Dclose(ds);
  H5Sclose(space);
  H5Tclose(type);
}

// The message of the streamml::Error that f throws ("(no error)" if none; any other exception
// is a test failure). Unlike testing::error_of, any kind is accepted.
inline std::string any_error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  } catch (const std::exception& e) {
    ADD_FAILURE() << "not a streamml::Error: " << e.what();
    return std::string("(foreign exception) ") + e.what();
  }
  return "(no error)";
}

}  // namespace streamml::checkpoint_test
