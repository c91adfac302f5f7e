// streamml._StreamingKMeans and streamml._kmeans_plusplus: thin bindings of
// algorithms/clustering/streaming_kmeans.h.
//
// Conversions only; the maths and every check of settings, shapes and NaN/Inf stay in C++.
//   - X: py::array_t<double, c_style | forcecast>. A float64 C-contiguous (n, d) array is not
//     copied: its buffer reaches the learner as an Eigen::Map. Anything else (Fortran order,
//     int, a list) is converted once by NumPy first.
//   - The GIL is released around partial_fit, predict, transform and cost.
// The scikit-learn-style class streamml.StreamingKMeans (streamml/clustering.py) wraps
// _StreamingKMeans; its settings arrive as keyword arguments and are validated by
// StreamingKMeansSettings::validate().
#include <pybind11/eigen.h>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "algorithms/clustering/streaming_kmeans.h"
#include "bindings/python/bindings.h"
#include "core/error.h"

namespace streamml::python {

namespace {

using DoubleArray = py::array_t<double, py::array::c_style | py::array::forcecast>;

std::string shape_of(const py::array& a) {
  std::string s = "(";
  for (py::ssize_t i = 0; i < a.ndim(); ++i) s += (i ? ", " : "") + std::to_string(a.shape(i));
  return s + (a.ndim() == 1 ? ",)" : ")");
}

ConstRowMatrixMap map_2d(const DoubleArray& x, const char* name) {
  STREAMML_CHECK(x.ndim() == 2, InvalidInput,
                 name << " must be 2-D (n_samples, n_features), got a " << x.ndim() << "-D array of shape "
                      << shape_of(x));
  return {x.data(), Eigen::Index(x.shape(0)), Eigen::Index(x.shape(1))};
}

std::vector<double> flat(const py::object& value, int ndim, const char* name) {
  if (value.is_none()) return {};
  DoubleArray a = DoubleArray::ensure(value);
  STREAMML_CHECK(a && a.ndim() == ndim, InvalidInput,
                 name << " must be a " << ndim << "-D array of numbers, got " << py::repr(value).cast<std::string>());
  return {a.data(), a.data() + a.size()};
}

StreamingKMeansSettings make_settings(std::int64_t k, double decay_factor, double half_life,
                                      const std::string& time_unit, const std::string& init,
                                      const py::object& initial_centers, const py::object& initial_weights,
                                      std::int64_t dimension, std::int64_t seed) {
  StreamingKMeansSettings s;
  s.k = k;
  s.decay_factor = decay_factor;
  s.half_life = half_life;
  s.set("time_unit", time_unit);
  s.set("init", init);
  s.dimension = dimension;
  STREAMML_CHECK(seed >= 0, InvalidInput, "seed must be in [0, 2^32 - 1] (NumPy's legacy RandomState seed), got " << seed);
  s.seed = std::uint64_t(seed);
  s.initial_centers = flat(initial_centers, 2, "initial_centers");
  if (!initial_centers.is_none()) {
    const auto d = DoubleArray::ensure(initial_centers).shape(1);
    STREAMML_CHECK(DoubleArray::ensure(initial_centers).shape(0) == k, InvalidInput,
                   "initial_centers has " << DoubleArray::ensure(initial_centers).shape(0) << " rows, k is " << k);
    STREAMML_CHECK(dimension == 0 || dimension == d, InvalidInput,
                   "initial_centers has " << d << " columns, dimension is " << dimension);
    s.dimension = d;
  }
  s.initial_weights = flat(initial_weights, 1, "initial_weights");
  s.validate();
  return s;
}

class PyKMeans : public PyStateful {
 public:
  explicit PyKMeans(StreamingKMeansSettings settings) : model_(std::move(settings)) {}

  void partial_fit(const DoubleArray& x) {
    auto xm = map_2d(x, "X");
    py::gil_scoped_release release;
    model_.partial_fit(xm);
  }
  Eigen::VectorXi predict(const DoubleArray& x) const {
    auto xm = map_2d(x, "X");
    py::gil_scoped_release release;
    return model_.predict(xm);
  }
  RowMatrix transform(const DoubleArray& x) const {
    auto xm = map_2d(x, "X");
    py::gil_scoped_release release;
    return model_.transform(xm);
  }
  double cost(const DoubleArray& x) const {
    auto xm = map_2d(x, "X");
    py::gil_scoped_release release;
    return model_.cost(xm);
  }
  void set_state(const PyKMeans& other) { model_.set_state(other.model_.state()); }

  const StreamingKMeans& model() const { return model_; }
  Stateful& stateful() override { return model_; }

 private:
  StreamingKMeans model_;
};

}  // namespace

void bind_kmeans(py::module_& m) {
  py::class_<PyKMeans, PyStateful>(m, "_StreamingKMeans", R"doc(
The compiled learner behind streamml.StreamingKMeans; use that class instead.

Built from the settings of the C++ StreamingKMeansSettings (bad settings raise ValueError).
X (float64, C-contiguous, shape (n, d)) is read in place, without a copy; the GIL is released
while the learner trains or predicts.
)doc")
      .def(py::init([](std::int64_t k, double decay_factor, double half_life, const std::string& time_unit,
                       const std::string& init, const py::object& initial_centers,
                       const py::object& initial_weights, std::int64_t dimension, std::int64_t seed) {
             return PyKMeans(make_settings(k, decay_factor, half_life, time_unit, init, initial_centers,
                                           initial_weights, dimension, seed));
           }),
           py::kw_only(), py::arg("k"), py::arg("decay_factor"), py::arg("half_life"), py::arg("time_unit"),
           py::arg("init"), py::arg("initial_centers"), py::arg("initial_weights"), py::arg("dimension"),
           py::arg("seed"))
      .def("partial_fit", &PyKMeans::partial_fit, py::arg("X"),
           "Learns one batch: Spark's StreamingKMeansModel.update (k-means++ / random centres first "
           "when they do not exist yet).")
      .def("predict", &PyKMeans::predict, py::arg("X"), "Index of the nearest centre per row, int32 (n,).")
      .def("transform", &PyKMeans::transform, py::arg("X"), "Euclidean distance to every centre, (n, k).")
      .def("cost", &PyKMeans::cost, py::arg("X"),
           "Sum of squared distances to the nearest centre (Spark's computeCost, sklearn's inertia).")
      .def("set_state", &PyKMeans::set_state, py::arg("other"),
           "Takes `other`'s learned state (ValueError if it does not fit these settings).")
      .def_property_readonly("initialized", [](const PyKMeans& p) { return p.model().initialized(); })
      .def_property_readonly("dimension", [](const PyKMeans& p) { return p.model().dimension(); })
      .def_property_readonly("centers", [](const PyKMeans& p) { return RowMatrix(p.model().cluster_centers()); },
                             "Cluster centres, (k, d) (a copy).")
      .def_property_readonly("weights", [](const PyKMeans& p) { return Eigen::VectorXd(p.model().cluster_weights()); },
                             "Cluster weights, (k,) (a copy).")
      .def_property_readonly("batches_seen", [](const PyKMeans& p) { return p.model().state().batches_seen; })
      .def_property_readonly("points_seen", [](const PyKMeans& p) { return p.model().state().points_seen; })
      .def_property_readonly("splits", [](const PyKMeans& p) { return p.model().state().splits; })
      .def_property_readonly("last_batch_cost", [](const PyKMeans& p) { return p.model().state().last_batch_cost; })
      .def_property_readonly("params_json", [](const PyKMeans& p) { return p.model().params_json(); });

  m.def(
      "_kmeans_plusplus",
      [](const DoubleArray& x, std::int64_t k, std::int64_t seed) {
        STREAMML_CHECK(seed >= 0 && seed <= 0xFFFFFFFFLL, InvalidInput,
                       "seed must be in [0, 2^32 - 1], got " << seed);
        auto xm = map_2d(x, "X");
        std::vector<std::size_t> ids;
        {
          py::gil_scoped_release release;
          ids = kmeans_plusplus(xm, k, std::uint32_t(seed));
        }
        py::array_t<std::int64_t> out(py::ssize_t(ids.size()));
        for (std::size_t i = 0; i < ids.size(); ++i) out.mutable_data()[i] = std::int64_t(ids[i]);
        return out;
      },
      py::arg("X"), py::arg("k"), py::arg("seed"),
      "Row indices chosen by scikit-learn 1.2's greedy k-means++ with NumPy's RandomState(seed).");
}

}  // namespace streamml::python
