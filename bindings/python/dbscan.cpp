// streamml._DBSCAN and streamml._WindowedDBSCAN: thin bindings of
// algorithms/clustering/dbscan.h and algorithms/clustering/windowed_dbscan.h.
//
// Conversions only; the maths and every check (settings, NaN/Inf, dimensions) stay in C++.
//   - X: py::array_t<double, c_style | forcecast>. A float64 C-contiguous (n, d) array is not
//     copied: its buffer reaches C++ as a pointer and a stride. Anything else is converted
//     once by NumPy first.
//   - Results (labels, indices, counts) are int64 vectors moved out of C++ into NumPy arrays
//     without a copy (adopt_vector).
//   - The GIL is released around every computation.
// The scikit-learn-style classes streamml.DBSCAN and streamml.WindowedDBSCAN
// (streamml/dbscan.py) wrap these; settings arrive as a dict and go through the same
// DBSCANSettings::set() / WindowedDBSCANSettings::set() the command line's --param uses.
#include <charconv>
#include <string>
#include <utility>

#include "algorithms/clustering/dbscan.h"
#include "algorithms/clustering/windowed_dbscan.h"
#include <optional>

#include "bindings/python/bindings.h"
#include "core/error.h"
#include "core/json.h"

namespace streamml::python {

namespace {

using DoubleArray = py::array_t<double, py::array::c_style | py::array::forcecast>;

void check_x(const DoubleArray& x) {
  STREAMML_CHECK(x.ndim() == 2, InvalidInput,
                 "X must be 2-D (n_samples, n_features), got a " << x.ndim() << "-D array");
}

// A Python setting value as the text the settings' set() reads.
std::string setting_text(const std::string& name, const py::handle& handle) {
  const auto value = py::reinterpret_borrow<py::object>(handle);
  if (py::isinstance<py::str>(value)) return value.cast<std::string>();
  if (py::isinstance<py::bool_>(value))
    STREAMML_FAIL(InvalidInput, "setting '" << name << "' expects a number, got a bool");
  if (py::isinstance<py::int_>(value) || py::hasattr(value, "__index__"))
    return std::to_string(py::int_(value).cast<std::int64_t>());
  if (PyNumber_Check(value.ptr())) {
    const double x = py::float_(value).cast<double>();
    char buf[64];
    const auto r = std::to_chars(buf, buf + sizeof buf, x);
    return std::string(buf, r.ptr);
  }
  STREAMML_FAIL(InvalidInput, "setting '" << name << "' expects a number or a string, got "
                                          << py::repr(value).cast<std::string>());
}

template <class Settings>
Settings settings_of(const py::dict& params) {
  Settings s;
  for (const auto& [key, value] : params) {
    const std::string name = py::str(key).cast<std::string>();
    s.set(name, setting_text(name, value));
  }
  s.validate();
  return s;
}

py::array int_array(std::vector<std::int64_t>&& v) {
  const auto n = py::ssize_t(v.size());
  return adopt_vector(std::move(v), {n});
}

class PyDBSCAN {
 public:
  explicit PyDBSCAN(const py::dict& params) : model_(settings_of<DBSCANSettings>(params)) {}

  py::dict fit(const DoubleArray& x) const {
    check_x(x);
    DBSCANResult r;
    {
      const double* data = x.data();
      const auto n = std::size_t(x.shape(0)), d = std::size_t(x.shape(1));
      py::gil_scoped_release release;
      r = model_.fit(data, n, d, d);
    }
    py::dict out;
    out["n_clusters"] = r.n_clusters;
    out["n_noise"] = r.n_noise;
    out["labels"] = int_array(std::move(r.labels));
    out["core_sample_indices"] = int_array(std::move(r.core_sample_indices));
    out["neighbor_counts"] = int_array(std::move(r.neighbor_counts));
    out["cluster_sizes"] = int_array(std::move(r.cluster_sizes));
    return out;
  }

  std::string params_json() const { return model_.settings().to_json(); }

 private:
  DBSCAN model_;
};

class PyWindowedDBSCAN : public PyStateful {
 public:
  explicit PyWindowedDBSCAN(const py::dict& params) : model_(settings_of<WindowedDBSCANSettings>(params)) {}

  py::array partial_fit(const DoubleArray& x, std::optional<std::int64_t> time_us) {
    check_x(x);
    {
      const double* data = x.data();
      const auto n = std::size_t(x.shape(0)), d = std::size_t(x.shape(1));
      py::gil_scoped_release release;
      model_.partial_fit(data, n, d, d, time_us);
    }
    return int_array(std::vector<std::int64_t>(model_.last_labels()));
  }

  py::array predict(const DoubleArray& x) const {
    check_x(x);
    std::vector<std::int64_t> labels;
    {
      const double* data = x.data();
      const auto n = std::size_t(x.shape(0)), d = std::size_t(x.shape(1));
      py::gil_scoped_release release;
      labels = model_.predict(data, n, d, d);
    }
    return int_array(std::move(labels));
  }

  const WindowedDBSCAN& model() const { return model_; }
  Stateful& stateful() override { return model_; }

 private:
  WindowedDBSCAN model_;
};

}  // namespace

void bind_dbscan(py::module_& m) {
  py::class_<PyDBSCAN>(m, "_DBSCAN", R"doc(
The compiled exact DBSCAN behind streamml.DBSCAN; use that class instead.

Built from a dict of settings (eps, min_samples, metric, algorithm), read by the same parser
as the command line's --param; bad settings raise ValueError. ``fit(X)`` reads a float64
C-contiguous (n, d) X in place and returns a dict: labels, core_sample_indices,
neighbor_counts, cluster_sizes (int64 arrays), n_clusters, n_noise. The GIL is released
while it runs.
)doc")
      .def(py::init<const py::dict&>(), py::arg("settings"))
      .def_static("setting_names", [] { return dbscan_settings_table().names(); })
      .def("fit", &PyDBSCAN::fit, py::arg("X"))
      .def_property_readonly("params_json", &PyDBSCAN::params_json);

  py::class_<PyWindowedDBSCAN, PyStateful>(m, "_WindowedDBSCAN", R"doc(
The compiled sliding-window DBSCAN behind streamml.WindowedDBSCAN; use that class instead.

``partial_fit(X)`` slides the window by one batch and returns the batch's labels (int64);
``predict(X)`` labels points against the current window without adding them. The GIL is
released while either runs.
)doc")
      .def(py::init<const py::dict&>(), py::arg("settings"))
      .def_static("setting_names", [] { return WindowedDBSCAN::settings_table().names(); })
      .def("partial_fit", &PyWindowedDBSCAN::partial_fit, py::arg("X"), py::arg("time_us") = py::none())
      .def("predict", &PyWindowedDBSCAN::predict, py::arg("X"))
      .def_property_readonly("last_labels",
                             [](const PyWindowedDBSCAN& p) {
                               return int_array(std::vector<std::int64_t>(p.model().last_labels()));
                             })
      .def_property_readonly("last_anomalies", [](const PyWindowedDBSCAN& p) { return int_array(p.model().last_anomalies()); })
      .def_property_readonly("window_labels", [](const PyWindowedDBSCAN& p) { return int_array(p.model().window_labels()); })
      .def_property_readonly("window_core_sample_indices",
                             [](const PyWindowedDBSCAN& p) { return int_array(p.model().window_core_sample_indices()); })
      .def_property_readonly("window_features",
                             [](const PyWindowedDBSCAN& p) {
                               const RowMatrix x = p.model().window_features();
                               py::array_t<double> out({py::ssize_t(x.rows()), py::ssize_t(x.cols())});
                               std::copy(x.data(), x.data() + x.size(), out.mutable_data());
                               return out;
                             })
      .def_property_readonly("cluster_sizes", [](const PyWindowedDBSCAN& p) { return p.model().cluster_sizes(); })
      .def_property_readonly("window_points", [](const PyWindowedDBSCAN& p) { return p.model().window_points(); })
      .def_property_readonly("window_batches", [](const PyWindowedDBSCAN& p) { return p.model().window_batches(); })
      .def_property_readonly("window_noise", [](const PyWindowedDBSCAN& p) { return p.model().window_noise(); })
      .def_property_readonly("first_sequence", [](const PyWindowedDBSCAN& p) { return p.model().first_sequence(); })
      .def_property_readonly("batches_seen", [](const PyWindowedDBSCAN& p) { return p.model().batches_seen(); })
      .def_property_readonly("dimension", [](const PyWindowedDBSCAN& p) { return p.model().dimension(); })
      .def_property_readonly("last_reexpanded", [](const PyWindowedDBSCAN& p) { return p.model().last_reexpanded(); })
      .def_property_readonly("params_json", [](const PyWindowedDBSCAN& p) { return p.model().params_json(); })
      .def_property_readonly("summary_json", [](const PyWindowedDBSCAN& p) {
        JsonWriter w;
        w.begin_object();
        p.model().write_summary(w);
        w.end_object();
        return w.str();
      });
}

}  // namespace streamml::python
