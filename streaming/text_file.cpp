#include "streaming/text_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <simdjson.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "core/error.h"

namespace streamml {

namespace {

// Bit i of each mask is byte i of a 64-byte block.
struct BlockMasks {
  std::uint64_t newline, cr, quote;
};

#if defined(__SSE2__)
inline std::uint64_t eq_mask(const __m128i v[4], char c) {
  const __m128i k = _mm_set1_epi8(c);
  std::uint64_t m = 0;
  for (int i = 0; i < 4; ++i)
    m |= std::uint64_t(std::uint32_t(_mm_movemask_epi8(_mm_cmpeq_epi8(v[i], k)))) << (16 * i);
  return m;
}
inline BlockMasks block_masks(const char* p) {
  __m128i v[4];
  for (int i = 0; i < 4; ++i) v[i] = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 16 * i));
  return {eq_mask(v, '\n'), eq_mask(v, '\r'), eq_mask(v, '"')};
}
#else
inline BlockMasks block_masks(const char* p) {
  BlockMasks m{0, 0, 0};
  for (int i = 0; i < 64; ++i) {
    m.newline |= std::uint64_t(p[i] == '\n') << i;
    m.cr |= std::uint64_t(p[i] == '\r') << i;
    m.quote |= std::uint64_t(p[i] == '"') << i;
  }
  return m;
}
#endif

// Bit i = XOR of bits 0..i: 1 where an odd number of quotes came before (inside a quote).
inline std::uint64_t prefix_xor(std::uint64_t x) {
  x ^= x << 1;
  x ^= x << 2;
  x ^= x << 4;
  x ^= x << 8;
  x ^= x << 16;
  x ^= x << 32;
  return x;
}

// Without -mpopcnt the builtin is a libgcc call; this SWAR count inlines (Hacker's Delight 5-2).
inline int popcount(std::uint64_t x) {
#if defined(__POPCNT__)
  return __builtin_popcountll(x);
#else
  x = x - ((x >> 1) & 0x5555555555555555ULL);
  x = (x & 0x3333333333333333ULL) + ((x >> 2) & 0x3333333333333333ULL);
  x = (x + (x >> 4)) & 0x0F0F0F0F0F0F0F0FULL;
  return int((x * 0x0101010101010101ULL) >> 56);
#endif
}
// Bits 0..i set.
inline std::uint64_t up_to(int i) { return i == 63 ? ~std::uint64_t{0} : (std::uint64_t{2} << i) - 1; }

}  // namespace

RecordScan scan_records(const char* data, std::size_t n, bool quoted, bool first_only) {
  RecordScan out;
  // The chunk starts at a record start: as if a '\n' came just before it.
  std::uint64_t prev_newline = std::uint64_t{1} << 63, prev_cr = 0;
  std::uint64_t inside_carry = 0;  // all ones while inside a quote
  std::int64_t lines = 0, records = 0;
  alignas(16) char tail[64];
  for (std::size_t base = 0; base < n; base += 64) {
    const char* p = data + base;
    const std::size_t len = std::min<std::size_t>(64, n - base);
    if (len < 64) {
      // Zero bytes match none of '\n', '\r', '"'.
      std::memset(tail, 0, sizeof tail);
      std::memcpy(tail, p, len);
      p = tail;
    }
    const BlockMasks m = block_masks(p);
    std::uint64_t terminators = m.newline;
    if (quoted) {
      const std::uint64_t inside = prefix_xor(m.quote) ^ inside_carry;
      inside_carry = std::uint64_t(std::int64_t(inside) >> 63);
      terminators &= ~inside;
    }
    // A terminator ends an empty line when the line holds nothing or just '\r'.
    const std::uint64_t nl1 = (m.newline << 1) | (prev_newline >> 63);
    const std::uint64_t nl2 = (m.newline << 2) | (prev_newline >> 62);
    const std::uint64_t cr1 = (m.cr << 1) | (prev_cr >> 63);
    const std::uint64_t ends = terminators & ~(nl1 | (cr1 & nl2));
    prev_newline = m.newline;
    prev_cr = m.cr;

    if (first_only && ends) {
      const int i = __builtin_ctzll(ends);
      out.cut = base + i + 1;
      out.lines = lines + popcount(m.newline & up_to(i));
      out.records = records + 1;
      return out;
    }
    if (terminators && !first_only) {
      const int i = 63 - __builtin_clzll(terminators);
      out.cut = base + i + 1;
      out.lines = lines + popcount(m.newline & up_to(i));
      out.records = records + popcount(ends & up_to(i));
    }
    lines += popcount(m.newline);
    records += popcount(ends);
  }
  return out;
}

TextFileReader::TextFileReader(std::string path, bool quoted, std::size_t chunk_bytes)
    : path_(std::move(path)), quoted_(quoted), chunk_bytes_(chunk_bytes) {
  STREAMML_CHECK(chunk_bytes_ > 0, InvalidInput, "chunk_bytes must be positive, got 0");
  fd_ = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC);
  STREAMML_CHECK(fd_ >= 0, Io, "cannot open '" << path_ << "': " << std::strerror(errno));
  struct stat st {};
  if (::fstat(fd_, &st) != 0 || S_ISDIR(st.st_mode)) {
    const int err = S_ISDIR(st.st_mode) ? EISDIR : errno;
    ::close(fd_);
    fd_ = -1;
    STREAMML_FAIL(Io, "cannot open '" << path_ << "': " << std::strerror(err));
  }
  size_ = st.st_size;
#if defined(POSIX_FADV_SEQUENTIAL)
  ::posix_fadvise(fd_, 0, 0, POSIX_FADV_SEQUENTIAL);
#endif
  unsigned char bom[3] = {0, 0, 0};
  if (size_ >= 3 && ::pread(fd_, bom, 3, 0) == 3 && bom[0] == 0xEF && bom[1] == 0xBB &&
      bom[2] == 0xBF)
    data_begin_ = 3;
  offset_ = data_begin_;
}

TextFileReader::~TextFileReader() {
  if (fd_ >= 0) ::close(fd_);
}

std::size_t TextFileReader::read_into(std::string& buf, std::int64_t at, std::size_t want) {
  const std::size_t old = buf.size();
  // The padding stays allocated past size() for simdjson's in-place parsing.
  buf.resize(old + want + simdjson::SIMDJSON_PADDING);
  std::size_t got = 0;
  while (got < want) {
    const ssize_t r = ::pread(fd_, &buf[old + got], want - got, off_t(at + std::int64_t(got)));
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) {
      const int err = errno;
      buf.resize(old);
      STREAMML_FAIL(Io, "cannot read '" << path_ << "' at byte " << at + std::int64_t(got)
                                        << ": " << std::strerror(err));
    }
    if (r == 0) break;
    got += std::size_t(r);
  }
  buf.resize(old + got);
  return got;
}

std::optional<Chunk> TextFileReader::read_chunk(bool first_record_only) {
  Chunk c;
  std::string& buf = c.bytes;
  std::size_t want = chunk_bytes_;
  RecordScan scan;
  bool eof = false;
  while (true) {
    eof = read_into(buf, offset_ + std::int64_t(buf.size()), want) < want;
    // Rescanning from the start after growing is fine: the read size doubles each time.
    scan = scan_records(buf.data(), buf.size(), quoted_, first_record_only);
    if (scan.cut > 0 && (first_record_only || !eof)) break;
    if (eof) break;
    want = std::max(want, buf.size());
  }
  if (buf.empty()) return std::nullopt;

  if (scan.cut > 0 && (first_record_only || !eof)) {
    buf.resize(scan.cut);
  } else {
    // End of file: everything left is this chunk, its unterminated last line a record.
    const char* tail = buf.data() + scan.cut;
    const char* end = buf.data() + buf.size();
    scan.lines += std::count(tail, end, '\n') + (end[-1] != '\n' ? 1 : 0);
    scan.records += is_empty_line(tail, end) ? 0 : 1;
    scan.cut = buf.size();
  }
  c.sequence = sequence_++;
  c.begin_offset = offset_;
  c.begin_line = line_;
  c.begin_record = records_;
  offset_ += std::int64_t(scan.cut);
  line_ += scan.lines;
  records_ += scan.records;
  c.end_offset = offset_;
  c.end_line = line_;
  c.end_record = records_;
  return c;
}

void TextFileReader::seek(std::int64_t offset, std::int64_t line, std::int64_t records) {
  STREAMML_CHECK(offset >= data_begin_ && offset <= size_, InvalidInput,
                 "position offset " << offset << " is outside '" << path_ << "' (data bytes "
                                    << data_begin_ << " to " << size_ << ")");
  STREAMML_CHECK(line >= 0 && records >= 0 && records <= line, InvalidInput,
                 "position of '" << path_ << "' has line " << line << " and records " << records
                                 << "; expected 0 <= records <= line");
  if (offset > data_begin_ && offset < size_) {
    // A position from a batch is always just after a '\n'; anything else is not ours.
    char before = 0;
    STREAMML_CHECK(::pread(fd_, &before, 1, off_t(offset - 1)) == 1 && before == '\n',
                   InvalidInput,
                   "position offset " << offset << " is not at the start of a line of '" << path_
                                      << "'");
  }
  offset_ = offset;
  line_ = line;
  records_ = records;
  sequence_ = 0;
}

}  // namespace streamml
