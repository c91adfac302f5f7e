// streamml.demo.run_decision_system(...): the decision system of `streamml demo` from Python,
// the same C++ run (apps/decision_system.h) and judgement, returned as the summary's JSON text.
#include "apps/demo_command.h"
#include "bindings/python/bindings.h"

namespace streamml::python {

void bind_demo(py::module_& m) {
  m.def(
      "_run_decision_system",
      [](const std::string& data, const std::string& out, std::int64_t checkpoint_every, bool resume, double speed,
         bool progress) {
        DecisionSystemSettings s;
        s.data_dir = data;
        s.out_dir = out;
        s.checkpoint_every = checkpoint_every;
        s.resume = resume;
        s.speed = speed;
        s.progress = progress;
        py::gil_scoped_release release;
        return run_and_judge(s).summary_json;
      },
      py::arg("data"), py::arg("out"), py::arg("checkpoint_every"), py::arg("resume"), py::arg("speed"),
      py::arg("progress"));
}

}  // namespace streamml::python
