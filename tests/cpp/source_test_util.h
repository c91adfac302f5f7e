// Reading a Source to the end (or part of it) into flat columns, for the file source tests.
#pragma once

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "streaming/file_source.h"
#include "streaming/source.h"

namespace streamml::testing {

struct Drained {
  std::size_t chunks = 0;
  std::size_t rows = 0;
  std::vector<double> features;
  std::vector<double> labels;
  std::vector<std::string> string_keys;
  std::vector<std::int64_t> int_keys;
  std::vector<EventTime> times;
  std::vector<std::int32_t> sparse_indices;
  std::vector<double> sparse_values;
  std::vector<std::int32_t> sparse_row_nnz;
  std::vector<std::int64_t> end_offsets, end_lines, end_records;
  std::vector<BadRecord> bad;
  std::int64_t end_offset = 0, end_line = 0, end_record = 0;
};

// Reads and parses up to max_chunks chunks, appending to d.
inline void drain(Source& source, Drained& d,
                  std::size_t max_chunks = std::numeric_limits<std::size_t>::max()) {
  for (std::size_t i = 0; i < max_chunks; ++i) {
    auto chunk = source.read_chunk();
    if (!chunk) break;
    ++d.chunks;
    RecordBlock block = source.parse(std::move(*chunk));
    const Batch& b = block.records;
    b.validate();
    d.rows += b.rows;
    d.features.insert(d.features.end(), b.features.begin(), b.features.end());
    d.labels.insert(d.labels.end(), b.labels.begin(), b.labels.end());
    d.times.insert(d.times.end(), b.event_times.begin(), b.event_times.end());
    if (auto* s = std::get_if<std::vector<std::string>>(&b.keys))
      d.string_keys.insert(d.string_keys.end(), s->begin(), s->end());
    if (auto* k = std::get_if<std::vector<std::int64_t>>(&b.keys))
      d.int_keys.insert(d.int_keys.end(), k->begin(), k->end());
    if (b.has_sparse()) {
      d.sparse_indices.insert(d.sparse_indices.end(), b.sparse.indices.begin(), b.sparse.indices.end());
      d.sparse_values.insert(d.sparse_values.end(), b.sparse.values.begin(), b.sparse.values.end());
      for (std::size_t r = 0; r < b.rows; ++r)
        d.sparse_row_nnz.push_back(b.sparse.indptr[r + 1] - b.sparse.indptr[r]);
    }
    d.end_offsets.insert(d.end_offsets.end(), block.end_offsets.begin(), block.end_offsets.end());
    d.end_lines.insert(d.end_lines.end(), block.end_lines.begin(), block.end_lines.end());
    d.end_records.insert(d.end_records.end(), block.end_records.begin(), block.end_records.end());
    d.bad.insert(d.bad.end(), block.bad.begin(), block.bad.end());
    d.end_offset = block.end_offset;
    d.end_line = block.end_line;
    d.end_record = block.end_record;
  }
}

inline Drained drain_file(const std::string& path, const FileSourceOptions& options) {
  auto source = open_file_source(path, options);
  Drained d;
  drain(*source, d);
  return d;
}

// "line:column: reason" per bad record, for whole-list comparisons.
inline std::vector<std::string> bad_list(const Drained& d) {
  std::vector<std::string> out;
  for (const auto& b : d.bad)
    out.push_back(std::to_string(b.line) + ":" + std::to_string(b.column) + ": " + b.reason);
  return out;
}

}  // namespace streamml::testing
