// TextFileReader: a text file cut into Chunks of whole records, the serial half of a file
// source (the parallel half, parse(), lives in each format's source).
//
// A record ends at a '\n' (CSV: one outside double quotes, tracked by quote parity across
// reads); "\r\n" counts as one terminator. Empty lines ("" or "\r") are not records but are
// counted as lines. A last line without '\n' is still a record. Each chunk carries the byte
// offset, physical line and record counts before and after it, so parse() can number lines
// and give every record an exact end position without seeing any other chunk.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "streaming/source.h"

namespace streamml {

// Counts over a run of bytes, as read_chunk() reports them.
struct RecordScan {
  std::size_t cut = 0;        // bytes up to and including the chosen record terminator; 0: none
  std::int64_t lines = 0;     // '\n' in [0, cut)
  std::int64_t records = 0;   // non-empty records ended in [0, cut)
};

// Scans data[0, n) (starting outside quotes at a record start). Cuts after the last record
// terminator, or after the first one ending a non-empty record when first_only is set.
// Quotes matter only when `quoted` (CSV); JSON strings cannot hold a raw newline.
RecordScan scan_records(const char* data, std::size_t n, bool quoted, bool first_only);

// True when the bytes are an empty line's content: "" or "\r".
inline bool is_empty_line(const char* begin, const char* end) {
  return begin == end || (end - begin == 1 && *begin == '\r');
}

// Where the content of the line [begin, eol) ends: before a '\r' that ends it (CRLF).
inline const char* line_content_end(const char* begin, const char* eol) {
  return eol > begin && eol[-1] == '\r' ? eol - 1 : eol;
}

class TextFileReader {
 public:
  // Opens the file; throws Error(Io) "cannot open 'path': <reason>". A UTF-8 byte-order mark
  // is skipped: data_begin() is where the first line starts.
  TextFileReader(std::string path, bool quoted, std::size_t chunk_bytes);
  ~TextFileReader();
  TextFileReader(const TextFileReader&) = delete;
  TextFileReader& operator=(const TextFileReader&) = delete;

  const std::string& path() const { return path_; }
  std::int64_t size() const { return size_; }
  std::int64_t data_begin() const { return data_begin_; }

  // The next run of whole records (about chunk_bytes of them, more when one record is
  // longer), or nullopt at the end of the file. first_record_only: just the first non-empty
  // record (and any empty lines before it), for reading a header or sniffing fields.
  // bytes.capacity() >= bytes.size() + simdjson::SIMDJSON_PADDING, so JSON parses in place.
  std::optional<Chunk> read_chunk(bool first_record_only = false);

  // Where the next chunk starts.
  std::int64_t offset() const { return offset_; }
  std::int64_t line() const { return line_; }
  std::int64_t records() const { return records_; }

  // Continues from a record boundary. Throws Error(InvalidInput) if the offset is outside
  // [data_begin, size] or not at the start of a line, or the counters are negative.
  void seek(std::int64_t offset, std::int64_t line, std::int64_t records);

 private:
  // Appends up to `want` bytes read at file offset `at` to buf; returns the count (0 at EOF).
  std::size_t read_into(std::string& buf, std::int64_t at, std::size_t want);

  std::string path_;
  bool quoted_;
  std::size_t chunk_bytes_;
  int fd_ = -1;
  std::int64_t size_ = 0;
  std::int64_t data_begin_ = 0;
  std::int64_t offset_ = 0;
  std::int64_t line_ = 0;
  std::int64_t records_ = 0;
  std::size_t sequence_ = 0;
};

}  // namespace streamml
