// MemorySource: a stream over matrices already in memory (tests, Python, notebooks).
//
// Rows are records in order; a chunk is a run of rows; Position::offset counts rows. The
// arrays are copied once into the source (callers may free theirs), then sliced per chunk.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/batch.h"
#include "core/schema.h"
#include "streaming/source.h"

namespace streamml {

class MemorySource : public Source {
 public:
  // `data` holds every record (features, and optionally labels, keys, event times), as one
  // Batch; `rows_per_chunk` sets how much read_chunk() hands out at a time.
  explicit MemorySource(Batch data, std::size_t rows_per_chunk = 4096,
                        std::string name = "memory");

  std::string name() const override { return name_; }
  const Schema& schema() const override { return schema_; }
  std::optional<Chunk> read_chunk() override;
  RecordBlock parse(Chunk chunk) const override;
  Position position() const override;
  void seek(const Position& position) override;
  std::optional<std::int64_t> total_size() const override { return std::int64_t(data_.rows); }

 private:
  Batch data_;
  std::size_t rows_per_chunk_;
  std::string name_;
  Schema schema_;
  std::size_t next_row_ = 0;
  std::size_t sequence_ = 0;
};

}  // namespace streamml
