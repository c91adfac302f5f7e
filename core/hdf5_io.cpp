// HDF5 through its C API: every call checked, HDF5's own error text carried into the message.
#include "core/hdf5_io.h"

#include <hdf5.h>

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <vector>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "core/error.h"
#include "core/state_io.h"
#include "core/stateful.h"

namespace streamml::detail {

struct H5Object {
  hid_t id = H5I_INVALID_HID;
  bool is_file = false;
  std::shared_ptr<H5Object> parent;  // keeps the file open while a group is in use

  H5Object(hid_t id_, bool file, std::shared_ptr<H5Object> p)
      : id(id_), is_file(file), parent(std::move(p)) {}
  ~H5Object() {
    if (id < 0) return;
    if (is_file) H5Fclose(id);
    else H5Gclose(id);
  }
  H5Object(const H5Object&) = delete;
  H5Object& operator=(const H5Object&) = delete;
};

namespace {

// HDF5 prints its error stack to stderr by default; streamml reports errors itself. The
// setting is per thread in a thread-safe HDF5, so every entry point makes sure of it.
void quiet() {
  thread_local bool done = false;
  if (!done) {
    H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
    done = true;
  }
}

// The innermost messages of HDF5's error stack ("truncated file: eof = 512, ..."), then clears it.
std::string last_error() {
  std::vector<std::string> messages;
  H5Ewalk2(
      H5E_DEFAULT, H5E_WALK_UPWARD,
      [](unsigned, const H5E_error2_t* e, void* data) -> herr_t {
        auto& out = *static_cast<std::vector<std::string>*>(data);
        if (e->desc && *e->desc && out.size() < 2) out.emplace_back(e->desc);
        return 0;
      },
      &messages);
  H5Eclear2(H5E_DEFAULT);
  std::string text;
  for (const auto& m : messages) text += (text.empty() ? "" : "; ") + m;
  return text.empty() ? "unknown HDF5 error" : text;
}

// RAII for the short-lived ids (types, spaces, property lists, datasets, attributes).
class Id {
 public:
  Id(hid_t id, herr_t (*close)(hid_t)) : id_(id), close_(close) {}
  ~Id() {
    if (id_ >= 0) close_(id_);
  }
  Id(const Id&) = delete;
  Id& operator=(const Id&) = delete;
  Id(Id&& o) noexcept : id_(o.id_), close_(o.close_) { o.id_ = H5I_INVALID_HID; }
  operator hid_t() const { return id_; }
  bool ok() const { return id_ >= 0; }

 private:
  hid_t id_;
  herr_t (*close_)(hid_t);
};

Id checked(hid_t id, herr_t (*close)(hid_t), ErrorKind kind, const std::string& what) {
  if (id < 0) throw Error(kind, what + ": " + last_error());
  return Id(id, close);
}

void check(herr_t status, ErrorKind kind, const std::string& what) {
  if (status < 0) throw Error(kind, what + ": " + last_error());
}

std::string str(std::string_view s) { return std::string(s); }

// Arrays up to this size live in the (checksummed) object header; larger ones are chunked
// with a Fletcher-32 checksum per chunk.
constexpr std::size_t kCompactBytes = 16 * 1024;
constexpr std::size_t kChunkBytes = 1 << 20;

// Groups keep their links in their (checksummed) object header however many there are,
// instead of moving them to a fractal heap and B-tree past 8 (HDF5's default): fewer
// structures for a damaged file to lie about, and a second guard against the dense-link
// parsing fault of HDFGroup/hdf5#5375 besides the user block's checksum. A group of a
// checkpoint has a few dozen links at most, far from the 64 KiB object header limit.
void keep_links_compact(hid_t group_or_file_creation) {
  check(H5Pset_link_phase_change(group_or_file_creation, /*max_compact=*/65535, /*min_dense=*/65535),
        ErrorKind::Runtime, "H5Pset_link_phase_change");
}

Id group_creation() {
  Id gcpl = checked(H5Pcreate(H5P_GROUP_CREATE), H5Pclose, ErrorKind::Runtime, "H5Pcreate");
  keep_links_compact(gcpl);
  return gcpl;
}

// The link creation list that makes "a/b/c" create the groups a and a/b as needed.
Id intermediate_groups() {
  Id lcpl = checked(H5Pcreate(H5P_LINK_CREATE), H5Pclose, ErrorKind::Runtime, "H5Pcreate");
  check(H5Pset_create_intermediate_group(lcpl, 1), ErrorKind::Runtime, "H5Pset_create_intermediate_group");
  return lcpl;
}

// Fletcher-32 exactly as HDF5's filter computes it (H5_checksum_fletcher32 in H5checksum.c:
// 16-bit big-endian words, both sums folded to 17 bits after every 360 words and once more at
// the end), bit for bit, but at memory speed: HDF5's loop is scalar (~3 GB/s, a third of a
// 10^7-parameter save or load). Within a block of k words w_0..w_{k-1} the sequential
// recurrence (sum1 += w_i; sum2 += sum1) gives
//   sum1 += sum_i w_i,   sum2 += k sum1 + sum_i (k - i) w_i,
// which is computed in 8 lanes (word i in lane i % 8, round m = i / 8): with a_l = the lane's
// sum and t_l = the lane's sum of running sums, sum_i (k - i) w_i = 8 sum_l t_l - sum_l l a_l
// when k is a multiple of 8 (the words of a block's tail are added one by one). All sums are
// taken modulo 2^32, as HDF5's uint32 arithmetic is, so the result is identical.
// With `copy_to`, the bytes are also copied there, in the same pass where SSE2 is available.
// fletcher32_add adds bytes to the two sums; bytes may come in pieces as long as every piece but
// the last is a whole number of 360-word blocks (Fletcher32::kPieceBytes), so the blocks, and
// the folds after each, fall where they fall for the bytes in one piece.
inline std::uint32_t fold16(std::uint32_t s) { return (s & 0xffff) + (s >> 16); }

void fletcher32_add(std::uint32_t& sum1, std::uint32_t& sum2, const unsigned char* data, std::size_t size,
                    unsigned char* copy_to = nullptr) {
  constexpr std::size_t kLanes = 8;
#if !defined(__SSE2__)
  if (copy_to) std::memcpy(copy_to, data, size);
  copy_to = nullptr;
#endif
  const unsigned char* const begin = data;
  std::size_t words = size / 2;
  const auto fold = fold16;
  while (words > 0) {
    const std::size_t k = std::min<std::size_t>(words, 360);
    words -= k;
    const std::size_t rounds = k / kLanes;
    std::uint32_t a[kLanes] = {}, t[kLanes] = {};
#if defined(__SSE2__)
    __m128i a0 = _mm_setzero_si128(), a1 = a0, t0 = a0, t1 = a0;
    const __m128i zero = _mm_setzero_si128();
    for (std::size_t m = 0; m < rounds; ++m, data += 2 * kLanes) {
      __m128i x = _mm_loadu_si128(reinterpret_cast<const __m128i*>(data));
      if (copy_to) _mm_storeu_si128(reinterpret_cast<__m128i*>(copy_to + (data - begin)), x);
      x = _mm_or_si128(_mm_slli_epi16(x, 8), _mm_srli_epi16(x, 8));  // big-endian words
      a0 = _mm_add_epi32(a0, _mm_unpacklo_epi16(x, zero));
      a1 = _mm_add_epi32(a1, _mm_unpackhi_epi16(x, zero));
      t0 = _mm_add_epi32(t0, a0);
      t1 = _mm_add_epi32(t1, a1);
    }
    _mm_storeu_si128(reinterpret_cast<__m128i*>(a), a0);
    _mm_storeu_si128(reinterpret_cast<__m128i*>(a + 4), a1);
    _mm_storeu_si128(reinterpret_cast<__m128i*>(t), t0);
    _mm_storeu_si128(reinterpret_cast<__m128i*>(t + 4), t1);
#else
    for (std::size_t m = 0; m < rounds; ++m, data += 2 * kLanes) {
      for (std::size_t l = 0; l < kLanes; ++l) {
        a[l] += (std::uint32_t(data[2 * l]) << 8) | data[2 * l + 1];
        t[l] += a[l];
      }
    }
#endif
    std::uint32_t lane_sum = 0, running_sum = 0, lane_weighted = 0;
    for (std::size_t l = 0; l < kLanes; ++l) {
      lane_sum += a[l];
      running_sum += t[l];
      lane_weighted += std::uint32_t(l) * a[l];
    }
    const std::uint32_t done = std::uint32_t(rounds * kLanes);
    sum2 += done * sum1 + std::uint32_t(kLanes) * running_sum - lane_weighted;
    sum1 += lane_sum;
    for (std::size_t i = done; i < k; ++i, data += 2) {
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
  // The bytes the vector loop did not copy: each block's tail words and an odd last byte.
  if (copy_to) {
    const std::size_t blocks = size / 720;  // whole 360-word blocks; 360 is a multiple of 8
    for (std::size_t b = 0; b <= blocks; ++b) {
      const std::size_t block_start = b * 720;
      if (block_start >= size) break;
      const std::size_t block_bytes = std::min<std::size_t>(720, size - block_start);
      const std::size_t copied = (block_bytes / 2) / kLanes * kLanes * 2;
      std::memcpy(copy_to + block_start + copied, begin + block_start + copied, block_bytes - copied);
    }
  }
}

std::uint32_t fletcher32_value(std::uint32_t sum1, std::uint32_t sum2) {
  return (fold16(sum2) << 16) | fold16(sum1);
}

std::uint32_t fletcher32(const unsigned char* data, std::size_t size, unsigned char* copy_to = nullptr) {
  std::uint32_t sum1 = 0, sum2 = 0;
  fletcher32_add(sum1, sum2, data, size, copy_to);
  return fletcher32_value(sum1, sum2);
}

// The Fletcher-32 filter stores a chunk as its bytes followed by their checksum, little-endian.
constexpr std::size_t kChecksumBytes = 4;

void put_le32(unsigned char* out, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) out[i] = static_cast<unsigned char>(v >> (8 * i));
}

std::uint32_t get_le32(const unsigned char* in) {
  return std::uint32_t(in[0]) | std::uint32_t(in[1]) << 8 | std::uint32_t(in[2]) << 16 | std::uint32_t(in[3]) << 24;
}

// Chunks are whole rows (chunk[1] == dims[1] for matrices), so chunk i is bytes
// [i * chunk_bytes, (i + 1) * chunk_bytes) of the row-major array; the last one may be short.
struct ChunkGrid {
  hsize_t rows_per_chunk = 0;
  std::size_t chunk_bytes = 0;  // without the checksum
  std::size_t total_bytes = 0;
  std::size_t chunks = 0;
};

ChunkGrid chunk_grid(int rank, const hsize_t* dims, const hsize_t* chunk, std::size_t element_size) {
  ChunkGrid g;
  const std::size_t row_elements = rank == 2 ? std::size_t(dims[1]) : 1;
  g.rows_per_chunk = chunk[0];
  g.chunk_bytes = std::size_t(chunk[0]) * row_elements * element_size;
  g.total_bytes = std::size_t(dims[0]) * row_elements * element_size;
  g.chunks = std::size_t((dims[0] + chunk[0] - 1) / chunk[0]);
  return g;
}

// Writes a chunked Fletcher-32 dataset chunk by chunk with H5Dwrite_chunk, the checksum
// computed by fletcher32 above: the same bytes in the file as H5Dwrite makes (the short last
// chunk padded with the fill value, 0, as HDF5 pads it), without HDF5's scalar checksum and
// its two copies of every chunk. Only when no type conversion is needed (the memory type is
// the file type: always, on little-endian machines); returns false otherwise.
bool write_chunks_directly(hid_t ds, hid_t file_type, hid_t mem_type, int rank, const hsize_t* dims,
                           const hsize_t* chunk, std::size_t element_size, const void* data, const std::string& name) {
#if H5_VERSION_GE(1, 10, 3)
  if (H5Tequal(file_type, mem_type) <= 0) {
    H5Eclear2(H5E_DEFAULT);
    return false;
  }
  const ChunkGrid g = chunk_grid(rank, dims, chunk, element_size);
  const auto* src = static_cast<const unsigned char*>(data);
  std::vector<unsigned char> buffer(g.chunk_bytes + kChecksumBytes);
  for (std::size_t i = 0; i < g.chunks; ++i) {
    const std::size_t start = i * g.chunk_bytes;
    const std::size_t valid = std::min(g.chunk_bytes, g.total_bytes - start);
    std::uint32_t sum = 0;
    if (valid == g.chunk_bytes) {
      sum = fletcher32(src + start, g.chunk_bytes, buffer.data());  // copies as it sums
    } else {
      std::memcpy(buffer.data(), src + start, valid);
      std::memset(buffer.data() + valid, 0, g.chunk_bytes - valid);
      sum = fletcher32(buffer.data(), g.chunk_bytes);
    }
    put_le32(buffer.data() + g.chunk_bytes, sum);
    const hsize_t offset[2] = {hsize_t(i) * g.rows_per_chunk, 0};
    check(H5Dwrite_chunk(ds, H5P_DEFAULT, /*filters applied: all*/ 0, offset, buffer.size(), buffer.data()),
          ErrorKind::Io, "writing dataset '" + name + "'");
  }
  return true;
#else
  (void)ds, (void)file_type, (void)mem_type, (void)rank, (void)dims, (void)chunk, (void)element_size, (void)data,
      (void)name;
  return false;
#endif
}

// Creates and fills one dataset of `rank` <= 2 dimensions.
void write_dataset(hid_t loc, std::string_view name, hid_t file_type, hid_t mem_type,
                   std::size_t element_size, int rank, const hsize_t* dims, const void* data) {
  quiet();
  const std::string n = str(name);
  std::size_t count = 1;
  for (int i = 0; i < rank; ++i) count *= dims[i];
  const std::size_t bytes = count * element_size;
  Id space = checked(rank == 0 ? H5Screate(H5S_SCALAR) : H5Screate_simple(rank, dims, nullptr),
                     H5Sclose, ErrorKind::Runtime, "creating the dataspace of '" + n + "'");
  Id dcpl = checked(H5Pcreate(H5P_DATASET_CREATE), H5Pclose, ErrorKind::Runtime, "H5Pcreate");
  const bool chunked = count > 0 && bytes > kCompactBytes;
  hsize_t chunk[2] = {1, 1};
  if (count == 0) {
    // Nothing to protect; contiguous storage of no bytes.
  } else if (!chunked) {
    check(H5Pset_layout(dcpl, H5D_COMPACT), ErrorKind::Runtime, "H5Pset_layout");
  } else {
    // Rows per chunk: as many as fit in kChunkBytes, then evened out over the chunks needed, so
    // the last chunk is as full as the others (HDF5 stores every chunk whole: 262,151 doubles
    // in 1 MiB chunks would take 3 MiB on disk for 2 MiB of values).
    const hsize_t row_bytes = (rank == 1 ? 1 : dims[1]) * element_size;
    const hsize_t max_rows = std::max<hsize_t>(1, kChunkBytes / std::max<hsize_t>(row_bytes, 1));
    const hsize_t chunks = (dims[0] + max_rows - 1) / max_rows;
    chunk[0] = std::max<hsize_t>(1, (dims[0] + chunks - 1) / chunks);
    if (rank == 2) chunk[1] = dims[1];
    check(H5Pset_chunk(dcpl, rank, chunk), ErrorKind::Runtime, "H5Pset_chunk");
    check(H5Pset_fletcher32(dcpl), ErrorKind::Runtime, "H5Pset_fletcher32");
  }
  Id lcpl = intermediate_groups();
  Id ds = checked(H5Dcreate2(loc, n.c_str(), file_type, space, lcpl, dcpl, H5P_DEFAULT), H5Dclose,
                  ErrorKind::Io, "creating dataset '" + n + "'");
  if (count == 0) return;
  if (chunked && write_chunks_directly(ds, file_type, mem_type, rank, dims, chunk, element_size, data, n)) return;
  check(H5Dwrite(ds, mem_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data), ErrorKind::Io, "writing dataset '" + n + "'");
}

// A fixed-length UTF-8 string type holding `size` bytes (at least 1: HDF5 has no empty type).
Id string_type(std::size_t size) {
  Id type = checked(H5Tcopy(H5T_C_S1), H5Tclose, ErrorKind::Runtime, "H5Tcopy");
  check(H5Tset_size(type, std::max<std::size_t>(size, 1)), ErrorKind::Runtime, "H5Tset_size");
  check(H5Tset_strpad(type, H5T_STR_NULLPAD), ErrorKind::Runtime, "H5Tset_strpad");
  check(H5Tset_cset(type, H5T_CSET_UTF8), ErrorKind::Runtime, "H5Tset_cset");
  return type;
}

std::string type_name(hid_t type) {
  const auto cls = H5Tget_class(type);
  const std::size_t size = H5Tget_size(type);
  if (cls == H5T_FLOAT) return "float" + std::to_string(8 * size);
  if (cls == H5T_INTEGER)
    return (H5Tget_sign(type) == H5T_SGN_NONE ? "uint" : "int") + std::to_string(8 * size);
  if (cls == H5T_STRING) return "string";
  return "other";
}

// True when every group on the path to `name` and the link itself exist.
bool link_exists(hid_t loc, std::string_view name) {
  quiet();
  std::size_t pos = 0;
  while (true) {
    const std::size_t slash = name.find('/', pos);
    const std::string prefix = str(name.substr(0, slash));
    const htri_t e = H5Lexists(loc, prefix.c_str(), H5P_DEFAULT);
    if (e <= 0) {
      H5Eclear2(H5E_DEFAULT);
      return false;
    }
    if (slash == std::string_view::npos) return true;
    pos = slash + 1;
  }
}

Id open_attr(H5Object& object, std::string_view name, const std::string& file) {
  quiet();
  const std::string n = str(name);
  const htri_t exists = H5Aexists(object.id, n.c_str());
  STREAMML_CHECK(exists > 0, InvalidInput,
                 file << ": attribute '" << n << "' is missing; not a streamml checkpoint, or damaged");
  return checked(H5Aopen(object.id, n.c_str(), H5P_DEFAULT), H5Aclose, ErrorKind::InvalidInput,
                 file + ": cannot open attribute '" + n + "'");
}

// in_memory_increment > 0: a file in memory (HDF5's core driver), grown by that many bytes.
Id file_access(std::size_t in_memory_increment = 0) {
  Id fapl = checked(H5Pcreate(H5P_FILE_ACCESS), H5Pclose, ErrorKind::Runtime, "H5Pcreate");
  // Checksummed superblock, object headers and chunks need the 1.10 format.
  check(H5Pset_libver_bounds(fapl, H5F_LIBVER_V110, H5F_LIBVER_V110), ErrorKind::Runtime,
        "H5Pset_libver_bounds");
  check(H5Pset_fclose_degree(fapl, H5F_CLOSE_STRONG), ErrorKind::Runtime, "H5Pset_fclose_degree");
  if (in_memory_increment > 0)
    check(H5Pset_fapl_core(fapl, in_memory_increment, /*backing_store=*/0), ErrorKind::Runtime, "H5Pset_fapl_core");
  return fapl;
}

// Bob Jenkins' lookup3 hashlittle with initval 0: HDF5's metadata checksum
// (H5_checksum_metadata in H5checksum.c), byte order independent as HDF5 computes it.
std::uint32_t metadata_checksum(const unsigned char* k, std::size_t length) {
  const auto rot = [](std::uint32_t x, int r) { return (x << r) | (x >> (32 - r)); };
  const auto word = [](const unsigned char* p, std::size_t n) {  // up to 4 bytes, little-endian
    std::uint32_t w = 0;
    for (std::size_t i = 0; i < n && i < 4; ++i) w |= std::uint32_t(p[i]) << (8 * i);
    return w;
  };
  std::uint32_t a, b, c;
  a = b = c = 0xdeadbeef + std::uint32_t(length);
  for (; length > 12; length -= 12, k += 12) {
    a += word(k, 4);
    b += word(k + 4, 4);
    c += word(k + 8, 4);
    a -= c; a ^= rot(c, 4);  c += b;
    b -= a; b ^= rot(a, 6);  a += c;
    c -= b; c ^= rot(b, 8);  b += a;
    a -= c; a ^= rot(c, 16); c += b;
    b -= a; b ^= rot(a, 19); a += c;
    c -= b; c ^= rot(b, 4);  b += a;
  }
  if (length == 0) return c;
  a += word(k, length);
  if (length > 4) b += word(k + 4, length - 4);
  if (length > 8) c += word(k + 8, length - 8);
  c ^= b; c -= rot(b, 14);
  a ^= c; a -= rot(c, 11);
  b ^= a; b -= rot(a, 25);
  c ^= b; c -= rot(b, 16);
  a ^= c; a -= rot(c, 4);
  b ^= a; b -= rot(a, 14);
  c ^= b; c -= rot(b, 24);
  return c;
}

// H5Fget_file_image clears the superblock's status flags (file open for writing) in the image
// but not the checksum that covers them (HDFGroup/hdf5#1915, fixed upstream in 2025 by #5489),
// so HDF5 1.10.8 (Debian's) refuses its own image: "incorrect metadata checksum". The
// superblock of version 2 or 3 (the 1.10 format's) is signature (8), version, size of offsets,
// size of lengths, flags (1 each), 4 addresses of `size of offsets` bytes, then the checksum
// of all that; it is recomputed here (a no-op where HDF5 already did it).
void fix_superblock_checksum(unsigned char* bytes, std::size_t size) {
  // The image starts with the superblock (HDF5 1.10 leaves the user block out of it).
  if (size < 12 || std::memcmp(bytes, "\x89HDF\r\n\x1a\n", 8) != 0 || (bytes[8] != 2 && bytes[8] != 3)) return;
  const std::size_t covered = 12 + 4 * std::size_t(bytes[9]);
  if (size < covered + 4) return;
  const std::uint32_t sum = metadata_checksum(bytes, covered);
  for (int i = 0; i < 4; ++i) bytes[covered + std::size_t(i)] = static_cast<unsigned char>(sum >> (8 * i));
}

}  // namespace

std::uint32_t checksum(const void* data, std::size_t size) {
  return fletcher32(static_cast<const unsigned char*>(data), size);
}

void Fletcher32::add(const void* data, std::size_t size) {
  fletcher32_add(sum1_, sum2_, static_cast<const unsigned char*>(data), size);
}

std::uint32_t Fletcher32::value() const { return fletcher32_value(sum1_, sum2_); }

namespace {
// Every file starts with a user block, which HDF5 leaves to its user (h5py and HDFView skip
// it): checkpoint_file.cpp keeps the whole file's length and checksum there.
Id file_creation() {
  Id fcpl = checked(H5Pcreate(H5P_FILE_CREATE), H5Pclose, ErrorKind::Runtime, "H5Pcreate");
  check(H5Pset_userblock(fcpl, kUserBlockBytes), ErrorKind::Runtime, "H5Pset_userblock");
  keep_links_compact(fcpl);  // the root group's links
  return fcpl;
}
}  // namespace

std::shared_ptr<H5Object> h5_create(const std::string& path) {
  quiet();
  Id fapl = file_access();
  Id fcpl = file_creation();
  const hid_t f = H5Fcreate(path.c_str(), H5F_ACC_TRUNC, fcpl, fapl);
  if (f < 0) throw Error(ErrorKind::Io, "cannot create '" + path + "': " + last_error());
  return std::make_shared<H5Object>(f, true, nullptr);
}

std::shared_ptr<H5Object> h5_open(const std::string& path) {
  quiet();
  FILE* probe = std::fopen(path.c_str(), "rb");
  if (!probe) throw Error(ErrorKind::Io, "cannot open '" + path + "': " + std::strerror(errno));
  std::fclose(probe);
  const htri_t is_hdf5 = H5Fis_hdf5(path.c_str());
  if (is_hdf5 <= 0) {
    H5Eclear2(H5E_DEFAULT);
    throw Error(ErrorKind::InvalidInput, path + ": not an HDF5 file (no HDF5 signature)");
  }
  Id fapl = file_access();
  const hid_t f = H5Fopen(path.c_str(), H5F_ACC_RDONLY, fapl);
  if (f < 0)
    throw Error(ErrorKind::InvalidInput, path + ": damaged HDF5 file (" + last_error() + ")");
  return std::make_shared<H5Object>(f, true, nullptr);
}

namespace {
// The name HDF5 is given for a file held in memory. The core driver without a backing store
// never touches the disk, but HDF5 still identifies open files by name: two images open under
// one name at once (two threads pickling) would be taken for one file, and a file of that name
// in the working directory must never be read instead of the image. So every image gets a
// name of its own, under /dev/null, where no file can exist (it is not a directory).
std::string image_name() {
  static std::atomic<std::uint64_t> counter{0};
  return "/dev/null/streamml-image-" + std::to_string(::getpid()) + "-" + std::to_string(counter++) + ".h5";
}

// The memory of in-memory files this thread creates, kept from one file to the next. HDF5's
// core driver would otherwise malloc, zero and free a new buffer for every file: on a virtual
// machine touching fresh pages costs ~12 us per 4 KiB, which made encoding a 6 MB checkpoint
// take 40-100 ms instead of 3 ms. One buffer per thread; a second file open at once on the
// same thread (none is, today) gets plain malloc'd memory.
struct ImageArena {
  void* block = nullptr;
  std::size_t capacity = 0;
  bool in_use = false;
  ~ImageArena() { std::free(block); }
};

void* arena_realloc(void* ptr, std::size_t size, H5FD_file_image_op_t, void* udata) {
  auto& arena = *static_cast<ImageArena*>(udata);
  if (ptr == nullptr && arena.in_use) return std::malloc(size);
  if (ptr != nullptr && ptr != arena.block) return std::realloc(ptr, size);
  if (size > arena.capacity) {
    void* grown = std::realloc(arena.block, size);
    if (!grown) return nullptr;
    arena.block = grown;
    arena.capacity = size;
  }
  arena.in_use = true;
  return arena.block;
}

void* arena_malloc(std::size_t size, H5FD_file_image_op_t op, void* udata) {
  return arena_realloc(nullptr, size, op, udata);
}

herr_t arena_free(void* ptr, H5FD_file_image_op_t, void* udata) {
  auto& arena = *static_cast<ImageArena*>(udata);
  if (ptr == arena.block) arena.in_use = false;
  else std::free(ptr);
  return 0;
}

void* arena_udata_copy(void* udata) { return udata; }  // the fapl's copies share the arena
herr_t arena_udata_free(void*) { return 0; }

}  // namespace

std::shared_ptr<H5Object> h5_create_in_memory(std::size_t expected_bytes) {
  quiet();
  // Room for the expected bytes and HDF5's metadata, in whole megabytes.
  constexpr std::size_t kMiB = std::size_t(1) << 20;
  const std::size_t increment = (expected_bytes + expected_bytes / 16 + 2 * kMiB - 1) / kMiB * kMiB;
  Id fapl = file_access(increment);
  thread_local ImageArena arena;
  H5FD_file_image_callbacks_t callbacks{arena_malloc, nullptr, arena_realloc, arena_free,
                                        arena_udata_copy, arena_udata_free, &arena};
  check(H5Pset_file_image_callbacks(fapl, &callbacks), ErrorKind::Runtime, "H5Pset_file_image_callbacks");
  Id fcpl = file_creation();
  const hid_t f = H5Fcreate(image_name().c_str(), H5F_ACC_TRUNC, fcpl, fapl);
  if (f < 0) throw Error(ErrorKind::Runtime, "cannot create an in-memory HDF5 file: " + last_error());
  return std::make_shared<H5Object>(f, true, nullptr);
}

std::shared_ptr<H5Object> h5_open_in_memory(const void* data, std::size_t size, const std::string& name) {
  quiet();
  // A checkpoint's bytes start with the user block, which HDF5's file images leave out.
  const auto* bytes = static_cast<const char*>(data);
  STREAMML_CHECK(size >= kUserBlockBytes + 8 && std::memcmp(bytes + kUserBlockBytes, "\x89HDF\r\n\x1a\n", 8) == 0,
                 InvalidInput, name << ": not an HDF5 image (" << size << " bytes without the HDF5 signature)");
  Id fapl = file_access(std::size_t(1) << 20);
  check(H5Pset_file_image(fapl, const_cast<char*>(bytes + kUserBlockBytes), size - kUserBlockBytes),
        ErrorKind::Runtime, "H5Pset_file_image");
  const hid_t f = H5Fopen(image_name().c_str(), H5F_ACC_RDONLY, fapl);
  if (f < 0) throw Error(ErrorKind::InvalidInput, name + ": damaged HDF5 image (" + last_error() + ")");
  return std::make_shared<H5Object>(f, true, nullptr);
}

void h5_file_image(H5Object& file, std::vector<char>& out, std::size_t at) {
  quiet();
  check(H5Fflush(file.id, H5F_SCOPE_GLOBAL), ErrorKind::Runtime, "flushing an in-memory HDF5 file");
  const ssize_t size = H5Fget_file_image(file.id, nullptr, 0);
  if (size < 0) throw Error(ErrorKind::Runtime, "H5Fget_file_image: " + last_error());
  out.resize(at + static_cast<std::size_t>(size));
  if (H5Fget_file_image(file.id, out.data() + at, std::size_t(size)) != size)
    throw Error(ErrorKind::Runtime, "H5Fget_file_image: " + last_error());
  fix_superblock_checksum(reinterpret_cast<unsigned char*>(out.data() + at), std::size_t(size));
}

void h5_close(H5Object& file, const std::string& path) {
  quiet();
  if (file.id < 0) return;
  const hid_t id = file.id;
  file.id = H5I_INVALID_HID;
  check(H5Fclose(id), ErrorKind::Io, "closing '" + path + "'");
}

void h5_write_attr(H5Object& object, std::string_view name, std::string_view text) {
  quiet();
  const std::string n = str(name);
  Id type = string_type(text.size());
  Id space = checked(H5Screate(H5S_SCALAR), H5Sclose, ErrorKind::Runtime, "H5Screate");
  Id attr = checked(H5Acreate2(object.id, n.c_str(), type, space, H5P_DEFAULT, H5P_DEFAULT),
                    H5Aclose, ErrorKind::Io, "creating attribute '" + n + "'");
  std::string padded(text);
  padded.resize(std::max<std::size_t>(text.size(), 1), '\0');
  check(H5Awrite(attr, type, padded.data()), ErrorKind::Io, "writing attribute '" + n + "'");
}

void h5_write_attr(H5Object& object, std::string_view name, std::int64_t value) {
  quiet();
  const std::string n = str(name);
  Id space = checked(H5Screate(H5S_SCALAR), H5Sclose, ErrorKind::Runtime, "H5Screate");
  Id attr = checked(H5Acreate2(object.id, n.c_str(), H5T_STD_I64LE, space, H5P_DEFAULT, H5P_DEFAULT),
                    H5Aclose, ErrorKind::Io, "creating attribute '" + n + "'");
  check(H5Awrite(attr, H5T_NATIVE_INT64, &value), ErrorKind::Io, "writing attribute '" + n + "'");
}

bool h5_has_attr(H5Object& object, std::string_view name) {
  quiet();
  const htri_t e = H5Aexists(object.id, str(name).c_str());
  if (e < 0) H5Eclear2(H5E_DEFAULT);
  return e > 0;
}

std::string h5_read_attr_string(H5Object& object, std::string_view name, const std::string& file) {
  Id attr = open_attr(object, name, file);
  Id type = checked(H5Aget_type(attr), H5Tclose, ErrorKind::InvalidInput, file + ": attribute type");
  STREAMML_CHECK(H5Tget_class(type) == H5T_STRING && H5Tis_variable_str(type) == 0, InvalidInput,
                 file << ": attribute '" << name << "' should be a fixed-length string, is "
                      << type_name(type));
  Id space = checked(H5Aget_space(attr), H5Sclose, ErrorKind::InvalidInput, file + ": attribute space");
  STREAMML_CHECK(H5Sget_simple_extent_type(space) == H5S_SCALAR, InvalidInput,
                 file << ": attribute '" << name << "' should be a scalar");
  const std::size_t size = H5Tget_size(type);
  std::string text(size, '\0');
  Id mem = string_type(size);
  check(H5Aread(attr, mem, text.data()), ErrorKind::InvalidInput,
        file + ": reading attribute '" + str(name) + "'");
  text.resize(std::strlen(text.c_str()));  // null padding
  return text;
}

std::int64_t h5_read_attr_int(H5Object& object, std::string_view name, const std::string& file) {
  Id attr = open_attr(object, name, file);
  Id type = checked(H5Aget_type(attr), H5Tclose, ErrorKind::InvalidInput, file + ": attribute type");
  STREAMML_CHECK(H5Tget_class(type) == H5T_INTEGER, InvalidInput,
                 file << ": attribute '" << name << "' should be an integer, is " << type_name(type));
  Id space = checked(H5Aget_space(attr), H5Sclose, ErrorKind::InvalidInput, file + ": attribute space");
  STREAMML_CHECK(H5Sget_simple_extent_type(space) == H5S_SCALAR, InvalidInput,
                 file << ": attribute '" << name << "' should be a scalar");
  std::int64_t value = 0;
  check(H5Aread(attr, H5T_NATIVE_INT64, &value), ErrorKind::InvalidInput,
        file + ": reading attribute '" + str(name) + "'");
  return value;
}

std::vector<DatasetInfo> h5_list_datasets(H5Object& file, const std::string& name) {
  quiet();
  std::vector<DatasetInfo> out;
  auto visit = [](hid_t loc, const char* name, const H5O_info_t* info, void* data) -> herr_t {
    if (info->type != H5O_TYPE_DATASET) return 0;
    auto& list = *static_cast<std::vector<DatasetInfo>*>(data);
    DatasetInfo d;
    d.path = std::string("/") + name;
    const hid_t ds = H5Dopen2(loc, name, H5P_DEFAULT);
    if (ds < 0) return -1;
    const hid_t type = H5Dget_type(ds);
    const hid_t space = H5Dget_space(ds);
    d.type = type >= 0 ? type_name(type) : "unknown";
    const int rank = space >= 0 ? H5Sget_simple_extent_ndims(space) : 0;
    if (rank > 0) {
      std::vector<hsize_t> dims(std::size_t(rank), 0);
      H5Sget_simple_extent_dims(space, dims.data(), nullptr);
      for (auto v : dims) d.shape.push_back(std::int64_t(v));
    }
    if (space >= 0) H5Sclose(space);
    if (type >= 0) H5Tclose(type);
    H5Dclose(ds);
    list.push_back(std::move(d));
    return 0;
  };
  check(H5Ovisit2(file.id, H5_INDEX_NAME, H5_ITER_INC, visit, &out, H5O_INFO_BASIC), ErrorKind::InvalidInput,
        name + ": damaged: listing its datasets failed");
  return out;
}

namespace {

// Writes each dataset into the file as it comes (layouts: state_io.h).
class H5StateSink : public StateSink {
 public:
  explicit H5StateSink(H5Object& file) : file_(file) {}
  void add(std::string_view name, DatasetKind kind, int rank, std::size_t rows, std::size_t cols,
           const void* data, std::size_t bytes) override {
    quiet();
    const std::string n(name);
    const hsize_t dims[2] = {rows, cols};
    switch (kind) {
      case DatasetKind::Group: {
        Id lcpl = intermediate_groups();
        Id gcpl = group_creation();
        checked(H5Gcreate2(file_.id, n.c_str(), lcpl, gcpl, H5P_DEFAULT), H5Gclose, ErrorKind::Io,
                "creating group '" + n + "'");
        break;
      }
      case DatasetKind::Float64:
        write_dataset(file_.id, n, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, 8, rank, dims, data);
        break;
      case DatasetKind::Int64:
        write_dataset(file_.id, n, H5T_STD_I64LE, H5T_NATIVE_INT64, 8, rank, dims, data);
        break;
      case DatasetKind::UInt8:
        write_dataset(file_.id, n, H5T_STD_U8LE, H5T_NATIVE_UCHAR, 1, rank, dims, data);
        break;
      case DatasetKind::String: {
        // HDF5 has no empty fixed-length string: an empty one is one NUL byte.
        Id type = string_type(bytes);
        const unsigned char nul = 0;
        write_dataset(file_.id, n, type, type, std::max<std::size_t>(bytes, 1), 0, nullptr, bytes ? data : &nul);
        break;
      }
    }
  }

 private:
  H5Object& file_;
};

}  // namespace

void h5_write_state(H5Object& file, const StateSnapshot& state) {
  H5StateSink sink(file);
  state.replay(sink);
}

void h5_save_state(H5Object& file, const Stateful& model) {
  H5StateSink sink(file);
  StateWriter out(sink);
  model.save_state(out);
}

}  // namespace streamml::detail

namespace streamml {

using detail::H5Object;

StateReader::StateReader(std::shared_ptr<H5Object> group, std::string file, std::int64_t state_version)
    : group_(std::move(group)), file_(std::move(file)), state_version_(state_version) {}
StateReader::~StateReader() = default;

std::string StateReader::where(std::string_view name) const {
  detail::quiet();
  char path[512] = "";
  H5Iget_name(group_->id, path, sizeof path);
  std::string prefix = path;
  if (prefix.empty() || prefix.back() != '/') prefix += '/';
  return file_ + ": " + prefix + std::string(name);
}

bool StateReader::has(std::string_view name) const { return detail::link_exists(group_->id, name); }

namespace {

// The element class a reader expects, and how the file's type is checked against it.
enum class Want { Float64, Int64, UInt8, String };

const char* want_name(Want w) {
  switch (w) {
    case Want::Float64: return "float64";
    case Want::Int64: return "int64";
    case Want::UInt8: return "uint8";
    case Want::String: return "string";
  }
  return "?";
}

bool type_fits(hid_t type, Want want) {
  const auto cls = H5Tget_class(type);
  const std::size_t size = H5Tget_size(type);
  switch (want) {
    case Want::Float64: return cls == H5T_FLOAT && size == 8;
    case Want::Int64: return cls == H5T_INTEGER && size == 8 && H5Tget_sign(type) == H5T_SGN_2;
    case Want::UInt8: return cls == H5T_INTEGER && size == 1 && H5Tget_sign(type) == H5T_SGN_NONE;
    case Want::String: return cls == H5T_STRING && H5Tis_variable_str(type) == 0;
  }
  return false;
}

// Opens a dataset and checks its element type and rank; returns its dimensions. Every check
// comes before any allocation sized by the file.
struct OpenDataset {
  hid_t ds = H5I_INVALID_HID;
  std::vector<hsize_t> dims;
  std::size_t count = 1;
  OpenDataset() = default;
  OpenDataset(const OpenDataset&) = delete;
  OpenDataset& operator=(const OpenDataset&) = delete;
  ~OpenDataset() {
    if (ds >= 0) H5Dclose(ds);
  }
};

void open_dataset(const StateReader& r, hid_t loc, std::string_view name, Want want, int rank,
                  OpenDataset& out) {
  detail::quiet();
  STREAMML_CHECK(detail::link_exists(loc, name), InvalidInput,
                 r.where(name) << ": dataset is missing");
  const std::string n = std::string(name);
  out.ds = H5Dopen2(loc, n.c_str(), H5P_DEFAULT);
  const hid_t ds = out.ds;
  if (ds < 0) throw Error(ErrorKind::InvalidInput, r.where(name) + ": cannot open (" + detail::last_error() + ")");
  detail::Id type = detail::checked(H5Dget_type(ds), H5Tclose, ErrorKind::InvalidInput, r.where(name));
  STREAMML_CHECK(type_fits(type, want), InvalidInput,
                 r.where(name) << ": expected " << want_name(want) << ", got " << detail::type_name(type));
  detail::Id space = detail::checked(H5Dget_space(ds), H5Sclose, ErrorKind::InvalidInput, r.where(name));
  const int got_rank = H5Sget_simple_extent_ndims(space);
  STREAMML_CHECK(got_rank == rank, InvalidInput,
                 r.where(name) << ": expected " << rank << " dimension(s), got " << got_rank);
  out.dims.assign(std::size_t(rank), 0);
  if (rank > 0) H5Sget_simple_extent_dims(space, out.dims.data(), nullptr);
  out.count = 1;
  for (auto d : out.dims) out.count *= d;
  // A corrupt shape must not make us allocate more than the file can hold.
  const std::size_t element = want == Want::String ? H5Tget_size(type) : want == Want::UInt8 ? 1 : 8;
  if (out.count > 0) {
    const hsize_t stored = H5Dget_storage_size(ds);
    STREAMML_CHECK(stored >= out.count * element, InvalidInput,
                   r.where(name) << ": shape promises " << out.count * element << " bytes but "
                                 << stored << " are stored");
  }
}

// Reads a dataset that write_dataset chunked (whole-row chunks, Fletcher-32 the only filter,
// no type conversion) chunk by chunk with H5Dread_chunk straight into `buffer`, and checks each
// chunk's checksum with detail::fletcher32: HDF5's own path reads every chunk into a buffer of
// its own, runs its scalar checksum and copies the chunk out, twice the time of the read itself.
// Chunk i is read in place; its checksum lands on the first bytes of chunk i + 1, which is
// checked first and overwritten next (the last chunk goes through a small buffer). Returns false
// whenever anything is not as expected (another layout, other filters, a chunk of another size,
// a checksum that does not match); the caller then reads with H5Dread, which decides, and
// reports corrupt data in HDF5's own words.
bool read_chunks_directly(const OpenDataset& d, hid_t mem_type, void* buffer) {
#if H5_VERSION_GE(1, 10, 3)
  const int rank = int(d.dims.size());
  if (rank < 1 || rank > 2) return false;
  detail::Id type(H5Dget_type(d.ds), H5Tclose);
  detail::Id dcpl(H5Dget_create_plist(d.ds), H5Pclose);
  if (!type.ok() || !dcpl.ok() || H5Tequal(type, mem_type) <= 0 || H5Pget_layout(dcpl) != H5D_CHUNKED ||
      H5Pget_nfilters(dcpl) != 1) {
    H5Eclear2(H5E_DEFAULT);
    return false;
  }
  unsigned flags = 0;
  std::size_t n_values = 0;
  if (H5Pget_filter2(dcpl, 0, &flags, &n_values, nullptr, 0, nullptr, nullptr) != H5Z_FILTER_FLETCHER32) {
    H5Eclear2(H5E_DEFAULT);
    return false;
  }
  hsize_t chunk[2] = {0, 0};
  if (H5Pget_chunk(dcpl, rank, chunk) != rank || chunk[0] == 0 || (rank == 2 && chunk[1] != d.dims[1])) {
    H5Eclear2(H5E_DEFAULT);
    return false;
  }
  const detail::ChunkGrid g = detail::chunk_grid(rank, d.dims.data(), chunk, H5Tget_size(type));
  if (g.chunk_bytes == 0 || g.chunk_bytes > 64 * detail::kChunkBytes) return false;
  auto* out = static_cast<unsigned char*>(buffer);
  std::vector<unsigned char> last;
  for (std::size_t i = 0; i < g.chunks; ++i) {
    const hsize_t offset[2] = {hsize_t(i) * g.rows_per_chunk, 0};
    hsize_t stored = 0;
    if (H5Dget_chunk_storage_size(d.ds, offset, &stored) < 0 || stored != g.chunk_bytes + detail::kChecksumBytes) {
      H5Eclear2(H5E_DEFAULT);
      return false;
    }
    const std::size_t start = i * g.chunk_bytes;
    const bool in_place = start + g.chunk_bytes + detail::kChecksumBytes <= g.total_bytes;
    if (!in_place) last.resize(g.chunk_bytes + detail::kChecksumBytes);
    unsigned char* target = in_place ? out + start : last.data();
    std::uint32_t filters = 0;
    if (H5Dread_chunk(d.ds, H5P_DEFAULT, offset, &filters, target) < 0 || filters != 0 ||
        detail::fletcher32(target, g.chunk_bytes) != detail::get_le32(target + g.chunk_bytes)) {
      H5Eclear2(H5E_DEFAULT);
      return false;
    }
    if (!in_place) std::memcpy(out + start, target, g.total_bytes - start);
  }
  return true;
#else
  (void)d, (void)mem_type, (void)buffer;
  return false;
#endif
}

void read_into(const StateReader& r, const OpenDataset& d, std::string_view name, hid_t mem_type, void* buffer) {
  if (d.count == 0) return;
  if (read_chunks_directly(d, mem_type, buffer)) return;
  if (H5Dread(d.ds, mem_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, buffer) < 0)
    throw Error(ErrorKind::InvalidInput,
                r.where(name) + ": corrupt data (" + detail::last_error() + ")");
}

void check_length(const StateReader& r, std::string_view name, std::size_t got, std::int64_t expected) {
  STREAMML_CHECK(expected < 0 || std::int64_t(got) == expected, InvalidInput,
                 r.where(name) << ": expected " << expected << " values, got " << got);
}

}  // namespace

double StateReader::read_double(std::string_view name) const {
  OpenDataset d;
  open_dataset(*this, group_->id, name, Want::Float64, 0, d);
  double v = 0;
  read_into(*this, d, name, H5T_NATIVE_DOUBLE, &v);
  return v;
}

std::int64_t StateReader::read_int(std::string_view name) const {
  OpenDataset d;
  open_dataset(*this, group_->id, name, Want::Int64, 0, d);
  std::int64_t v = 0;
  read_into(*this, d, name, H5T_NATIVE_INT64, &v);
  return v;
}

bool StateReader::read_bool(std::string_view name) const {
  const std::int64_t v = read_int(name);
  STREAMML_CHECK(v == 0 || v == 1, InvalidInput, where(name) << ": expected 0 or 1, got " << v);
  return v == 1;
}

std::string StateReader::read_string(std::string_view name) const {
  OpenDataset d;
  open_dataset(*this, group_->id, name, Want::String, 0, d);
  detail::Id type = detail::checked(H5Dget_type(d.ds), H5Tclose, ErrorKind::InvalidInput, where(name));
  const std::size_t size = H5Tget_size(type);
  std::string text(size, '\0');
  detail::Id mem = detail::string_type(size);
  read_into(*this, d, name, mem, text.data());
  text.resize(std::strlen(text.c_str()));
  return text;
}

Eigen::VectorXd StateReader::read_vector(std::string_view name, std::int64_t expected) const {
  OpenDataset d;
  open_dataset(*this, group_->id, name, Want::Float64, 1, d);
  check_length(*this, name, d.count, expected);
  Eigen::VectorXd v(Eigen::Index(d.count));
  read_into(*this, d, name, H5T_NATIVE_DOUBLE, v.data());
  return v;
}

std::vector<double> StateReader::read_std_vector(std::string_view name, std::int64_t expected) const {
  const Eigen::VectorXd v = read_vector(name, expected);
  return std::vector<double>(v.data(), v.data() + v.size());
}

std::vector<std::int64_t> StateReader::read_ints(std::string_view name, std::int64_t expected) const {
  OpenDataset d;
  open_dataset(*this, group_->id, name, Want::Int64, 1, d);
  check_length(*this, name, d.count, expected);
  std::vector<std::int64_t> v(d.count);
  read_into(*this, d, name, H5T_NATIVE_INT64, v.data());
  return v;
}

RowMatrix StateReader::read_matrix(std::string_view name, std::int64_t rows, std::int64_t cols) const {
  OpenDataset d;
  open_dataset(*this, group_->id, name, Want::Float64, 2, d);
  STREAMML_CHECK((rows < 0 || std::int64_t(d.dims[0]) == rows) && (cols < 0 || std::int64_t(d.dims[1]) == cols),
                 InvalidInput,
                 where(name) << ": expected shape (" << rows << ", " << cols << "), got (" << d.dims[0]
                             << ", " << d.dims[1] << ")");
  RowMatrix m(Eigen::Index(d.dims[0]), Eigen::Index(d.dims[1]));
  read_into(*this, d, name, H5T_NATIVE_DOUBLE, m.data());
  return m;
}

std::vector<std::string> StateReader::read_strings(std::string_view name, std::int64_t expected) const {
  const StateReader g = group(name);
  const std::vector<std::int64_t> offsets = g.read_ints("offsets");
  STREAMML_CHECK(!offsets.empty() && offsets.front() == 0, InvalidInput,
                 g.where("offsets") << ": should start with 0");
  OpenDataset d;
  open_dataset(g, g.group_->id, "bytes", Want::UInt8, 1, d);
  STREAMML_CHECK(std::int64_t(d.count) == offsets.back(), InvalidInput,
                 g.where("bytes") << ": offsets end at " << offsets.back() << " but there are "
                                  << d.count << " bytes");
  check_length(*this, name, offsets.size() - 1, expected);
  std::string bytes(d.count, '\0');
  read_into(g, d, "bytes", H5T_NATIVE_UCHAR, bytes.data());
  std::vector<std::string> out;
  out.reserve(offsets.size() - 1);
  for (std::size_t i = 0; i + 1 < offsets.size(); ++i) {
    STREAMML_CHECK(offsets[i] <= offsets[i + 1], InvalidInput,
                   g.where("offsets") << ": not ascending at entry " << i);
    out.emplace_back(bytes, std::size_t(offsets[i]), std::size_t(offsets[i + 1] - offsets[i]));
  }
  return out;
}

StateReader StateReader::group(std::string_view name) const {
  detail::quiet();
  STREAMML_CHECK(detail::link_exists(group_->id, name), InvalidInput, where(name) << ": group is missing");
  const std::string n = std::string(name);
  const hid_t g = H5Gopen2(group_->id, n.c_str(), H5P_DEFAULT);
  if (g < 0) throw Error(ErrorKind::InvalidInput, where(name) + ": cannot open group (" + detail::last_error() + ")");
  return StateReader(std::make_shared<H5Object>(g, false, group_), file_, state_version_);
}

}  // namespace streamml
