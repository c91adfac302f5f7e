// StateWriter / StateReader: a Stateful object's state as named HDF5 datasets, and back.
// StateWriter records into a StateSnapshot in memory; checkpoint_file.h encodes snapshots as
// HDF5, with the layouts below.
//
// Names may contain '/' to make groups ("optimizer/grad_sq_sum"); a person reading the file
// with h5py or HDFView sees exactly these names. Layouts, chosen so every byte is covered by
// a checksum (a flipped byte is reported, never loaded):
//   scalars and arrays up to 16 KiB: compact (stored in the object header, which HDF5's
//     1.10 file format checksums);
//   larger arrays: chunked with the Fletcher-32 filter;
//   numbers: float64 and int64, little-endian; 2-D arrays row-major (NumPy's C order);
//   text: fixed-length UTF-8 strings (h5py gives bytes: .decode());
//   lists of strings: a group with `bytes` (uint8, the strings concatenated) and `offsets`
//     (int64, n + 1 entries; string i is bytes[offsets[i]:offsets[i+1]]), because HDF5's
//     variable-length strings live in a heap no checksum covers.
// A reader checks each dataset's type class and shape before reading it, and names the file
// and dataset in every error.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <Eigen/Core>

#include "core/batch.h"

namespace streamml {

namespace detail {
struct H5Object;  // an open HDF5 file or group (defined in hdf5_io.cpp)
}

// What a dataset holds (its HDF5 type follows: float64, int64, uint8, a fixed-length string, or
// a group holding other datasets).
enum class DatasetKind : std::uint8_t { Float64, Int64, UInt8, String, Group };

// Where a StateWriter's datasets go: a StateSnapshot in memory, or (hdf5_io.cpp) straight into
// an HDF5 file.
class StateSink {
 public:
  virtual ~StateSink() = default;
  // `bytes` bytes of values in memory order (a string's UTF-8 bytes; nothing for a group); rank
  // 0 is a scalar, 1 a vector of `rows`, 2 a row-major rows x cols matrix.
  virtual void add(std::string_view name, DatasetKind kind, int rank, std::size_t rows, std::size_t cols,
                   const void* data, std::size_t bytes) = 0;
};

// A Stateful object's whole state as its save_state wrote it, held in memory: named datasets
// in the order written. A checkpoint takes one between two batches — a copy of the arrays into
// buffers kept from the previous checkpoint, so taking it costs a memcpy — and encodes it as
// HDF5 later, on the writer's thread, while the object goes on learning. Fresh memory is
// costly to touch (a page fault per 4 KiB, ~12 us each on a virtual machine): reusing one
// snapshot keeps every checkpoint after the first free of them.
class StateSnapshot : public StateSink {
 public:
  struct Dataset {
    std::string name;  // the path below the root: "optimizer/grad_sq_sum"
    DatasetKind kind = DatasetKind::Float64;
    int rank = 0;
    std::size_t dims[2] = {0, 0};
    std::vector<unsigned char> bytes;  // the values in memory order; a string's UTF-8 bytes
  };

  void add(std::string_view name, DatasetKind kind, int rank, std::size_t rows, std::size_t cols,
           const void* data, std::size_t bytes) override;
  // Forgets the datasets but keeps their buffers for the next snapshot.
  void clear() { used_ = 0; }
  std::size_t size() const { return used_; }
  const Dataset& operator[](std::size_t i) const { return datasets_[i]; }
  // The bytes of every dataset: what an encoding of the snapshot will at least hold.
  std::size_t payload_bytes() const;
  // Adds every dataset to `to`, in the order written.
  void replay(StateSink& to) const;

 private:
  std::vector<Dataset> datasets_;  // the first used_ are this snapshot's
  std::size_t used_ = 0;
};

// Writes a state into a sink: a snapshot (checkpoint_file.h encodes it as HDF5 later) or an
// HDF5 file directly.
class StateWriter {
 public:
  explicit StateWriter(StateSink& into) : sink_(&into) {}

  void write_double(std::string_view name, double value);
  void write_int(std::string_view name, std::int64_t value);
  void write_bool(std::string_view name, bool value) { write_int(name, value ? 1 : 0); }
  void write_string(std::string_view name, std::string_view value);
  void write_vector(std::string_view name, const double* data, std::size_t n);
  void write_vector(std::string_view name, const Eigen::Ref<const Eigen::VectorXd>& v) {
    write_vector(name, v.data(), std::size_t(v.size()));
  }
  void write_vector(std::string_view name, const std::vector<double>& v) {
    write_vector(name, v.data(), v.size());
  }
  void write_ints(std::string_view name, const std::int64_t* data, std::size_t n);
  void write_ints(std::string_view name, const std::vector<std::int64_t>& v) {
    write_ints(name, v.data(), v.size());
  }
  // rows x cols, row-major.
  void write_matrix(std::string_view name, const double* data, std::size_t rows, std::size_t cols);
  void write_matrix(std::string_view name, const RowMatrix& m) {
    write_matrix(name, m.data(), std::size_t(m.rows()), std::size_t(m.cols()));
  }
  void write_strings(std::string_view name, const std::vector<std::string>& values);
  // A writer into the group `name` (created).
  StateWriter group(std::string_view name);

 private:
  StateWriter(StateSink& into, std::string prefix) : sink_(&into), prefix_(std::move(prefix)) {}
  std::string path(std::string_view name) const;

  StateSink* sink_;
  std::string prefix_;  // "optimizer/" inside a group
};

class StateReader {
 public:
  // state_version: the layout the file's state was written in (Stateful::state_version()).
  StateReader(std::shared_ptr<detail::H5Object> group, std::string file, std::int64_t state_version = 1);
  ~StateReader();

  bool has(std::string_view name) const;
  double read_double(std::string_view name) const;
  std::int64_t read_int(std::string_view name) const;
  bool read_bool(std::string_view name) const;
  std::string read_string(std::string_view name) const;
  // expected < 0: any length.
  Eigen::VectorXd read_vector(std::string_view name, std::int64_t expected = -1) const;
  std::vector<double> read_std_vector(std::string_view name, std::int64_t expected = -1) const;
  std::vector<std::int64_t> read_ints(std::string_view name, std::int64_t expected = -1) const;
  // rows / cols < 0: any.
  RowMatrix read_matrix(std::string_view name, std::int64_t rows = -1, std::int64_t cols = -1) const;
  std::vector<std::string> read_strings(std::string_view name, std::int64_t expected = -1) const;
  StateReader group(std::string_view name) const;

  // "file.h5: /optimizer/grad_sq_sum", for error messages.
  std::string where(std::string_view name) const;
  const std::string& file() const { return file_; }
  // The layout version of the state being read: a load_state keeps a path for every older one.
  std::int64_t state_version() const { return state_version_; }
  // The same group, read as layout `version` (read_part).
  StateReader at_version(std::int64_t version) const {
    StateReader r = *this;
    r.state_version_ = version;
    return r;
  }

 private:
  std::shared_ptr<detail::H5Object> group_;
  std::string file_;
  std::int64_t state_version_ = 1;
};

// A part of a state with a layout of its own inside another type's state (a stage's evaluator
// under `evaluation/`, whose file's state_version is its learner's): the group `name` holds
// the part's layout as the dataset `state_version`; read_part gives a reader of that layout
// (1 when the dataset is absent: parts written before they recorded it).
StateWriter write_part(StateWriter& out, std::string_view name, std::int64_t version);
StateReader read_part(const StateReader& in, std::string_view name);

}  // namespace streamml
