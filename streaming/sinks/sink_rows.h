// SinkRows: the rows a sink writes for each batch, so that every sink (a file, a Kafka topic)
// writes the same rows for the same run. Two kinds, one kind per sink:
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
// an error. A sink's mark keeps the row count and the columns (mark_fields / restore), so a
// resumed sink goes on numbering where its checkpoint left it, with the same columns.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/batch.h"
#include "streaming/sinks/row_encoder.h"

namespace streamml {

class JsonWriter;

class SinkRows {
 public:
  // format: resolved (Csv or JsonLines). output: how errors name the sink's output.
  SinkRows(RowFormat format, std::vector<std::string> columns, std::string table, std::string output);
  ~SinkRows();

  // A fresh start: no rows yet, the columns chosen by the first batch.
  void reset();
  // From a mark written by mark_fields (other fields of the mark are the sink's own): the row
  // count and the columns. Throws Error(InvalidInput) naming `what` when it lacks them.
  void restore(const std::string& mark, const std::string& what);
  // "rows", "names", "chosen" into an open JSON object.
  void mark_fields(JsonWriter& w) const;

  // Appends the batch's rows to out, and each row's end (an offset in out) to ends when given.
  // A batch is written whole or not at all: on an error out, ends and the row count are as
  // before. header: a CSV header line goes before the first row when the columns are chosen.
  void write(const Batch& batch, std::string& out, std::vector<std::size_t>* ends, bool header);

  std::int64_t rows() const { return rows_; }
  const std::vector<std::string>& names() const { return names_; }  // empty until chosen
  const std::string& table() const { return table_; }

 private:
  void write_records(const Batch& batch, std::string& out, std::vector<std::size_t>* ends, bool header);
  void write_table(const Batch& batch, const ResultTable& table, std::string& out, std::vector<std::size_t>* ends,
                   bool header);
  void choose_columns(const std::vector<std::string>& available, const Batch& batch, const std::string& what,
                      std::string& out, bool header);

  RowFormat format_;
  std::vector<std::string> columns_;  // the settings' choice; empty: every one
  std::string table_, output_;
  std::int64_t rows_ = 0;  // rows so far (records: the next record's number)
  // Fixed at the first batch with rows (or by the mark resumed from): the columns chosen, every
  // column of a row, and the encoder of a row.
  std::vector<std::string> chosen_;
  std::vector<std::string> names_;
  std::unique_ptr<RowEncoder> encoder_;
  bool has_keys_ = false, has_times_ = false;
  std::vector<std::string> id_roles_;
};

// Throws Error(InvalidInput) for an output column named twice.
void check_output_columns(const std::vector<std::string>& columns);

// The text of record i's id in a key or id column ("" when the column has none).
std::string id_text(const KeyColumn& ids, std::size_t i);

}  // namespace streamml
