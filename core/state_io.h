// StateWriter / StateReader: a Stateful object's state as named HDF5 datasets, and back.
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

class StateWriter {
 public:
  explicit StateWriter(std::shared_ptr<detail::H5Object> group);
  ~StateWriter();

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
  std::shared_ptr<detail::H5Object> group_;
};

class StateReader {
 public:
  StateReader(std::shared_ptr<detail::H5Object> group, std::string file);
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

 private:
  std::shared_ptr<detail::H5Object> group_;
  std::string file_;
};

}  // namespace streamml
