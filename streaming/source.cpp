#include "streaming/source.h"

namespace streamml {

std::string display_name(const Source& source) {
  // Bad-record messages name the file ("data/x.csv:17:3: ..."), not the source kind.
  const std::string name = source.name();
  const auto colon = name.find(':');
  return colon == std::string::npos ? name : name.substr(colon + 1);
}

RecordBlock RecordBlock::for_chunk(const Chunk& chunk) {
  RecordBlock block;
  block.sequence = chunk.sequence;
  block.end_offset = chunk.end_offset;
  block.end_line = chunk.end_line;
  block.end_record = chunk.end_record;
  block.bytes = std::int64_t(chunk.bytes.size());
  block.partitions = chunk.partitions;
  block.partition_ends = chunk.partition_ends;
  block.partition_states = chunk.partition_states;
  const auto records = std::size_t(chunk.end_record - chunk.begin_record);
  block.end_offsets.reserve(records);
  block.end_lines.reserve(records);
  block.end_records.reserve(records);
  if (chunk.has_messages()) block.end_partitions.reserve(records);
  return block;
}

}  // namespace streamml
