#include "streaming/text_file_source.h"

#include "core/error.h"

namespace streamml {

TextFileSource::TextFileSource(std::string kind, const std::string& path, bool quoted,
                               std::size_t chunk_bytes)
    : reader_(path, quoted, chunk_bytes), kind_(std::move(kind)) {
  mark_start();
}

void TextFileSource::mark_start() {
  start_offset_ = reader_.offset();
  start_line_ = reader_.line();
}

void TextFileSource::check_counts(const Chunk& chunk, std::int64_t record, std::int64_t line) const {
  STREAMML_CHECK(record == chunk.end_record && line == chunk.end_line, Runtime,
                 "chunk " << chunk.sequence << " of '" << reader_.path() << "': the reader counted "
                          << chunk.end_record - chunk.begin_record << " records and "
                          << chunk.end_line - chunk.begin_line << " lines, the parser "
                          << record - chunk.begin_record << " and " << line - chunk.begin_line);
}

Position TextFileSource::position() const {
  Position p;
  p.source = name();
  p.offset = reader_.offset();
  p.line = reader_.line();
  p.records = reader_.records();
  return p;
}

void TextFileSource::seek(const Position& position) {
  STREAMML_CHECK(position.source == name(), InvalidInput,
                 "position is of source '" << position.source << "', this source is '" << name()
                                           << "'");
  if (position.offset == 0 && position.line == 0 && position.records == 0) {
    reader_.seek(start_offset_, start_line_, 0);
    return;
  }
  STREAMML_CHECK(position.offset >= start_offset_, InvalidInput,
                 "position offset " << position.offset << " is before the first record of '"
                                    << reader_.path() << "' (records start at byte "
                                    << start_offset_ << ")");
  reader_.seek(position.offset, position.line, position.records);
}

}  // namespace streamml
