// The pybind11 module `streamml._streamml`, one file per topic.
//
// module.cpp calls each bind_* in turn; a later issue adds its topic as one more file and one
// more call (bind_linear(m), bind_clustering(m), ...). Bindings are thin: conversions between
// NumPy and streamml types, and docstrings. Every failure is a streamml::Error, translated to
// a Python exception in one place (errors.cpp).
#pragma once

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/batch.h"
#include "core/position.h"
#include "core/schema.h"
#include "core/stateful.h"

namespace streamml::python {

namespace py = pybind11;

// The compiled learners that checkpoints save and restore derive from this (bound as
// streamml._Stateful before them), so checkpoints.cpp takes any of them.
class PyStateful {
 public:
  virtual ~PyStateful() = default;
  virtual Stateful& stateful() = 0;
};

void bind_errors(py::module_& m);  // streamml::Error -> ValueError / OSError / RuntimeError
void bind_checkpoints(py::module_& m);  // _Stateful, _CheckpointStore, checkpoint files and bytes
void bind_batch(py::module_& m);   // streamml.Batch
void bind_replay(py::module_& m);  // streamml.Replay, _open_replay, _from_arrays
void bind_linear(py::module_& m);  // _LogisticRegressionSGD, PrequentialEvaluator
void bind_kmeans(py::module_& m);  // _StreamingKMeans, _kmeans_plusplus
void bind_dbscan(py::module_& m);  // _DBSCAN, _WindowedDBSCAN
void bind_generate(py::module_& m);  // streamml.generate
void bind_optimize(py::module_& m);  // _LpModel, _solve, _read_mps, _LPSolver, ...
void bind_als(py::module_& m);       // _ALS, _PrequentialRanking, _ranking_metrics_at_k

// What every batch of one stream has in common, taken from the source's schema once, so an
// empty batch (an event-time interval with no records) still shows the stream's columns.
struct StreamLayout {
  std::vector<std::string> feature_names;
  bool has_labels = false;
  bool has_event_times = false;
  bool has_keys = false;
  KeyType key_type = KeyType::String;

  static std::shared_ptr<const StreamLayout> of(const Schema& schema);
};

// A C++ batch as the Python object streamml.Batch. Takes the batch's vectors over: the NumPy
// arrays own them (through a capsule) and nothing is copied. Call with the GIL held.
py::object to_python(Batch&& batch, std::shared_ptr<const StreamLayout> layout);

// Position as a dict: {"source", "offset", "line", "records", "partitions"}.
py::dict position_to_dict(const Position& position);

// The capsule-owned array over a vector moved out of C++: the zero-copy hand-over.
template <class T>
py::array adopt_vector(std::vector<T>&& values, std::vector<py::ssize_t> shape,
                       py::dtype dtype = py::dtype::of<T>()) {
  auto owner = std::make_unique<std::vector<T>>(std::move(values));
  T* data = owner->data();
  py::capsule base(owner.get(), [](void* p) { delete static_cast<std::vector<T>*>(p); });
  owner.release();  // the capsule deletes it from now on
  std::vector<py::ssize_t> strides(shape.size(), py::ssize_t(sizeof(T)));
  for (std::size_t i = shape.size(); i-- > 1;) strides[i - 1] = strides[i] * shape[i];
  // NumPy cannot wrap a null pointer; an empty vector gets a fresh empty array instead.
  if (data == nullptr) return py::array(dtype, shape, strides);
  return py::array(dtype, shape, strides, data, base);
}

}  // namespace streamml::python
