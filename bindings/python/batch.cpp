// streamml.Batch: one micro-batch as NumPy arrays, handed over from C++ without copying.
//
// Each column's std::vector is moved into a heap object owned by a py::capsule, and the
// capsule is the NumPy array's base: the array reads the very memory the parser wrote, and
// the vector is freed when the last array (or view) over it goes. The arrays are made once,
// when the batch reaches Python, so every read of an attribute returns the same array.
#include <type_traits>
#include <utility>
#include <variant>

#include "bindings/python/bindings.h"
#include "core/error.h"

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
  py::dict ids;      // role -> id column beyond the key ("item", "service")
  py::dict outputs;  // what earlier pipeline stages added, by column name
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

py::object to_python(OutputValues&& values) {
  return std::visit(
      [](auto& v) -> py::object {
        using T = typename std::decay_t<decltype(v)>::value_type;
        const auto n = py::ssize_t(v.size());
        if constexpr (std::is_same_v<T, std::string>) {
          py::list list(v.size());
          for (std::size_t i = 0; i < v.size(); ++i) list[i] = py::str(v[i]);
          return py::module_::import("numpy").attr("array")(list, py::arg("dtype") = "object");
        } else {
          return adopt_vector(std::move(v), {n});
        }
      },
      values);
}

// ---- back to C++ -----------------------------------------------------------------------------

using Int32Array = py::array_t<std::int32_t, py::array::c_style | py::array::forcecast>;
using Int64Array = py::array_t<std::int64_t, py::array::c_style | py::array::forcecast>;

std::vector<double> doubles(const py::object& values, py::ssize_t n, const char* name) {
  const DoubleArray a = DoubleArray::ensure(values);
  STREAMML_CHECK(a && a.ndim() == 1 && a.shape(0) == n, InvalidInput,
                 name << " must be 1-D with " << n << " entries (one per row)");
  return {a.data(), a.data() + n};
}

KeyColumn key_column(const py::object& keys) {
  if (keys.is_none()) return std::monostate{};
  const py::array a = py::module_::import("numpy").attr("asarray")(keys);
  const char kind = a.dtype().kind();
  if (kind == 'i' || kind == 'u') {
    const Int64Array ints = Int64Array::ensure(a);
    return std::vector<std::int64_t>(ints.data(), ints.data() + ints.size());
  }
  std::vector<std::string> text;
  for (const auto& item : keys) text.push_back(py::str(item));
  return text;
}

// scipy.sparse CSR parts (indptr, indices, data, n_cols), checked.
CsrMatrix csr_of(const py::object& csr) {
  const auto parts = csr.cast<py::tuple>();
  STREAMML_CHECK(parts.size() == 4, Runtime, "csr must be (indptr, indices, data, n_cols)");
  const Int32Array indptr = Int32Array::ensure(parts[0]);
  const Int32Array indices = Int32Array::ensure(parts[1]);
  const DoubleArray values = DoubleArray::ensure(parts[2]);
  STREAMML_CHECK(indptr && indices && values && indptr.ndim() == 1 && indices.ndim() == 1 && values.ndim() == 1 &&
                     indptr.shape(0) >= 1,
                 InvalidInput, "sparse X: indptr, indices and data must be 1-D numeric arrays");
  STREAMML_CHECK(indices.shape(0) == values.shape(0), InvalidInput,
                 "sparse X: " << indices.shape(0) << " indices for " << values.shape(0) << " values");
  CsrMatrix m;
  m.cols = parts[3].cast<std::int64_t>();
  m.indptr.assign(indptr.data(), indptr.data() + indptr.size());
  m.indices.assign(indices.data(), indices.data() + indices.size());
  m.values.assign(values.data(), values.data() + values.size());
  STREAMML_CHECK(m.indptr.front() == 0 && m.indptr.back() == std::int32_t(values.shape(0)), InvalidInput,
                 "sparse X: indptr must run from 0 to the number of stored values ("
                     << values.shape(0) << "), got " << m.indptr.front() << " .. " << m.indptr.back());
  return m;
}

}  // namespace

std::optional<Batch> batch_from_python(const py::handle& object) {
  if (!py::isinstance<PyBatch>(object)) return std::nullopt;
  const PyBatch& p = object.cast<const PyBatch&>();
  Batch b;
  b.index = p.index;
  b.rows = p.rows;
  b.cols = p.cols;
  const DoubleArray features = DoubleArray::ensure(p.features);
  b.features.assign(features.data(), features.data() + features.size());
  const auto n = py::ssize_t(p.rows);
  if (!p.labels.is_none()) b.labels = doubles(p.labels, n, "labels");
  b.keys = key_column(p.keys);
  for (const auto& [role, values] : p.ids) b.ids.push_back({py::str(role), key_column(py::reinterpret_borrow<py::object>(values))});
  if (!p.event_times.is_none()) {
    const Int64Array us = Int64Array::ensure(p.event_times.attr("view")("int64"));
    b.event_times.assign(us.data(), us.data() + us.size());
  }
  if (!p.sparse.is_none())
    b.sparse = csr_of(py::make_tuple(p.sparse.attr("indptr"), p.sparse.attr("indices"), p.sparse.attr("data"),
                                     p.sparse.attr("shape")[py::int_(1)]));
  b.skipped_records = p.skipped_records;
  // The event-time interval of a batch cut by time: a learner's clock (Batch::event_time_end)
  // is its end, not the last record's time.
  auto micros = [](const py::object& t) {
    return t.is_none() ? EventTime{0} : py::cast<EventTime>(t.attr("astype")("datetime64[us]").attr("astype")("int64"));
  };
  b.interval_start = micros(p.interval_start);
  b.interval_end = micros(p.interval_end);
  b.validate();
  return b;
}

Batch batch_of(const py::object& x, const py::object& csr, const py::object& y, const py::object& keys) {
  std::optional<Batch> b = batch_from_python(x);
  if (!b) {
    b.emplace();
    std::optional<py::ssize_t> rows;
    if (!x.is_none()) {
      const DoubleArray dense = DoubleArray::ensure(x);
      STREAMML_CHECK(dense, InvalidInput, "X must be numeric");
      const auto m = rows_of(dense);
      rows = m.rows();
      b->cols = std::size_t(m.cols());
      b->features.assign(dense.data(), dense.data() + dense.size());
    }
    if (!csr.is_none()) {
      b->sparse = csr_of(csr);
      const auto n = py::ssize_t(b->sparse.rows());
      STREAMML_CHECK(!rows || *rows == n, InvalidInput, "sparse X has " << n << " rows, dense X has " << *rows);
      rows = n;
    }
    STREAMML_CHECK(rows.has_value(), Runtime, "a batch needs dense or sparse features");
    b->rows = std::size_t(*rows);
    if (b->cols == 0) b->features.clear();
  }
  if (!y.is_none()) {
    const DoubleArray labels = DoubleArray::ensure(y);
    STREAMML_CHECK(labels && labels.ndim() == 1, InvalidInput,
                   "y must be 1-D (n_samples,), got " << (labels ? shape_text(labels) : std::string("no numbers")));
    STREAMML_CHECK(std::size_t(labels.shape(0)) == b->rows, InvalidInput,
                   "y has " << labels.shape(0) << " entries, X has " << b->rows << " rows");
    b->labels.assign(labels.data(), labels.data() + labels.shape(0));
  }
  if (!keys.is_none()) {
    b->keys = key_column(keys);
    b->validate();  // one key per row
  }
  return std::move(*b);
}

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
  for (auto& column : batch.ids) out.ids[py::str(column.role)] = to_keys(std::move(column.values), StreamLayout{});
  for (auto& column : batch.outputs) out.outputs[py::str(column.name)] = to_python(std::move(column.values));
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
ids : dict
    Id columns beyond the key, by role ("item", "service"): arrays as ``keys``.
outputs : dict
    In a ``streamml.Pipeline``'s callback stage: the columns earlier stages added, by name
    (``"<stage>.probability"``, ``"<stage>.cluster"``); empty otherwise.
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
      .def_readonly("ids", &PyBatch::ids)
      .def_readonly("outputs", &PyBatch::outputs)
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
