// The learner interface bound once: streamml._Learner is any registered type (core/learner.h,
// algorithms/registry.cpp), made from its type name and a dict of settings through the
// registry, with partial_fit / score on a streamml.Batch, dense X or CSR, its settings and
// summary as JSON, and checkpoints (it is a _Stateful). A per-learner binding adds only what is
// its own (coefficients, centres, window labels, factors) as a small subclass:
//
//   bind_learner_class<StreamingKMeans>(m, "_StreamingKMeans", "doc")
//       .def_property_readonly("centers", [](const PyLearnerOf<StreamingKMeans>& p) { ... });
#pragma once

#include <memory>
#include <string>

#include "bindings/python/bindings.h"
#include "core/learner.h"
#include "core/settings.h"

namespace streamml::python {

// A settings table as Python data: one dict per setting (name, type, default as JSON text,
// choices, range, doc), what _learner_types() gives for every registered type.
py::list settings_info(const SettingsTableBase& table);

// Settings from a dict of Python values, through the table (as --param text), validated.
template <class Settings>
Settings settings_of(const SettingsTable<Settings>& table, const py::dict& settings) {
  Settings s = table.from_text(settings_text(settings, table.owner()));
  s.validate();
  return s;
}

class PyLearner : public PyStateful {
 public:
  // A fresh object of a registered type; the settings are checked by its table (ValueError).
  PyLearner(const std::string& type, const py::dict& settings);
  // The same, then `previous`'s learned state loaded under the new settings (what set_params
  // does for learners that keep their state); ValueError when that state does not fit them.
  PyLearner(const std::string& type, const py::dict& settings, const PyLearner& previous);
  // An object made otherwise (e.g. ALS from given factors).
  explicit PyLearner(std::shared_ptr<Stateful> made);

  Stateful& stateful() override { return *object_; }
  const Stateful& object() const { return *object_; }
  // The object as a Learner; throws Error(InvalidInput) for evaluators, which are not.
  Learner& learner() const;
  // Shared with a pipeline, which then trains this very object.
  std::shared_ptr<Learner> shared_learner() const;

 protected:
  std::shared_ptr<Stateful> object_;
  Learner* learner_ = nullptr;  // null for evaluator types
};

// A registered type T's object, for the bindings of what is T's own.
template <class T>
class PyLearnerOf : public PyLearner {
 public:
  using PyLearner::PyLearner;
  T& model() const { return static_cast<T&>(*object_); }  // the type was checked when made
};

// Binds PyLearnerOf<T> as `name`, a subclass of _Learner, constructible from a dict of settings
// (and, to keep the learned state, the previous object).
template <class T>
py::class_<PyLearnerOf<T>, PyLearner> bind_learner_class(py::module_& m, const char* name, const char* doc) {
  return py::class_<PyLearnerOf<T>, PyLearner>(m, name, doc)
      .def(py::init([](const py::dict& settings) { return PyLearnerOf<T>(T::kType, settings); }), py::arg("settings"))
      .def(py::init([](const py::dict& settings, const PyLearner& previous) {
             return PyLearnerOf<T>(T::kType, settings, previous);
           }),
           py::arg("settings"), py::arg("previous"))
      .def_static("setting_names", [] { return T::settings_table().names(); },
                  "Names of every setting, in the settings table's order.");
}

}  // namespace streamml::python
