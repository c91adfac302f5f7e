// streamml._streamml: the compiled half of the Python package `streamml`.
// The package's __init__.py re-exports it and adds the Pythonic entry points (replay,
// from_arrays) whose keyword arguments Python itself checks.
#include "bindings/python/bindings.h"

#ifndef STREAMML_VERSION
#error "STREAMML_VERSION must be defined by the build (bindings/python/CMakeLists.txt)"
#endif

PYBIND11_MODULE(_streamml, m) {
  namespace sp = streamml::python;
  m.doc() = "streamml: machine learning on streams (compiled core). Use the `streamml` package.";
  m.attr("__version__") = STREAMML_VERSION;
  sp::bind_errors(m);
  sp::bind_checkpoints(m);  // first: the learners' classes derive from its _Stateful
  sp::bind_batch(m);
  sp::bind_replay(m);
  sp::bind_learner(m);  // before the learners: their classes derive from its _Learner
  sp::bind_linear(m);
  sp::bind_kmeans(m);
  sp::bind_dbscan(m);
  sp::bind_generate(m);
  sp::bind_optimize(m);
  sp::bind_als(m);
  sp::bind_decision(m);
  sp::bind_churn(m);
  sp::bind_demo(m);
  sp::bind_pipeline(m);
}
