// Batch: one micro-batch of records, the unit every stage and learner consumes.
//
// Columns, not rows: dense features as one row-major float64 block (feature j of record i
// is features[i * cols + j], written once, here), optional hashed features as CSR, then one
// entry per record for labels, keys and event times where the stream has them. A Batch is
// moved from stage to stage and never copied on the hot path (copying is explicit: clone()).
#pragma once

#include <Eigen/Core>
#include <Eigen/SparseCore>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/event_time.h"
#include "core/position.h"

namespace streamml {

using RowMatrix = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using RowMatrixMap = Eigen::Map<RowMatrix>;
using ConstRowMatrixMap = Eigen::Map<const RowMatrix>;
using SparseRowMatrix = Eigen::SparseMatrix<double, Eigen::RowMajor, std::int32_t>;
using ConstSparseMap = Eigen::Map<const SparseRowMatrix>;

// Compressed sparse rows: row i's entries are indices/values[indptr[i] .. indptr[i+1]).
// Layout is scipy.sparse.csr_matrix's (int32 indices), so Python gets it without copying.
struct CsrMatrix {
  std::int64_t cols = 0;
  std::vector<std::int32_t> indptr{0};
  std::vector<std::int32_t> indices;
  std::vector<double> values;

  std::size_t rows() const { return indptr.size() - 1; }
  std::size_t nnz() const { return values.size(); }
  ConstSparseMap view() const;
};

// Keys identify the entity a record is about (user, device): none, strings or integers.
using KeyColumn =
    std::variant<std::monostate, std::vector<std::string>, std::vector<std::int64_t>>;

// An id column beyond the key, named by its role: "item" (what a user rated), "service", ...
struct IdColumn {
  std::string role;
  KeyColumn values;
};

// A column a stage adds to the batch, one value per record, for later stages and sinks: a
// probability ("ctr.probability"), a cluster, a recommendation list (text), a decision.
using OutputValues = std::variant<std::vector<double>, std::vector<std::int64_t>, std::vector<std::string>>;
struct OutputColumn {
  std::string name;
  OutputValues values;
};

// Results of a batch that are not one per record — a window's counts, a decision stage's
// allocation — as a named table a stage adds for sinks: columns of equal length, each named.
struct ResultTable {
  std::string name;                  // "windows"
  std::vector<std::string> columns;  // one name per column
  std::vector<OutputValues> values;  // one per column, all of rows() values

  std::size_t rows() const;
};

struct Batch {
  std::int64_t index = 0;               // 0, 1, 2, ... in stream order
  std::size_t rows = 0;                 // records in the batch
  std::size_t cols = 0;                 // dense features per record
  std::vector<double> features;         // rows * cols, row-major
  CsrMatrix sparse;                     // hashed features; cols == 0 when the stream has none
  std::vector<double> labels;           // empty, or one per record
  KeyColumn keys;                       // monostate, or one per record (the "key" role)
  std::vector<IdColumn> ids;            // further id columns, one value per record each
  std::vector<EventTime> event_times;   // empty, or one per record
  Position end_position;                // the source position just after the last record
  std::int64_t skipped_records = 0;     // bad records consumed inside this batch's range
  // Batches cut by event-time interval cover [interval_start, interval_end); both are 0 when
  // the batch was cut by record count.
  EventTime interval_start = 0;
  EventTime interval_end = 0;
  // What the stages added so far, in the order they added it (not carried by append/clone:
  // outputs belong to the batch that a stage saw).
  std::vector<OutputColumn> outputs;
  // Result tables the stages added, in the order added (not carried by append/clone either).
  std::vector<ResultTable> tables;

  Batch() = default;
  Batch(Batch&&) noexcept = default;
  Batch& operator=(Batch&&) noexcept = default;
  // Copies are explicit so that an accidental copy on the hot path does not compile.
  Batch(const Batch&) = delete;
  Batch& operator=(const Batch&) = delete;
  Batch clone() const;

  bool empty() const { return rows == 0; }
  bool has_labels() const { return !labels.empty(); }
  bool has_keys() const { return !std::holds_alternative<std::monostate>(keys); }
  bool has_event_times() const { return !event_times.empty(); }
  bool has_sparse() const { return sparse.cols > 0; }
  // The event time the batch covers up to: its interval end when cut by time, else its
  // latest record's; nullopt when it has neither (pacing and time windows skip it).
  std::optional<EventTime> event_time_end() const;

  ConstRowMatrixMap dense() const { return {features.data(), Eigen::Index(rows), Eigen::Index(cols)}; }
  RowMatrixMap dense() { return {features.data(), Eigen::Index(rows), Eigen::Index(cols)}; }

  // An empty batch with the same columns (and key type) as this one.
  Batch empty_like() const;
  // The id column of a role: "key" is `keys`; others are looked up in `ids`. Null when the
  // batch has none.
  const KeyColumn* id(std::string_view role) const;
  // Adds a stage's output; throws Error(Runtime) for a wrong length or a name already taken.
  void add_output(std::string name, OutputValues values);
  // Null when no stage added that column.
  const OutputColumn* output(std::string_view name) const;
  // Adds a result table; throws Error(Runtime) when its columns differ in length or number from
  // its names, or the name is taken.
  void add_table(ResultTable table);
  // Null when no stage added a table of that name.
  const ResultTable* table(std::string_view name) const;

  // Appends records [begin, end) of `from`, which must have the same columns.
  void append(const Batch& from, std::size_t begin, std::size_t end);
  void reserve(std::size_t rows);

  // Checks that every column has one entry per record; throws Error(Runtime) naming the
  // column that does not. Sources and bindings call it where batches are built.
  void validate() const;
};

}  // namespace streamml
