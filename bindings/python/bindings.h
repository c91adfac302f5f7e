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
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/batch.h"
#include "core/position.h"
#include "core/schema.h"
#include "core/stateful.h"
#include "streaming/bad_records.h"
#include "streaming/micro_batcher.h"
#include "streaming/source.h"

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
void bind_learner(py::module_& m);  // _Learner (every registered type), _learner_types
void bind_pipeline(py::module_& m);  // _Pipeline
void bind_linear(py::module_& m);  // _LogisticRegressionSGD, _PrequentialEvaluator
void bind_kmeans(py::module_& m);  // _StreamingKMeans, _kmeans_plusplus
void bind_dbscan(py::module_& m);  // _DBSCAN, _WindowedDBSCAN
void bind_generate(py::module_& m);  // streamml.generate
void bind_optimize(py::module_& m);  // _LpModel, _solve, _read_mps, _LPSolver, ...
void bind_als(py::module_& m);       // _ALS, _PrequentialRanking, _ranking_metrics_at_k
void bind_churn(py::module_& m);     // _ChurnModel, _plan_retention
void bind_decision(py::module_& m);  // _Allocator, _Autoscaler
void bind_demo(py::module_& m);      // _run_decision_system (streamml.demo)

using DoubleArray = py::array_t<double, py::array::c_style | py::array::forcecast>;

}  // namespace streamml::python
namespace streamml {
struct RetentionSettings;
}
namespace streamml::python {
// Python keywords (budget, candidates, relax, offer_cost, offer_uplift, offer_capacity) to
// retention settings, validated (churn.cpp).
RetentionSettings retention_settings(const py::dict& keywords);

// "(3, 2)" / "(3,)": an array's shape as NumPy prints it, for messages.
std::string shape_text(const py::array& a);
// A float64 C-contiguous (n, d) array as a matrix view, without a copy; `name` says which
// argument it is in the message for any other number of dimensions.
ConstRowMatrixMap rows_of(const DoubleArray& x, const char* name = "X");

// A Python value as the text a settings table reads (`--param` text): bools (Python's and
// NumPy's) true/false, integers as integers, other numbers in their shortest exact form,
// strings as they are, 1-D sequences "1,2,3", 2-D ones "1,2;3,4", None as "". Throws
// Error(InvalidInput) naming `owner` and `name` for anything else (a complex number, a dict).
std::string setting_text(const py::handle& value, const std::string& owner, const std::string& name);
// Every item of a dict of settings converted once, for SettingsTable::from_text.
std::map<std::string, std::string> settings_text(const py::dict& settings, const std::string& owner);

// A C++ batch from a streamml.Batch (copied: features, labels, keys, event times, sparse
// columns and the index), or nullopt when `object` is not one.
std::optional<Batch> batch_from_python(const py::handle& object);
// A batch from separate parts: x None or (n, d) numbers, csr None or (indptr, indices, data,
// n_cols) (the hashed columns, after the dense ones), y None or (n,) labels, keys None or (n,)
// integers or strings (the key column: a user, a service). At least one of x and csr. x may
// also be a streamml.Batch, whose labels and keys y and keys then replace when given.
Batch batch_of(const py::object& x, const py::object& csr, const py::object& y,
               const py::object& keys = py::none());

// A stream not yet read: what streamml.replay / from_arrays made, before its first batch.
struct StreamParts {
  std::unique_ptr<Source> source;
  BatchingSettings batching;
  BadRecordPolicy bad_records;
  std::int64_t first_index = 0;
};
// Takes over the stream of a streamml.Replay that has not started (it is then over); throws
// Error(InvalidInput) for anything else.
StreamParts take_stream(const py::handle& replay);

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
