// FileSink: a pipeline's results as a CSV or JSON Lines file, exactly once across crashes.
//
// The rows: sink_rows.h (the same rows as every sink writes). CSV has a header line; JSON
// Lines an object per row.
//
// Marks (Sink): the file's length and the rows' numbering, so a resume cuts the file back to
// the checkpoint's length and goes on numbering from there. Rows are buffered and written in
// blocks of 1 MiB; sync() is fsync.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "streaming/sinks/row_encoder.h"
#include "streaming/sinks/sink_rows.h"
#include "streaming/sinks/sink.h"

namespace streamml {

struct FileSinkSettings {
  std::string path;
  RowFormat format = RowFormat::Auto;  // Auto: from the extension (.csv, .jsonl)
  // Output columns (records) or table columns to write, in this order; empty: every one.
  std::vector<std::string> columns;
  std::string table;  // empty: one row per record; else the rows of the result table of this name

  void validate() const;  // throws Error(InvalidInput)
};

class FileSink : public Sink {
 public:
  explicit FileSink(FileSinkSettings settings);
  ~FileSink() override;
  FileSink(const FileSink&) = delete;
  FileSink& operator=(const FileSink&) = delete;

  // "file:<path>", or "file:<path>#<table>".
  std::string name() const override;
  void open(const std::optional<std::string>& mark) override;
  void write(const Batch& batch) override;
  std::string flush() override;
  void sync() override;
  void close() override;

  const FileSinkSettings& settings() const { return settings_; }
  std::int64_t bytes() const { return written_ + std::int64_t(buffer_.size()); }  // buffered rows included
  std::int64_t rows() const { return rows_.rows(); }

 private:
  void write_out();  // the buffer to the file

  FileSinkSettings settings_;
  RowFormat format_;
  int fd_ = -1;
  std::string buffer_;       // rows not yet written to the file
  std::int64_t written_ = 0;  // bytes in the file
  SinkRows rows_;
};

}  // namespace streamml
