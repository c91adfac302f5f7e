// streamml.Batch: one micro-batch as NumPy arrays, handed over from C++ without copying.
//
// Each column's std::vector is moved into a heap object owned by a py::capsule, and the
// capsule is the NumPy array's base: the array reads the very memory the parser wrote, and
// the vector is freed when the last array (or view) over it goes. The arrays are made once,
// when the batch reaches Python, so every read of an attribute returns the same array.
#include <utility>

#include "bindings/python/bindings.h"

namespace streamml::python {

namespace {

struct PyBatch {
  std::int64_t index = 0;
  std::size_t rows = 0;
  std::size_t cols = 0;
  std::int64_t skipped_records = 0;
  py::object features, labels, keys, event_times, sparse;
  py::object interval_start, interval_end;
  py::dict end_position;
  std::shared_ptr<const StreamLayout> layout;
};

py::dtype datetime_us() { return py::dtype("datetime64[us]"); }

py::object datetime_scalar(EventTime t) {
  return py::module_::import("numpy").attr("datetime64")(t, "us");
}

// scipy.sparse.csr_matrix over the batch's CSR vectors; copy=False keeps them as they are
// (int32 indices, float64 values: the layout scipy uses itself).
py::object to_scipy(CsrMatrix&& csr) {
  const auto rows = py::ssize_t(csr.rows());
  const auto nnz = py::ssize_t(csr.nnz());
  const auto cols = csr.cols;
  py::array indptr = adopt_vector(std::move(csr.indptr), {rows + 1});
  py::array indices = adopt_vector(std::move(csr.indices), {nnz});
  py::array values = adopt_vector(std::move(csr.values), {nnz});
  py::object csr_matrix = py::module_::import("scipy.sparse").attr("csr_matrix");
  return csr_matrix(py::make_tuple(values, indices, indptr),
                    py::arg("shape") = py::make_tuple(rows, cols), py::arg("copy") = false);
}

py::object to_keys(KeyColumn&& keys, const StreamLayout& layout) {
  if (auto* ints = std::get_if<std::vector<std::int64_t>>(&keys)) {
    const auto n = py::ssize_t(ints->size());
    return adopt_vector(std::move(*ints), {n});
  }
  if (auto* strings = std::get_if<std::vector<std::string>>(&keys)) {
    // Python strings are objects: one str per key in a NumPy object array (pandas-ready).
    py::list list(strings->size());
    for (std::size_t i = 0; i < strings->size(); ++i) list[i] = py::str((*strings)[i]);
    return py::module_::import("numpy").attr("array")(list, py::arg("dtype") = "object");
  }
  if (!layout.has_keys) return py::none();
  // An empty batch of a keyed stream: an empty key column of the stream's type.
  if (layout.key_type == KeyType::Int64) return py::array_t<std::int64_t>(0);
  return py::array(py::dtype("object"), {py::ssize_t(0)}, {py::ssize_t(sizeof(PyObject*))});
}

}  // namespace

std::shared_ptr<const StreamLayout> StreamLayout::of(const Schema& schema) {
  auto layout = std::make_shared<StreamLayout>();
  layout->feature_names = schema.feature_names();
  layout->has_labels = schema.label_column().has_value();
  layout->has_event_times = schema.time_column().has_value();
  layout->has_keys = schema.key_column().has_value();
  layout->key_type = schema.key_type();
  return layout;
}

py::dict position_to_dict(const Position& position) {
  py::dict d;
  d["source"] = position.source;
  d["offset"] = position.offset;
  d["line"] = position.line;
  d["records"] = position.records;
  py::dict partitions;
  for (const auto& [name, offset] : position.partitions) partitions[py::str(name)] = offset;
  d["partitions"] = partitions;
  return d;
}

py::object to_python(Batch&& batch, std::shared_ptr<const StreamLayout> layout) {
  batch.validate();
  PyBatch out;
  out.index = batch.index;
  out.rows = batch.rows;
  out.cols = batch.cols;
  out.skipped_records = batch.skipped_records;
  const auto n = py::ssize_t(batch.rows);
  out.features = adopt_vector(std::move(batch.features), {n, py::ssize_t(batch.cols)});
  out.labels = batch.has_labels() || layout->has_labels
                   ? py::object(adopt_vector(std::move(batch.labels), {n}))
                   : py::object(py::none());
  out.event_times = batch.has_event_times() || layout->has_event_times
                        ? py::object(adopt_vector(std::move(batch.event_times), {n}, datetime_us()))
                        : py::object(py::none());
  out.keys = to_keys(std::move(batch.keys), *layout);
  out.sparse = batch.has_sparse() ? to_scipy(std::move(batch.sparse)) : py::object(py::none());
  const bool by_time = batch.interval_start != 0 || batch.interval_end != 0;
  out.interval_start = by_time ? datetime_scalar(batch.interval_start) : py::object(py::none());
  out.interval_end = by_time ? datetime_scalar(batch.interval_end) : py::object(py::none());
  out.end_position = position_to_dict(batch.end_position);
  out.layout = std::move(layout);
  return py::cast(std::move(out));
}

void bind_batch(py::module_& m) {
  py::class_<PyBatch>(m, "Batch", R"doc(
One micro-batch of a stream, as NumPy arrays.

Batches come from ``streamml.replay`` and ``streamml.from_arrays``; they are not built by hand.
The arrays take over the memory the C++ parser filled: nothing is copied, ``features.base``
is the capsule that owns it, and every read of an attribute returns the same array.

Attributes
----------
features : numpy.ndarray, float64, shape (n, d), C-contiguous
    Dense features, one row per record, columns as in ``feature_names``.
labels : numpy.ndarray, float64, shape (n,), or None when the stream has no label column.
keys : numpy.ndarray or None
    int64 (n,) for integer keys, object (n,) of str for string keys; None without a key column.
event_times : numpy.ndarray, datetime64[us], shape (n,), or None without an event-time column.
sparse : scipy.sparse.csr_matrix, shape (n, 2**hash_bits), or None
    Hashed categorical/text features (scikit-learn FeatureHasher layout, alternate_sign=True).
index : int
    0, 1, 2, ... in stream order.
end_position : dict
    Where the stream stood just after this batch's last record: ``{"source", "offset",
    "line", "records", "partitions"}`` (``offset``: bytes for files, rows in memory). It is
    the C++ ``Position``; ``json.dumps`` of it is the form checkpoints store.
skipped_records : int
    Bad records consumed inside this batch's range (skipped under on_bad="skip").
interval_start, interval_end : numpy.datetime64 or None
    The event-time interval [start, end) of a batch cut by ``batch_interval``; None otherwise.
feature_names : list of str
)doc")
      .def_readonly("features", &PyBatch::features)
      .def_readonly("labels", &PyBatch::labels)
      .def_readonly("keys", &PyBatch::keys)
      .def_readonly("event_times", &PyBatch::event_times)
      .def_readonly("sparse", &PyBatch::sparse)
      .def_readonly("index", &PyBatch::index)
      .def_readonly("end_position", &PyBatch::end_position)
      .def_readonly("skipped_records", &PyBatch::skipped_records)
      .def_readonly("interval_start", &PyBatch::interval_start)
      .def_readonly("interval_end", &PyBatch::interval_end)
      .def_property_readonly(
          "feature_names", [](const PyBatch& b) { return py::cast(b.layout->feature_names); },
          "Names of the dense feature columns, in order (a new list on each read).")
      .def("__len__", [](const PyBatch& b) { return b.rows; })
      .def("__repr__", [](const PyBatch& b) {
        std::string s = "<streamml.Batch index=" + std::to_string(b.index) +
                        " records=" + std::to_string(b.rows) +
                        " features=(" + std::to_string(b.rows) + ", " + std::to_string(b.cols) + ")";
        if (!b.labels.is_none()) s += " labels";
        if (!b.keys.is_none()) s += b.layout->key_type == KeyType::Int64 ? " keys=int" : " keys=str";
        if (!b.event_times.is_none()) s += " event_times";
        if (!b.sparse.is_none())
          s += " sparse=" + py::str(b.sparse.attr("shape")).cast<std::string>() +
               " nnz=" + py::str(b.sparse.attr("nnz")).cast<std::string>();
        if (b.skipped_records) s += " skipped=" + std::to_string(b.skipped_records);
        return s + ">";
      });
}

}  // namespace streamml::python
