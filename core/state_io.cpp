// StateWriter and StateSnapshot: a state as named datasets, in memory or passed on to a sink.
// Nothing here knows HDF5; hdf5_io.cpp has the sink that writes a file, and StateReader.
#include "core/state_io.h"

#include "core/error.h"

namespace streamml {

std::size_t StateSnapshot::payload_bytes() const {
  std::size_t total = 0;
  for (std::size_t i = 0; i < used_; ++i) total += datasets_[i].bytes.size();
  return total;
}

void StateSnapshot::add(std::string_view name, DatasetKind kind, int rank, std::size_t rows, std::size_t cols,
                        const void* data, std::size_t bytes) {
  if (used_ == datasets_.size()) datasets_.emplace_back();
  Dataset& d = datasets_[used_++];
  d.name.assign(name);
  d.kind = kind;
  d.rank = rank;
  d.dims[0] = rows;
  d.dims[1] = cols;
  const auto* p = static_cast<const unsigned char*>(data);
  d.bytes.assign(p, p + bytes);  // within the capacity kept from the last snapshot
}

void StateSnapshot::replay(StateSink& to) const {
  for (std::size_t i = 0; i < used_; ++i) {
    const Dataset& d = datasets_[i];
    to.add(d.name, d.kind, d.rank, d.dims[0], d.dims[1], d.bytes.data(), d.bytes.size());
  }
}

std::string StateWriter::path(std::string_view name) const {
  std::string p = prefix_;
  p.append(name);
  return p;
}

void StateWriter::write_double(std::string_view name, double value) {
  sink_->add(path(name), DatasetKind::Float64, 0, 0, 0, &value, sizeof value);
}

void StateWriter::write_int(std::string_view name, std::int64_t value) {
  sink_->add(path(name), DatasetKind::Int64, 0, 0, 0, &value, sizeof value);
}

void StateWriter::write_string(std::string_view name, std::string_view value) {
  sink_->add(path(name), DatasetKind::String, 0, 0, 0, value.data(), value.size());
}

void StateWriter::write_vector(std::string_view name, const double* data, std::size_t n) {
  sink_->add(path(name), DatasetKind::Float64, 1, n, 0, data, n * sizeof(double));
}

void StateWriter::write_ints(std::string_view name, const std::int64_t* data, std::size_t n) {
  sink_->add(path(name), DatasetKind::Int64, 1, n, 0, data, n * sizeof(std::int64_t));
}

void StateWriter::write_matrix(std::string_view name, const double* data, std::size_t rows, std::size_t cols) {
  sink_->add(path(name), DatasetKind::Float64, 2, rows, cols, data, rows * cols * sizeof(double));
}

void StateWriter::write_strings(std::string_view name, const std::vector<std::string>& values) {
  std::vector<std::int64_t> offsets{0};
  offsets.reserve(values.size() + 1);
  std::string bytes;
  for (const auto& v : values) offsets.push_back(std::int64_t((bytes += v).size()));
  StateWriter g = group(name);
  sink_->add(g.path("bytes"), DatasetKind::UInt8, 1, bytes.size(), 0, bytes.data(), bytes.size());
  g.write_ints("offsets", offsets);
}

StateWriter StateWriter::group(std::string_view name) {
  const std::string p = path(name);
  sink_->add(p, DatasetKind::Group, 0, 0, 0, nullptr, 0);
  return StateWriter(*sink_, p + "/");
}

StateWriter write_part(StateWriter& out, std::string_view name, std::int64_t version) {
  StateWriter part = out.group(name);
  part.write_int("state_version", version);
  return part;
}

StateReader read_part(const StateReader& in, std::string_view name) {
  const StateReader part = in.group(name);
  if (!part.has("state_version")) return part.at_version(1);
  const std::int64_t version = part.read_int("state_version");
  STREAMML_CHECK(version >= 1, InvalidInput, part.where("state_version") << ": layout " << version << " (1 is the first)");
  return part.at_version(version);
}

}  // namespace streamml
