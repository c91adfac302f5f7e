// streamml._ChurnModel: what the churn learner (algorithms/churn/churn_model.h) adds to the
// generic _Learner: the active customers, their features and risks after the last batch, the
// riskiest, and the delayed-label join's counters. Construction, settings, partial_fit / score
// on batches and checkpoints are _Learner's. And _plan_retention: the retention budget
// (algorithms/optimize/retention.h) on given risks and values.
#include <pybind11/eigen.h>
#include <pybind11/stl.h>

#include "algorithms/churn/churn_model.h"
#include "algorithms/optimize/retention.h"
#include "bindings/python/learner.h"

namespace streamml::python {

namespace {
using PyChurn = PyLearnerOf<ChurnModel>;

Eigen::VectorXd vector_of(const std::vector<double>& v) {
  return Eigen::Map<const Eigen::VectorXd>(v.data(), Eigen::Index(v.size()));
}

py::dict plan_dict(const RetentionPlan& plan, const std::vector<double>& risk, const std::vector<double>& value,
                   const RetentionSettings& s) {
  std::vector<std::int64_t> index;
  std::vector<double> saved, cost;
  for (std::size_t k = 0; k < plan.customers.size(); ++k) {
    const auto i = plan.customers[k];
    const auto j = std::size_t(plan.offers[k]);
    index.push_back(std::int64_t(i));
    saved.push_back(plan.shares[k] * risk[i] * s.offer_uplift[j] * value[i]);
    cost.push_back(plan.shares[k] * s.offer_cost[j]);
  }
  py::dict out;
  out["customer"] = index;
  out["offer"] = plan.offers;
  out["share"] = plan.shares;
  out["expected_saved"] = saved;
  out["cost"] = cost;
  out["status"] = std::string(status_name(plan.status));
  out["total_saved"] = plan.expected_saved;
  out["spent"] = plan.spent;
  return out;
}

}  // namespace

RetentionSettings retention_settings(const py::dict& keywords) {
  RetentionSettings r;
  for (const auto& [k, v] : keywords) {
    const std::string key = py::str(k);
    if (v.is_none()) continue;
    if (key == "budget") r.budget = v.cast<double>();
    else if (key == "candidates") r.candidates = v.cast<std::int64_t>();
    else if (key == "relax") r.relax = v.cast<bool>();
    else if (key == "max_idle_days") r.max_idle_days = v.cast<double>();
    else if (key == "offer_cost") r.offer_cost = v.cast<std::vector<double>>();
    else if (key == "offer_uplift") r.offer_uplift = v.cast<std::vector<double>>();
    else if (key == "offer_capacity") r.offer_capacity = v.cast<std::vector<double>>();
    else r.set(key, "");  // names the unknown key and the known ones
  }
  r.validate();
  return r;
}

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
      .def_property_readonly("values", [](const PyChurn& p) { return vector_of(p.model().values()); })
      .def_property_readonly("idle_days", [](const PyChurn& p) { return vector_of(p.model().idle_days()); })
      .def("retention_plan",
           [](const PyChurn& p, const py::dict& keywords) {
             const RetentionSettings s = retention_settings(keywords);
             const ChurnModel& c = p.model();
             return plan_dict(plan_retention(c.risks(), c.values(), c.idle_days(), s), c.risks(), c.values(), s);
           },
           py::arg("settings"))
      .def_property_readonly("batches_seen", [](const PyChurn& p) { return p.model().batches_seen(); });
  m.def(
      "_plan_retention",
      [](const std::vector<double>& risk, const std::vector<double>& value, const std::vector<double>& idle_days,
         const py::dict& keywords) {
        const RetentionSettings s = retention_settings(keywords);
        return plan_dict(plan_retention(risk, value, idle_days, s), risk, value, s);
      },
      py::arg("risk"), py::arg("value"), py::arg("idle_days"), py::arg("settings"));
}

}  // namespace streamml::python
