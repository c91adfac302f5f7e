#include "streaming/memory_source.h"

#include <algorithm>

#include "core/error.h"

namespace streamml {

namespace {
Schema schema_of(const Batch& data) {
  std::vector<std::string> header;
  SchemaOptions options;
  for (std::size_t j = 0; j < data.cols; ++j) header.push_back("x" + std::to_string(j));
  if (data.has_labels()) header.push_back(options.label = "label");
  if (data.has_keys()) {
    header.push_back(options.key = "key");
    if (std::holds_alternative<std::vector<std::int64_t>>(data.keys))
      options.key_type = KeyType::Int64;
  }
  if (data.has_event_times()) header.push_back(options.time = "time");
  return Schema::from_header(header, options);
}
}  // namespace

MemorySource::MemorySource(Batch data, std::size_t rows_per_chunk, std::string name)
    : data_(std::move(data)), rows_per_chunk_(rows_per_chunk), name_(std::move(name)) {
  STREAMML_CHECK(rows_per_chunk_ > 0, InvalidInput, "rows_per_chunk must be positive, got 0");
  data_.validate();
  STREAMML_CHECK(!data_.has_sparse(), InvalidInput,
                 "MemorySource takes dense features only; got hashed (sparse) features");
  schema_ = schema_of(data_);
}

std::optional<Chunk> MemorySource::read_chunk() {
  if (next_row_ >= data_.rows) return std::nullopt;
  Chunk c;
  c.sequence = sequence_++;
  c.begin_offset = c.begin_record = std::int64_t(next_row_);
  next_row_ = std::min(data_.rows, next_row_ + rows_per_chunk_);
  c.end_offset = c.end_record = std::int64_t(next_row_);
  return c;
}

RecordBlock MemorySource::parse(Chunk chunk) const {
  RecordBlock block = RecordBlock::for_chunk(chunk);
  block.records = data_.empty_like();
  const auto begin = std::size_t(chunk.begin_offset), end = std::size_t(chunk.end_offset);
  block.records.append(data_, begin, end);
  for (std::size_t r = begin; r < end; ++r) block.add_end(std::int64_t(r + 1), 0, std::int64_t(r + 1));
  block.bytes = std::int64_t((end - begin) * data_.cols * sizeof(double));
  return block;
}

Position MemorySource::position() const {
  Position p;
  p.source = name_;
  p.offset = p.records = std::int64_t(next_row_);
  return p;
}

void MemorySource::seek(const Position& position) {
  STREAMML_CHECK(position.source == name_, InvalidInput,
                 "position is of source '" << position.source << "', this source is '" << name_
                                           << "'");
  STREAMML_CHECK(position.offset >= 0 && std::size_t(position.offset) <= data_.rows, InvalidInput,
                 "position offset " << position.offset << " is outside the " << data_.rows
                                    << " rows of '" << name_ << "'");
  next_row_ = std::size_t(position.offset);
  sequence_ = 0;
}

}  // namespace streamml
