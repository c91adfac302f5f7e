#include "streaming/formats/format.h"

#include "core/error.h"

namespace streamml {

void check_chunk_counts(const Chunk& chunk, std::int64_t record, std::int64_t line, const std::string& stream) {
  STREAMML_CHECK(record == chunk.end_record && line == chunk.end_line, Runtime,
                 "chunk " << chunk.sequence << " of '" << stream << "': the reader counted "
                          << chunk.end_record - chunk.begin_record << " records and "
                          << chunk.end_line - chunk.begin_line << " lines, the parser "
                          << record - chunk.begin_record << " and " << line - chunk.begin_line);
}

}  // namespace streamml
