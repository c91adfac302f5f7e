// streamml._LogisticRegressionSGD and streamml._PrequentialEvaluator: what logistic regression
// and the prequential evaluator add to the generic _Learner (learner.h).
//
// Construction, settings, partial_fit/score on batches and checkpoints are _Learner's. Added
// here: the dense path, where a float64 C-contiguous (n, d) X reaches the learner as an
// Eigen::Map without a copy (anything else is converted once by NumPy first, and X with hashed
// columns goes through a Batch), the learned attributes, and the evaluator's update and
// figures. The GIL is released while C++ trains and predicts.
#include <pybind11/eigen.h>

#include "algorithms/evaluation/prequential.h"
#include "algorithms/linear/logistic_regression_sgd.h"
#include "bindings/python/learner.h"
#include "core/error.h"

namespace streamml::python {

namespace {

using LogReg = PyLearnerOf<LogisticRegressionSGD>;
using Evaluator = PyLearnerOf<PrequentialEvaluator>;

// y has one entry per row of `rows_of` (X, or the scores for the evaluator).
Eigen::Map<const Eigen::VectorXd> labels_of(const DoubleArray& y, py::ssize_t n, const char* rows = "X") {
  STREAMML_CHECK(y.ndim() == 1, InvalidInput,
                 "y must be 1-D (n_samples,), got a " << y.ndim() << "-D array of shape " << shape_text(y));
  STREAMML_CHECK(y.shape(0) == n, InvalidInput, "y has " << y.shape(0) << " entries, " << rows << " has " << n << " rows");
  return {y.data(), Eigen::Index(n)};
}

// A prediction on X: dense X (array) without a copy; a Batch (dense and/or CSR) otherwise.
template <class F>
Eigen::VectorXd predict(const py::object& x, const py::object& csr, F&& f) {
  if (csr.is_none() && !batch_from_python(x)) {
    const DoubleArray dense = DoubleArray::ensure(x);
    STREAMML_CHECK(dense, InvalidInput, "X must be numeric");
    const auto m = rows_of(dense);
    py::gil_scoped_release release;
    return f(m);
  }
  const Batch b = batch_of(x, csr, py::none());
  py::gil_scoped_release release;
  return f(b);
}

py::dict metrics_dict(const PrequentialMetrics& m) {
  py::dict d;
  d["count"] = m.count;
  d["log_loss"] = m.log_loss;
  d["accuracy"] = m.accuracy;
  d["auc"] = m.auc;
  return d;
}

py::dict curve(const PrequentialEvaluator& e) {
  const std::vector<PrequentialPoint> c = e.curve();  // the points kept (bounded)
  const auto n = py::ssize_t(c.size());
  py::dict out;
  py::array_t<std::int64_t> batch(n);
  for (py::ssize_t i = 0; i < n; ++i) batch.mutable_data()[i] = c[std::size_t(i)].batch;
  out["batch"] = batch;
  auto add = [&](const char* prefix, PrequentialMetrics PrequentialPoint::*which) {
    py::array_t<std::int64_t> count(n);
    py::array_t<double> log_loss(n), accuracy(n), auc(n);
    for (py::ssize_t i = 0; i < n; ++i) {
      const PrequentialMetrics& m = c[std::size_t(i)].*which;
      count.mutable_data()[i] = m.count;
      log_loss.mutable_data()[i] = m.log_loss;
      accuracy.mutable_data()[i] = m.accuracy;
      auc.mutable_data()[i] = m.auc;
    }
    const std::string p = prefix;
    out[py::str(p + "_count")] = count;
    out[py::str(p + "_log_loss")] = log_loss;
    out[py::str(p + "_accuracy")] = accuracy;
    out[py::str(p + "_auc")] = auc;
  };
  add("batch", &PrequentialPoint::batch_metrics);
  add("window", &PrequentialPoint::window_metrics);
  add("cumulative", &PrequentialPoint::cumulative_metrics);
  return out;
}

}  // namespace

void bind_linear(py::module_& m) {
  bind_learner_class<LogisticRegressionSGD>(m, "_LogisticRegressionSGD", R"doc(
The compiled learner behind streamml.LogisticRegressionSGD; use that class instead.

A _Learner of type "logreg". Dense X (float64, C-contiguous, shape (n, d)) is read in place
by partial_fit_dense and the predictions, without a copy; with csr (indptr, indices, data,
n_cols) or a streamml.Batch, X goes through a C++ Batch.
)doc")
      .def(
          "partial_fit_dense",
          [](LogReg& p, const DoubleArray& x, const DoubleArray& y) {
            const auto xm = rows_of(x);
            const auto ym = labels_of(y, x.shape(0));
            py::gil_scoped_release release;
            p.model().partial_fit(xm, ym);
          },
          py::arg("X"), py::arg("y"), "Learns one batch of dense rows (no copy of a float64 C-contiguous X).")
      .def(
          "decision_function",
          [](const LogReg& p, const py::object& x, const py::object& csr) {
            return predict(x, csr, [&](const auto& rows) { return p.model().decision_function(rows); });
          },
          py::arg("X"), py::arg("csr") = py::none())
      .def(
          "predict_proba",
          [](const LogReg& p, const py::object& x, const py::object& csr) {
            return predict(x, csr, [&](const auto& rows) { return p.model().predict_proba(rows); });
          },
          py::arg("X"), py::arg("csr") = py::none(), "P(y = 1) per row.")
      .def(
          "predict",
          [](const LogReg& p, const py::object& x, const py::object& csr) {
            return predict(x, csr, [&](const auto& rows) { return p.model().predict(rows); });
          },
          py::arg("X"), py::arg("csr") = py::none())
      .def_property_readonly("coef", [](const LogReg& p) { return p.model().coef(); },
                             "Weights predictions use: dense columns, then hashed buckets.")
      .def_property_readonly("intercept", [](const LogReg& p) { return p.model().intercept(); })
      .def_property_readonly("sized", [](const LogReg& p) { return p.model().sized(); },
                             "Whether the learner has seen data (and so knows its dimension).")
      .def_property_readonly("dense_features", [](const LogReg& p) { return p.model().state().dense_features; })
      .def_property_readonly("hashed_features", [](const LogReg& p) { return p.model().state().hashed_features; })
      .def_property_readonly("examples_seen", [](const LogReg& p) { return p.model().state().examples_seen; })
      .def_property_readonly("batches_seen", [](const LogReg& p) { return p.model().state().batches_seen; })
      .def_property_readonly("t", [](const LogReg& p) { return p.model().state().t; },
                             "sgd's step counter (scikit-learn's t_).")
      .def_property_readonly("last_iterations", [](const LogReg& p) { return p.model().state().last_iterations; })
      .def_property_readonly("last_converged", [](const LogReg& p) { return p.model().state().last_converged; });

  bind_learner_class<PrequentialEvaluator>(m, "_PrequentialEvaluator", R"doc(
The compiled evaluator behind streamml.PrequentialEvaluator; use that class instead.
)doc")
      .def(
          "update",
          [](Evaluator& p, const DoubleArray& scores, const DoubleArray& y) {
            STREAMML_CHECK(scores.ndim() == 1, InvalidInput,
                           "scores must be 1-D (n_samples,), got a " << scores.ndim() << "-D array of shape "
                                                                     << shape_text(scores));
            const Eigen::Map<const Eigen::VectorXd> s(scores.data(), scores.shape(0));
            const auto l = labels_of(y, scores.shape(0), "scores");
            py::gil_scoped_release release;
            p.model().update(s, l);
          },
          py::arg("scores"), py::arg("y"))
      .def_property_readonly("batches", [](const Evaluator& p) { return p.model().batches(); })
      .def_property_readonly("count", [](const Evaluator& p) { return p.model().count(); })
      .def_property_readonly("last_batch", [](const Evaluator& p) { return metrics_dict(p.model().last_batch()); })
      .def_property_readonly("window", [](const Evaluator& p) { return metrics_dict(p.model().window()); })
      .def_property_readonly("cumulative", [](const Evaluator& p) { return metrics_dict(p.model().cumulative()); })
      .def_property_readonly("cumulative_auc_error_bound",
                             [](const Evaluator& p) { return p.model().cumulative_auc_error_bound(); })
      .def_property_readonly("curve", [](const Evaluator& p) { return curve(p.model()); });
}

}  // namespace streamml::python
