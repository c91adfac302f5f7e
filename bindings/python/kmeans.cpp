// streamml._StreamingKMeans and streamml._kmeans_plusplus: what streaming k-means adds to the
// generic _Learner (learner.h).
//
// Added here: the dense path, where a float64 C-contiguous (n, d) X reaches the learner as an
// Eigen::Map without a copy (anything else is converted once by NumPy first), the centres and
// counters, and scikit-learn's k-means++ seeding on its own. The GIL is released around every
// computation.
#include <pybind11/eigen.h>

#include <cstdint>
#include <vector>

#include "algorithms/clustering/streaming_kmeans.h"
#include "bindings/python/learner.h"
#include "core/error.h"

namespace streamml::python {

namespace {

using KMeans = PyLearnerOf<StreamingKMeans>;

// f(model, rows) with the GIL released.
template <class F>
auto on_rows(const KMeans& p, const DoubleArray& x, F&& f) {
  const auto rows = rows_of(x);
  py::gil_scoped_release release;
  return f(p.model(), rows);
}

}  // namespace

void bind_kmeans(py::module_& m) {
  bind_learner_class<StreamingKMeans>(m, "_StreamingKMeans", R"doc(
The compiled learner behind streamml.StreamingKMeans; use that class instead.

A _Learner of type "kmeans". X (float64, C-contiguous, shape (n, d)) is read in place by the
*_dense methods, without a copy.
)doc")
      .def(
          "partial_fit_dense",
          [](KMeans& p, const DoubleArray& x) { on_rows(p, x, [](StreamingKMeans& k, const auto& r) { k.partial_fit(r); }); },
          py::arg("X"),
          "Learns one batch: Spark's StreamingKMeansModel.update (k-means++ / random centres first when they do not "
          "exist yet).")
      .def(
          "predict",
          [](const KMeans& p, const DoubleArray& x) {
            return on_rows(p, x, [](const StreamingKMeans& k, const auto& r) { return k.predict(r); });
          },
          py::arg("X"), "Index of the nearest centre per row, int32 (n,).")
      .def(
          "transform",
          [](const KMeans& p, const DoubleArray& x) {
            return on_rows(p, x, [](const StreamingKMeans& k, const auto& r) { return k.transform(r); });
          },
          py::arg("X"), "Euclidean distance to every centre, (n, k).")
      .def(
          "cost",
          [](const KMeans& p, const DoubleArray& x) {
            return on_rows(p, x, [](const StreamingKMeans& k, const auto& r) { return k.cost(r); });
          },
          py::arg("X"), "Sum of squared distances to the nearest centre (Spark's computeCost, sklearn's inertia).")
      .def_property_readonly("initialized", [](const KMeans& p) { return p.model().initialized(); })
      .def_property_readonly("dimension", [](const KMeans& p) { return p.model().dimension(); })
      .def_property_readonly("centers", [](const KMeans& p) { return RowMatrix(p.model().cluster_centers()); },
                             "Cluster centres, (k, d) (a copy).")
      .def_property_readonly("weights", [](const KMeans& p) { return Eigen::VectorXd(p.model().cluster_weights()); },
                             "Cluster weights, (k,) (a copy).")
      .def_property_readonly("batches_seen", [](const KMeans& p) { return p.model().state().batches_seen; })
      .def_property_readonly("points_seen", [](const KMeans& p) { return p.model().state().points_seen; })
      .def_property_readonly("splits", [](const KMeans& p) { return p.model().state().splits; })
      .def_property_readonly("last_batch_cost", [](const KMeans& p) { return p.model().state().last_batch_cost; });

  m.def(
      "_kmeans_plusplus",
      [](const DoubleArray& x, std::int64_t k, std::int64_t seed) {
        STREAMML_CHECK(seed >= 0 && seed <= 0xFFFFFFFFLL, InvalidInput, "seed must be in [0, 2^32 - 1], got " << seed);
        const auto rows = rows_of(x);
        std::vector<std::size_t> ids;
        {
          py::gil_scoped_release release;
          ids = kmeans_plusplus(rows, k, std::uint32_t(seed));
        }
        py::array_t<std::int64_t> out(py::ssize_t(ids.size()));
        for (std::size_t i = 0; i < ids.size(); ++i) out.mutable_data()[i] = std::int64_t(ids[i]);
        return out;
      },
      py::arg("X"), py::arg("k"), py::arg("seed"),
      "Row indices chosen by scikit-learn 1.2's greedy k-means++ with NumPy's RandomState(seed).");
}

}  // namespace streamml::python
