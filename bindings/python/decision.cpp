// streamml._Allocator and streamml._Autoscaler: what the decision learners add to the generic
// _Learner (learner.h; algorithms/optimize/allocation.h, autoscale.h): their last decision.
// Construction, settings, partial_fit / score on batches and checkpoints are _Learner's.
#include <pybind11/eigen.h>

#include "algorithms/optimize/allocation.h"
#include "algorithms/optimize/autoscale.h"
#include "bindings/python/learner.h"

namespace streamml::python {

namespace {

using PyAllocator = PyLearnerOf<Allocator>;
using PyAutoscaler = PyLearnerOf<Autoscaler>;

}  // namespace

void bind_decision(py::module_& m) {
  bind_learner_class<Allocator>(m, "_Allocator", R"doc(
The compiled allocation learner behind streamml.Allocator (type "allocate").
)doc")
      .def_property_readonly("decided", [](const PyAllocator& p) { return p.model().decided(); })
      .def_property_readonly("allocation", [](const PyAllocator& p) { return RowMatrix(p.model().last_decision().x); },
                             "Requests/s of each service on each server, (servers, services) (a copy).")
      .def_property_readonly("unmet", [](const PyAllocator& p) { return Eigen::VectorXd(p.model().last_decision().unmet); })
      .def_property_readonly("demand", [](const PyAllocator& p) { return Eigen::VectorXd(p.model().last_decision().demand); })
      .def_property_readonly("served", [](const PyAllocator& p) { return Eigen::VectorXd(p.model().served()); })
      .def_property_readonly("planned_demand", [](const PyAllocator& p) { return Eigen::VectorXd(p.model().planned_demand()); })
      .def_property_readonly("serving_cost", [](const PyAllocator& p) { return p.model().last_decision().serving_cost; })
      .def_property_readonly("moved", [](const PyAllocator& p) { return p.model().last_decision().moved; })
      .def_property_readonly("objective", [](const PyAllocator& p) { return p.model().last_decision().objective; })
      .def_property_readonly("iterations", [](const PyAllocator& p) { return p.model().last_decision().iterations; })
      .def_property_readonly("warm", [](const PyAllocator& p) { return p.model().last_decision().warm; })
      .def_property_readonly("batches_seen", [](const PyAllocator& p) { return p.model().batches_seen(); });

  bind_learner_class<Autoscaler>(m, "_Autoscaler", R"doc(
The compiled auto-scaling learner behind streamml.Autoscaler (type "autoscale").
)doc")
      .def_property_readonly("instances", [](const PyAutoscaler& p) { return p.model().instances(); })
      .def_property_readonly("planned", [](const PyAutoscaler& p) { return Eigen::VectorXd(p.model().last_decision().planned); })
      .def_property_readonly("processing_rates",
                             [](const PyAutoscaler& p) { return Eigen::VectorXd(p.model().processing_rates()); })
      .def_property_readonly("mip", [](const PyAutoscaler& p) { return p.model().last_decision().mip; })
      .def_property_readonly("mip_gap", [](const PyAutoscaler& p) { return p.model().last_decision().mip_gap; })
      .def_property_readonly("started", [](const PyAutoscaler& p) { return p.model().last_decision().started; })
      .def_property_readonly("stopped", [](const PyAutoscaler& p) { return p.model().last_decision().stopped; })
      .def_property_readonly("batches_seen", [](const PyAutoscaler& p) { return p.model().batches_seen(); });
}

}  // namespace streamml::python
