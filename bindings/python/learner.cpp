// streamml._Learner and streamml._learner_types: the learner interface and the registry, bound
// once (learner.h). The Python classes (streamml/_estimator.py) build their keyword arguments,
// defaults and docstrings from _learner_types(), and make their compiled object as
// _Learner(type, settings) or a subclass of it.
#include "bindings/python/learner.h"

#include <pybind11/eigen.h>

#include <utility>

#include "algorithms/registry.h"
#include "core/checkpoint_file.h"
#include "core/error.h"
#include "core/json.h"
#include "core/learner_registry.h"

namespace streamml::python {

namespace {

// `inner` seen through a checkpoint whose settings are replaced by `params`: loading a
// checkpoint of the previous object into it gives the previous state under new settings.
class WithSettings : public Stateful {
 public:
  WithSettings(Stateful& inner, std::string params) : inner_(inner), params_(std::move(params)) {}
  std::string type() const override { return inner_.type(); }
  std::string params_json() const override { return params_; }
  std::int64_t state_version() const override { return inner_.state_version(); }
  void save_state(StateWriter& out) const override { inner_.save_state(out); }
  void load_state(const std::string& /*saved*/, const StateReader& in) override { inner_.load_state(params_, in); }

 private:
  Stateful& inner_;
  std::string params_;
};

std::shared_ptr<Stateful> make(const std::string& type, const py::dict& settings) {
  const LearnerType& t = learner_registry().get(type);
  return t.from_text(settings_text(settings, t.name));
}

py::dict setting_dict(const SettingInfo& s) {
  py::dict d;
  d["name"] = s.name;
  d["type"] = setting_type_name(s.type);
  d["default"] = s.default_json;
  d["choices"] = s.choices;
  d["range"] = s.range;
  d["doc"] = s.doc;
  return d;
}

std::string summary_json(const Learner& learner) {
  JsonWriter w;
  w.begin_object();
  learner.write_summary(w);
  w.end_object();
  return w.str();
}

}  // namespace

py::list settings_info(const SettingsTableBase& table) {
  py::list out;
  for (const auto& s : table.settings()) out.append(setting_dict(s));
  return out;
}

PyLearner::PyLearner(std::shared_ptr<Stateful> made) : object_(std::move(made)) {
  STREAMML_CHECK(object_ != nullptr, Runtime, "a learner object is null");
  if (learner_registry().get(object_->type()).role != LearnerRole::Evaluator)
    learner_ = static_cast<Learner*>(object_.get());
}

PyLearner::PyLearner(const std::string& type, const py::dict& settings) : PyLearner(make(type, settings)) {}

PyLearner::PyLearner(const std::string& type, const py::dict& settings, const PyLearner& previous)
    : PyLearner(type, settings) {
  const Stateful& before = *previous.object_;
  WithSettings target(*object_, object_->params_json());
  py::gil_scoped_release release;
  const std::vector<char> image = checkpoint_bytes(before);
  load_checkpoint_bytes(image.data(), image.size(), target, "the learner's state before set_params");
}

Learner& PyLearner::learner() const {
  STREAMML_CHECK(learner_ != nullptr, InvalidInput,
                 "'" << object_->type() << "' is an evaluator, not a learner: it has no partial_fit or score");
  return *learner_;
}

std::shared_ptr<Learner> PyLearner::shared_learner() const { return {object_, &learner()}; }

void bind_learner(py::module_& m) {
  py::class_<PyLearner, PyStateful>(m, "_Learner", R"doc(
Any registered learner type, compiled: made from its type name and a dict of settings (the
names of `streamml learners TYPE`; values are converted to the settings' text once and checked
by the type's settings table: ValueError "kmeans: k must be >= 1, got 0"). The streamml
classes (LogisticRegressionSGD, StreamingKMeans, ...) wrap it; use those.

partial_fit and score take a streamml.Batch, or dense X (n, d) numbers and/or the hashed
columns as CSR parts (indptr, indices, data, n_cols), labels y and keys (integers or strings);
they are copied into a C++ Batch and the GIL is released while the learner runs.
)doc")
      .def(py::init<const std::string&, const py::dict&>(), py::arg("type"), py::arg("settings"))
      .def(py::init<const std::string&, const py::dict&, const PyLearner&>(), py::arg("type"), py::arg("settings"),
           py::arg("previous"), "New settings, continuing `previous`'s learned state (ValueError if it cannot).")
      .def_property_readonly("type", [](const PyLearner& p) { return p.object().type(); })
      .def_property_readonly("role", [](const PyLearner& p) {
        return role_name(learner_registry().get(p.object().type()).role);
      })
      .def_property_readonly("params_json", [](const PyLearner& p) { return p.object().params_json(); })
      .def_property_readonly("metrics_json", [](const PyLearner& p) { return p.object().metrics_json(); })
      .def_property_readonly("summary_json", [](const PyLearner& p) { return summary_json(p.learner()); },
                             "The learner's figures as the run summary shows them (JSON object).")
      .def(
          "partial_fit",
          [](const PyLearner& p, const py::object& x, const py::object& csr, const py::object& y,
             const py::object& keys) {
            Learner& learner = p.learner();
            const Batch batch = batch_of(x, csr, y, keys);
            py::gil_scoped_release release;
            learner.partial_fit(batch);
          },
          py::arg("X"), py::arg("csr") = py::none(), py::arg("y") = py::none(), py::arg("keys") = py::none(),
          "Learns one batch.")
      .def(
          "score",
          [](const PyLearner& p, const py::object& x, const py::object& csr, const py::object& keys) {
            const Learner& learner = p.learner();
            const Batch batch = batch_of(x, csr, py::none(), keys);
            py::gil_scoped_release release;
            return Eigen::VectorXd(learner.score(batch));
          },
          py::arg("X"), py::arg("csr") = py::none(), py::arg("keys") = py::none(),
          "One score per record: P(y = 1) for classifiers, the cluster for clusterers, ...");

  m.def(
      "_learner_types",
      [] {
        py::list out;
        for (const LearnerType& t : learner_registry().types()) {
          py::dict d;
          d["name"] = t.name;
          d["role"] = role_name(t.role);
          d["summary"] = t.summary;
          d["settings"] = settings_info(*t.settings);
          out.append(d);
        }
        return out;
      },
      R"doc(The learner registry as data: one dict per type, in registration order, with its name,
role, summary and settings (each a dict: name, type, default as JSON text, choices, range, doc).)doc");
}

}  // namespace streamml::python
