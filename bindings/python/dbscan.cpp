// streamml._DBSCAN and streamml._WindowedDBSCAN: exact DBSCAN on a batch
// (algorithms/clustering/dbscan.h), and what the windowed one adds to the generic _Learner
// (learner.h; algorithms/clustering/windowed_dbscan.h).
//
// Conversions only; the maths and every check (settings, NaN/Inf, dimensions) stay in C++.
//   - X: a float64 C-contiguous (n, d) array is not copied: its buffer reaches C++ as a
//     pointer and a stride. Anything else is converted once by NumPy first.
//   - Results (labels, indices, counts) are int64 vectors moved out of C++ into NumPy arrays
//     without a copy (adopt_vector).
//   - The GIL is released around every computation.
// Batch DBSCAN is not a stream learner (it is not registered); its settings come from
// dbscan_settings_table() through the same conversion as every learner's.
#include <optional>
#include <string>
#include <utility>

#include "algorithms/clustering/dbscan.h"
#include "algorithms/clustering/windowed_dbscan.h"
#include "bindings/python/learner.h"
#include "core/error.h"
#include "core/json.h"

namespace streamml::python {

namespace {

py::array int_array(std::vector<std::int64_t>&& v) {
  const auto n = py::ssize_t(v.size());
  return adopt_vector(std::move(v), {n});
}

using Windowed = PyLearnerOf<WindowedDBSCAN>;

py::dict fit_dbscan(const DBSCAN& model, const DoubleArray& x, const py::object& sample_weight) {
  const auto rows = rows_of(x);
  std::optional<DoubleArray> weights;
  if (!sample_weight.is_none()) {
    weights = DoubleArray::ensure(sample_weight);
    STREAMML_CHECK(*weights && weights->ndim() == 1 && weights->shape(0) == rows.rows(), InvalidInput,
                   "sample_weight must be 1-D with one weight per row of X (" << rows.rows() << "), got "
                       << (*weights ? shape_text(*weights) : std::string(py::repr(sample_weight))));
  }
  DBSCANResult r;
  {
    py::gil_scoped_release release;
    r = model.fit(rows.data(), std::size_t(rows.rows()), std::size_t(rows.cols()), std::size_t(rows.cols()),
                  weights ? weights->data() : nullptr);
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

}  // namespace

void bind_dbscan(py::module_& m) {
  py::class_<DBSCAN>(m, "_DBSCAN", R"doc(
The compiled exact DBSCAN behind streamml.DBSCAN; use that class instead.

Built from a dict of settings (those of _dbscan_settings()), checked by its settings table;
bad settings raise ValueError. ``fit(X, sample_weight)`` reads a float64 C-contiguous (n, d) X
in place and returns a dict: labels, core_sample_indices, neighbor_counts, cluster_sizes
(int64 arrays), n_clusters, n_noise. The GIL is released while it runs.
)doc")
      .def(py::init([](const py::dict& settings) { return DBSCAN(settings_of(dbscan_settings_table(), settings)); }),
           py::arg("settings"))
      .def("fit", &fit_dbscan, py::arg("X"), py::arg("sample_weight") = py::none())
      .def_property_readonly("params_json", [](const DBSCAN& d) { return d.settings().to_json(); });
  m.def("_dbscan_settings", [] { return settings_info(dbscan_settings_table()); },
        "Batch DBSCAN's settings table as data (as _learner_types() gives a registered type's).");

  bind_learner_class<WindowedDBSCAN>(m, "_WindowedDBSCAN", R"doc(
The compiled sliding-window DBSCAN behind streamml.WindowedDBSCAN; use that class instead.

A _Learner of type "dbscan". ``partial_fit_dense(X, time_us)`` slides the window by one batch
and returns the batch's labels (int64); ``predict(X)`` labels points against the current window
without adding them. The GIL is released while either runs.
)doc")
      .def(
          "partial_fit_dense",
          [](Windowed& p, const DoubleArray& x, std::optional<std::int64_t> time_us) {
            const auto rows = rows_of(x);
            {
              py::gil_scoped_release release;
              p.model().partial_fit(rows.data(), std::size_t(rows.rows()), std::size_t(rows.cols()),
                                    std::size_t(rows.cols()), time_us);
            }
            return int_array(std::vector<std::int64_t>(p.model().last_labels()));
          },
          py::arg("X"), py::arg("time_us") = py::none())
      .def(
          "predict",
          [](const Windowed& p, const DoubleArray& x) {
            const auto rows = rows_of(x);
            std::vector<std::int64_t> labels;
            {
              py::gil_scoped_release release;
              labels = p.model().predict(rows.data(), std::size_t(rows.rows()), std::size_t(rows.cols()),
                                         std::size_t(rows.cols()));
            }
            return int_array(std::move(labels));
          },
          py::arg("X"))
      .def_property_readonly("last_labels",
                             [](const Windowed& p) { return int_array(std::vector<std::int64_t>(p.model().last_labels())); })
      .def_property_readonly("last_anomalies", [](const Windowed& p) { return int_array(p.model().last_anomalies()); })
      .def_property_readonly("window_labels", [](const Windowed& p) { return int_array(p.model().window_labels()); })
      .def_property_readonly("window_core_sample_indices",
                             [](const Windowed& p) { return int_array(p.model().window_core_sample_indices()); })
      .def_property_readonly("window_features",
                             [](const Windowed& p) {
                               const RowMatrix x = p.model().window_features();
                               py::array_t<double> out({py::ssize_t(x.rows()), py::ssize_t(x.cols())});
                               std::copy(x.data(), x.data() + x.size(), out.mutable_data());
                               return out;
                             })
      .def_property_readonly("cluster_sizes", [](const Windowed& p) { return p.model().cluster_sizes(); })
      .def_property_readonly("window_points", [](const Windowed& p) { return p.model().window_points(); })
      .def_property_readonly("window_batches", [](const Windowed& p) { return p.model().window_batches(); })
      .def_property_readonly("window_noise", [](const Windowed& p) { return p.model().window_noise(); })
      .def_property_readonly("first_sequence", [](const Windowed& p) { return p.model().first_sequence(); })
      .def_property_readonly("batches_seen", [](const Windowed& p) { return p.model().batches_seen(); })
      .def_property_readonly("dimension", [](const Windowed& p) { return p.model().dimension(); })
      .def_property_readonly("last_reexpanded", [](const Windowed& p) { return p.model().last_reexpanded(); });
}

}  // namespace streamml::python
