// The checkpoint targets' shared half: an image re-sealed so its user block matches its body.
#pragma once

#include <cstdio>
#include <cstring>
#include <optional>
#include <vector>

#include <hdf5.h>

#include "core/hdf5_io.h"
#include "fuzz/fuzz_input.h"

namespace streamml::fuzz {

// The image with its user block rewritten as the writer writes it (core/checkpoint_file.cpp)
// for the bytes after it; nullopt when it is shorter than a user block or already sealed.
inline std::optional<std::vector<char>> reseal(const std::uint8_t* data, std::size_t size) {
  if (size <= detail::kUserBlockBytes) return std::nullopt;
  std::vector<char> out(data, data + size);
  const std::size_t body = size - detail::kUserBlockBytes;
  char block[detail::kUserBlockBytes] = {};
  std::snprintf(block, sizeof block, "streamml checkpoint\nformat 1\nlength %zu\nfletcher32 %08x\n", body,
                unsigned(detail::checksum(out.data() + detail::kUserBlockBytes, body)));
  if (std::memcmp(block, out.data(), sizeof block) == 0) return std::nullopt;
  std::memcpy(out.data(), block, sizeof block);
  return out;
}

// Property: a load leaves no HDF5 file, group, dataset, datatype or attribute open, whether it
// succeeded or refused the file (an id left open keeps the whole file in memory).
inline void check_nothing_open(const char* what) {
  const ssize_t open = H5Fget_obj_count(H5F_OBJ_ALL, H5F_OBJ_ALL);
  STREAMML_FUZZ_ASSERT(open == 0, "%zd HDF5 object(s) left open after loading %s", open, what);
}

// HDF5 frees its metadata cache (a calloc of about 1 MB per open file) back to the allocator
// when the per-list limit of its free lists is passed, and under ASan every such block is a
// fresh mmap, page faults and a TLB flush: two thirds of a checkpoint target's time. Without
// limits HDF5 keeps the block and reuses it (the loader's code paths are the same).
inline void keep_hdf5_free_lists() {
  static const bool once = [] { return H5set_free_list_limits(-1, -1, -1, -1, -1, -1) >= 0; }();
  (void)once;
}

// Loads the image as given and, re-sealed, again; each time nothing may stay open.
template <class Load>
void load_as_given_and_resealed(const std::uint8_t* data, std::size_t size, Load&& load) {
  keep_hdf5_free_lists();
  expect_refusal_or_success([&] { load(reinterpret_cast<const char*>(data), size); });
  check_nothing_open("the input");
  if (auto sealed = reseal(data, size)) {
    expect_refusal_or_success([&] { load(sealed->data(), sealed->size()); });
    check_nothing_open("the re-sealed input");
  }
}

}  // namespace streamml::fuzz
