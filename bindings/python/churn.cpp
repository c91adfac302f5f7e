// streamml._ChurnModel: what the churn learner (algorithms/churn/churn_model.h) adds to the
// generic _Learner: the active customers, their features and risks after the last batch, the
// riskiest, and the delayed-label join's counters. Construction, settings, partial_fit / score
// on batches and checkpoints are _Learner's.
#include <pybind11/eigen.h>
#include <pybind11/stl.h>

#include "algorithms/churn/churn_model.h"
#include "bindings/python/learner.h"

namespace streamml::python {

namespace {
using PyChurn = PyLearnerOf<ChurnModel>;
}  // namespace

void bind_churn(py::module_& m) {
  bind_learner_class<ChurnModel>(m, "_ChurnModel", R"doc(
The compiled churn learner behind streamml.ChurnModel (type "churn").
)doc")
      .def_property_readonly("customers", [](const PyChurn& p) { return p.model().customers(); })
      .def_property_readonly("risks", [](const PyChurn& p) {
        const auto& r = p.model().risks();
        return Eigen::VectorXd(Eigen::Map<const Eigen::VectorXd>(r.data(), Eigen::Index(r.size())));
      })
      .def_property_readonly("features", [](const PyChurn& p) {
        const ChurnModel& c = p.model();
        const auto n = Eigen::Index(c.customers().size()), d = Eigen::Index(c.feature_names().size());
        return RowMatrix(ConstRowMatrixMap(c.features().data(), n, n ? d : 0));
      })
      .def_property_readonly("feature_names", [](const PyChurn& p) { return p.model().feature_names(); })
      .def("top", [](const PyChurn& p, std::size_t k) { return p.model().top(k); }, py::arg("k"))
      .def_property_readonly("clock", [](const PyChurn& p) { return p.model().clock(); })
      .def_property_readonly("examples", [](const PyChurn& p) { return p.model().examples(); })
      .def_property_readonly("positives", [](const PyChurn& p) { return p.model().positives(); })
      .def_property_readonly("pending", [](const PyChurn& p) { return p.model().join().pending(); })
      .def_property_readonly("dropped", [](const PyChurn& p) { return p.model().join().dropped(); })
      .def_property_readonly("batches_seen", [](const PyChurn& p) { return p.model().batches_seen(); });
}

}  // namespace streamml::python
