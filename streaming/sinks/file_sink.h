// FileSink: a pipeline's results as a CSV or JSON Lines file, exactly once across crashes.
//
// Two kinds of rows, one kind per file (add a FileSink for each):
//   records (table empty): one row per record, in stream order —
//     record      the record's number in the stream (0, 1, ...: good records, as delivered)
//     batch       its batch's index
//     key, <role> its id columns, when the batch has them ("key", then each role of Batch::ids)
//     event_time  when the batch has event times (ISO 8601, UTC, microseconds)
//     position    the source position just after the record's batch (JSON; quoted in CSV)
//     then the chosen output columns the stages added ("ctr.probability", ...);
//   a result table (table = its name): one row per row of that table, in the order the
//     batches carried them: `batch`, then the chosen columns of the table.
// The columns are fixed by the first batch that has records (or carries the table): every
// output column (table column) then, or `columns` in that order; a later batch missing one is
// an error. CSV has a header line; JSON Lines an object per row.
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
  std::int64_t rows() const { return rows_; }

 private:
  void write_records(const Batch& batch);
  void write_table(const Batch& batch, const ResultTable& table);
  void choose_columns(const std::vector<std::string>& available, const Batch& batch, const std::string& what);
  void write_out();  // the buffer to the file

  FileSinkSettings settings_;
  RowFormat format_;
  int fd_ = -1;
  std::string buffer_;       // rows not yet written to the file
  std::int64_t written_ = 0;  // bytes in the file
  std::int64_t rows_ = 0;     // rows so far (records: the next record's number)
  // Fixed at the first batch with rows (or by the mark resumed from): the columns chosen, every
  // column of a row, and the encoder of a row.
  std::vector<std::string> chosen_;
  std::vector<std::string> expected_names_;
  std::unique_ptr<RowEncoder> encoder_;
  bool has_keys_ = false, has_times_ = false;
  std::vector<std::string> id_roles_;
};

}  // namespace streamml
