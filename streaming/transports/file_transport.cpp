#include "streaming/transports/file_transport.h"

#include "core/error.h"

namespace streamml {

FileTransport::FileTransport(const std::string& path, Framing framing, std::size_t chunk_bytes)
    : reader_(path, framing == Framing::QuotedLines, chunk_bytes) {
  start_offset_ = reader_.offset();
  start_line_ = reader_.line();
}

std::optional<FirstRecord> FileTransport::first_record(bool consume) {
  auto chunk = reader_.read_chunk(/*first_record_only=*/true);
  if (!chunk) return std::nullopt;
  // The chunk is the empty lines before the first record, then the record and its line end.
  const char* p = chunk->bytes.data();
  const char* end = p + chunk->bytes.size();
  FirstRecord first;
  first.line = chunk->begin_line + 1;
  while (p < end && (*p == '\n' || (*p == '\r' && p + 1 < end && p[1] == '\n'))) {
    p += *p == '\r' ? 2 : 1;
    ++first.line;
  }
  const char* stop = end;
  if (stop > p && stop[-1] == '\n') --stop;
  if (stop > p && stop[-1] == '\r') --stop;
  first.text.assign(p, stop);
  if (consume) {
    reader_.seek(chunk->end_offset, chunk->end_line, 0);
    start_offset_ = chunk->end_offset;
    start_line_ = chunk->end_line;
  } else {
    reader_.seek(start_offset_, start_line_, 0);
  }
  return first;
}

Position FileTransport::position() const {
  Position p;
  p.offset = reader_.offset();
  p.line = reader_.line();
  p.records = reader_.records();
  return p;
}

void FileTransport::seek(const Position& position) {
  if (position.offset == 0 && position.line == 0 && position.records == 0) {
    reader_.seek(start_offset_, start_line_, 0);
    return;
  }
  STREAMML_CHECK(position.partitions.empty(), InvalidInput,
                 "position of '" << reader_.path() << "' has partitions; a file has none");
  STREAMML_CHECK(position.offset >= start_offset_, InvalidInput,
                 "position offset " << position.offset << " is before the first record of '" << reader_.path()
                                    << "' (records start at byte " << start_offset_ << ")");
  reader_.seek(position.offset, position.line, position.records);
}

}  // namespace streamml
