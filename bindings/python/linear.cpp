// streamml._LogisticRegressionSGD and streamml.PrequentialEvaluator: thin bindings of
// algorithms/linear/logistic_regression_sgd.h and algorithms/evaluation/prequential.h.
//
// Conversions only; the maths, the checks of settings, labels and NaN/Inf stay in C++.
//   - Dense X: py::array_t<double, c_style | forcecast>. A float64 C-contiguous (n, d) array
//     is not copied: its buffer reaches the learner as an Eigen::Map. Anything else (Fortran
//     order, int, a list) is converted once by NumPy first.
//   - Hashed / sparse X (scipy.sparse CSR, possibly beside dense columns, as a streamml.Batch
//     holds them): the CSR arrays are copied into a Batch, whose vectors the learner reads.
//   - The GIL is released around partial_fit and every prediction.
// The scikit-learn-style class streamml.LogisticRegressionSGD (streamml/linear.py) wraps
// _LogisticRegressionSGD; settings arrive as a dict and go through the same
// LogisticRegressionSGDSettings::set() the command line's --param uses, then validate().
#include <pybind11/eigen.h>

#include <charconv>
#include <optional>
#include <string>
#include <utility>

#include "algorithms/evaluation/prequential.h"
#include "algorithms/linear/logistic_regression_sgd.h"
#include "bindings/python/bindings.h"
#include "core/error.h"

namespace streamml::python {

namespace {

using DoubleArray = py::array_t<double, py::array::c_style | py::array::forcecast>;
using Int32Array = py::array_t<std::int32_t, py::array::c_style | py::array::forcecast>;

std::string shape_text(const py::array& a) {
  std::string s = "(";
  for (py::ssize_t i = 0; i < a.ndim(); ++i) s += (i ? ", " : "") + std::to_string(a.shape(i));
  return s + (a.ndim() == 1 ? ",)" : ")");
}

void check_x(const DoubleArray& x) {
  STREAMML_CHECK(x.ndim() == 2, InvalidInput,
                 "X must be 2-D (n_samples, n_features), got a " << x.ndim() << "-D array of shape "
                                                                 << shape_text(x));
}

// y has one entry per row of `rows_of` (X, or the scores for the evaluator).
void check_y(const DoubleArray& y, py::ssize_t n, const char* rows_of = "X") {
  STREAMML_CHECK(y.ndim() == 1, InvalidInput,
                 "y must be 1-D (n_samples,), got a " << y.ndim() << "-D array of shape " << shape_text(y));
  STREAMML_CHECK(y.shape(0) == n, InvalidInput,
                 "y has " << y.shape(0) << " entries, " << rows_of << " has " << n << " rows");
}

ConstRowMatrixMap map_x(const DoubleArray& x) {
  return {x.data(), Eigen::Index(x.shape(0)), Eigen::Index(x.shape(1))};
}

Eigen::Map<const Eigen::VectorXd> map_y(const DoubleArray& y) { return {y.data(), Eigen::Index(y.shape(0))}; }

// A Python setting value as the text LogisticRegressionSGDSettings::set() reads: bools as
// true/false, floats in their shortest round-trip form (so set() reads back the same double),
// sequences (initial_weights) comma-separated, None as empty.
std::string setting_text(const py::handle& handle) {
  const auto value = py::reinterpret_borrow<py::object>(handle);
  if (value.is_none()) return "";
  if (py::isinstance<py::bool_>(value) || py::type::of(value).attr("__name__").cast<std::string>() == "bool_")
    return value.cast<bool>() ? "true" : "false";
  if (py::isinstance<py::str>(value)) return value.cast<std::string>();
  const bool sequence = py::hasattr(value, "__len__");
  if (!sequence && (py::isinstance<py::int_>(value) || py::hasattr(value, "__index__")))
    return std::to_string(py::int_(value).cast<std::int64_t>());
  if (!sequence && PyNumber_Check(value.ptr())) {
    const double x = py::float_(value).cast<double>();
    char buf[64];
    const auto r = std::to_chars(buf, buf + sizeof buf, x);
    return std::string(buf, r.ptr);
  }
  // A sequence of numbers (initial_weights).
  DoubleArray arr = DoubleArray::ensure(value);
  STREAMML_CHECK(arr && arr.ndim() == 1, InvalidInput,
                 "expected a number, a string, a bool or a 1-D list of numbers, got "
                     << py::repr(value).cast<std::string>());
  std::string out;
  char buf[64];
  for (py::ssize_t i = 0; i < arr.shape(0); ++i) {
    const auto r = std::to_chars(buf, buf + sizeof buf, arr.data()[i]);
    if (i) out += ',';
    out.append(buf, r.ptr);
  }
  return out;
}

LogisticRegressionSGDSettings settings_of(const py::dict& params) {
  LogisticRegressionSGDSettings s;
  for (const auto& [key, value] : params) {
    const std::string name = py::str(key).cast<std::string>();
    std::string text;
    try {
      text = setting_text(value);
    } catch (const py::error_already_set& e) {
      STREAMML_FAIL(InvalidInput, "setting '" << name << "': " << e.what());
    } catch (const Error& e) {
      STREAMML_FAIL(InvalidInput, "setting '" << name << "': " << e.what());
    }
    s.set(name, text);
  }
  s.validate();
  return s;
}

py::dict metrics_dict(const PrequentialMetrics& m) {
  py::dict d;
  d["count"] = m.count;
  d["log_loss"] = m.log_loss;
  d["accuracy"] = m.accuracy;
  d["auc"] = m.auc;
  return d;
}

// The learner plus the conversions. Input to the learner comes in two forms:
//   dense:  X (n, d) float64 C-contiguous, mapped without a copy;
//   batch:  optional dense X and a CSR (indptr, indices, data, n_cols) copied into a Batch.
class PyLogReg : public PyStateful {
 public:
  explicit PyLogReg(const py::dict& params) : model_(settings_of(params)) {}

  // The new settings, carrying over `previous`'s learned state (what set_params does).
  PyLogReg(const py::dict& params, const PyLogReg& previous) : model_(settings_of(params)) {
    model_.set_state(previous.model_.state());
  }

  void partial_fit(const DoubleArray& x, const DoubleArray& y) {
    check_x(x);
    check_y(y, x.shape(0));
    auto xm = map_x(x);
    auto ym = map_y(y);
    py::gil_scoped_release release;
    model_.partial_fit(xm, ym);
  }

  void partial_fit_batch(const py::object& x, const py::object& csr, const DoubleArray& y) {
    Batch b = make_batch(x, csr);
    check_y(y, py::ssize_t(b.rows));
    b.labels.assign(y.data(), y.data() + b.rows);
    py::gil_scoped_release release;
    model_.partial_fit(b);
  }

  Eigen::VectorXd decision_function(const DoubleArray& x) const {
    return dense_call(x, [this](const auto& m) { return model_.decision_function(m); });
  }
  Eigen::VectorXd predict_proba(const DoubleArray& x) const {
    return dense_call(x, [this](const auto& m) { return model_.predict_proba(m); });
  }
  Eigen::VectorXd predict(const DoubleArray& x) const {
    return dense_call(x, [this](const auto& m) { return model_.predict(m); });
  }
  Eigen::VectorXd decision_function_batch(const py::object& x, const py::object& csr) const {
    return batch_call(x, csr, [this](const Batch& b) { return model_.decision_function(b); });
  }
  Eigen::VectorXd predict_proba_batch(const py::object& x, const py::object& csr) const {
    return batch_call(x, csr, [this](const Batch& b) { return model_.predict_proba(b); });
  }
  Eigen::VectorXd predict_batch(const py::object& x, const py::object& csr) const {
    return batch_call(x, csr, [this](const Batch& b) { return model_.predict(b); });
  }

  const LogisticRegressionSGD& model() const { return model_; }
  Stateful& stateful() override { return model_; }

 private:
  template <class F>
  Eigen::VectorXd dense_call(const DoubleArray& x, F&& f) const {
    check_x(x);
    auto xm = map_x(x);
    py::gil_scoped_release release;
    return f(xm);
  }

  template <class F>
  Eigen::VectorXd batch_call(const py::object& x, const py::object& csr, F&& f) const {
    Batch b = make_batch(x, csr);
    py::gil_scoped_release release;
    return f(b);
  }

  // x: None or (n, d); csr: None or (indptr, indices, data, n_cols). At least one is given.
  static Batch make_batch(const py::object& x, const py::object& csr) {
    Batch b;
    std::optional<py::ssize_t> rows;
    if (!x.is_none()) {
      DoubleArray dense = DoubleArray::ensure(x);
      STREAMML_CHECK(dense, InvalidInput, "X must be numeric");
      check_x(dense);
      rows = dense.shape(0);
      b.cols = std::size_t(dense.shape(1));
      b.features.assign(dense.data(), dense.data() + dense.size());
    }
    if (!csr.is_none()) {
      auto parts = csr.cast<py::tuple>();
      STREAMML_CHECK(parts.size() == 4, Runtime, "csr must be (indptr, indices, data, n_cols)");
      Int32Array indptr = Int32Array::ensure(parts[0]);
      Int32Array indices = Int32Array::ensure(parts[1]);
      DoubleArray values = DoubleArray::ensure(parts[2]);
      STREAMML_CHECK(indptr && indices && values && indptr.ndim() == 1 && indices.ndim() == 1 &&
                         values.ndim() == 1 && indptr.shape(0) >= 1,
                     InvalidInput, "sparse X: indptr, indices and data must be 1-D numeric arrays");
      STREAMML_CHECK(indices.shape(0) == values.shape(0), InvalidInput,
                     "sparse X: " << indices.shape(0) << " indices for " << values.shape(0) << " values");
      const py::ssize_t n = indptr.shape(0) - 1;
      STREAMML_CHECK(!rows || *rows == n, InvalidInput,
                     "sparse X has " << n << " rows, dense X has " << *rows);
      rows = n;
      b.sparse.cols = parts[3].cast<std::int64_t>();
      b.sparse.indptr.assign(indptr.data(), indptr.data() + indptr.size());
      b.sparse.indices.assign(indices.data(), indices.data() + indices.size());
      b.sparse.values.assign(values.data(), values.data() + values.size());
      STREAMML_CHECK(b.sparse.indptr.front() == 0 && b.sparse.indptr.back() == std::int32_t(values.shape(0)),
                     InvalidInput, "sparse X: indptr must run from 0 to the number of stored values ("
                                       << values.shape(0) << "), got " << b.sparse.indptr.front() << " .. "
                                       << b.sparse.indptr.back());
    }
    STREAMML_CHECK(rows.has_value(), Runtime, "make_batch needs dense or sparse features");
    b.rows = std::size_t(*rows);
    if (b.cols == 0) b.features.clear();
    return b;
  }

  LogisticRegressionSGD model_;
};

class PyPrequential : public PyStateful {
 public:
  PyPrequential(std::int64_t window, std::int64_t auc_bins, double threshold) {
    STREAMML_CHECK(window >= 1, InvalidInput, "window must be >= 1 predictions, got " << window);
    STREAMML_CHECK(auc_bins >= 1, InvalidInput, "auc_bins must be >= 1, got " << auc_bins);
    PrequentialSettings s;
    s.window = std::size_t(window);
    s.auc_bins = std::size_t(auc_bins);
    s.threshold = threshold;
    evaluator_ = std::make_unique<PrequentialEvaluator>(s);
  }

  void update(const DoubleArray& scores, const DoubleArray& y) {
    STREAMML_CHECK(scores.ndim() == 1, InvalidInput,
                   "scores must be 1-D (n_samples,), got a " << scores.ndim() << "-D array of shape "
                                                             << shape_text(scores));
    check_y(y, scores.shape(0), "scores");
    auto s = map_y(scores);
    auto l = map_y(y);
    py::gil_scoped_release release;
    evaluator_->update(s, l);
  }

  const PrequentialEvaluator& evaluator() const { return *evaluator_; }
  Stateful& stateful() override { return *evaluator_; }

  py::dict curve() const {
    const auto& c = evaluator_->curve();
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

 private:
  std::unique_ptr<PrequentialEvaluator> evaluator_;
};

}  // namespace

void bind_linear(py::module_& m) {
  py::class_<PyLogReg, PyStateful>(m, "_LogisticRegressionSGD", R"doc(
The compiled learner behind streamml.LogisticRegressionSGD; use that class instead.

Built from a dict of settings (names as in the C++ LogisticRegressionSGDSettings, values
read by the same parser as the command line's --param); bad settings raise ValueError.
Dense X (float64, C-contiguous, shape (n, d)) is read in place, without a copy; the *_batch
methods take optional dense X plus a CSR (indptr, indices, data, n_cols) and copy both into a
C++ Batch. The GIL is released while the learner trains or predicts.
)doc")
      .def(py::init<const py::dict&>(), py::arg("settings"))
      .def(py::init<const py::dict&, const PyLogReg&>(), py::arg("settings"), py::arg("previous"),
           "New settings, continuing `previous`'s learned state (ValueError if it cannot).")
      .def_static("setting_names", [] { return LogisticRegressionSGD::settings_table().names(); },
                  "Names of every setting, in the C++ struct's order.")
      .def("partial_fit", &PyLogReg::partial_fit, py::arg("X"), py::arg("y"),
           "Learns one batch of dense rows (no copy of a float64 C-contiguous X).")
      .def("partial_fit_batch", &PyLogReg::partial_fit_batch, py::arg("X"), py::arg("csr"), py::arg("y"),
           "Learns one batch of dense and/or CSR rows (copied into a C++ Batch).")
      .def("decision_function", &PyLogReg::decision_function, py::arg("X"))
      .def("predict_proba", &PyLogReg::predict_proba, py::arg("X"), "P(y = 1) per row.")
      .def("predict", &PyLogReg::predict, py::arg("X"))
      .def("decision_function_batch", &PyLogReg::decision_function_batch, py::arg("X"), py::arg("csr"))
      .def("predict_proba_batch", &PyLogReg::predict_proba_batch, py::arg("X"), py::arg("csr"))
      .def("predict_batch", &PyLogReg::predict_batch, py::arg("X"), py::arg("csr"))
      .def_property_readonly("coef", [](const PyLogReg& p) { return p.model().coef(); },
                             "Weights predictions use: dense columns, then hashed buckets.")
      .def_property_readonly("intercept", [](const PyLogReg& p) { return p.model().intercept(); })
      .def_property_readonly("sized", [](const PyLogReg& p) { return p.model().sized(); },
                             "Whether the learner has seen data (and so knows its dimension).")
      .def_property_readonly("dense_features",
                             [](const PyLogReg& p) { return p.model().state().dense_features; })
      .def_property_readonly("hashed_features",
                             [](const PyLogReg& p) { return p.model().state().hashed_features; })
      .def_property_readonly("examples_seen", [](const PyLogReg& p) { return p.model().state().examples_seen; })
      .def_property_readonly("batches_seen", [](const PyLogReg& p) { return p.model().state().batches_seen; })
      .def_property_readonly("t", [](const PyLogReg& p) { return p.model().state().t; },
                             "sgd's step counter (scikit-learn's t_).")
      .def_property_readonly("last_iterations",
                             [](const PyLogReg& p) { return p.model().state().last_iterations; })
      .def_property_readonly("last_converged", [](const PyLogReg& p) { return p.model().state().last_converged; })
      .def_property_readonly("params_json", [](const PyLogReg& p) { return p.model().params_json(); });

  py::class_<PyPrequential, PyStateful>(m, "PrequentialEvaluator", R"doc(
Prequential (test-then-train) evaluation of a binary classifier on a stream.

Score each batch with the model as it stands, pass the scores (P(y = 1)) and the true labels
to ``update``, and only then train on the batch; ``streamml.prequential`` does exactly that.

Parameters
----------
window : int
    Predictions in the sliding window (the last ``window`` ones, across batches).
auc_bins : int
    Histogram bins of the cumulative (streaming) AUC.
threshold : float
    Class 1 iff score > threshold (strict), for accuracy.

Metrics (each a dict ``{"count", "log_loss", "accuracy", "auc"}``)
-------------------------------------------------------------------
last_batch, window, cumulative
    Log loss is scikit-learn 1.2's ``log_loss`` (p clipped to [2**-52, 1 - 2**-52]); accuracy
    is ``accuracy_score`` of ``score > threshold``; batch and window AUC are exact
    (``roc_auc_score``, NaN when one class is missing); the cumulative AUC is a histogram
    approximation whose error is at most ``cumulative_auc_error_bound``.

curve : dict of NumPy arrays, one entry per update
    ``batch`` and ``{batch,window,cumulative}_{count,log_loss,accuracy,auc}``; pandas users:
    ``pandas.DataFrame(evaluator.curve)``.
)doc")
      .def(py::init<std::int64_t, std::int64_t, double>(), py::kw_only(), py::arg("window") = 1000,
           py::arg("auc_bins") = 1000, py::arg("threshold") = 0.5)
      .def("update", &PyPrequential::update, py::arg("scores"), py::arg("y"), R"doc(
Counts one batch of predictions: ``scores`` (n,) probabilities of class 1, ``y`` (n,) labels
0/1. ValueError (nothing counted) for a length mismatch, a score outside [0, 1] or NaN, or a
label that is not 0/1.
)doc")
      .def_property_readonly("batches", [](const PyPrequential& p) { return p.evaluator().batches(); })
      .def_property_readonly("count", [](const PyPrequential& p) { return p.evaluator().count(); })
      .def_property_readonly("last_batch", [](const PyPrequential& p) { return metrics_dict(p.evaluator().last_batch()); })
      .def_property_readonly("window", [](const PyPrequential& p) { return metrics_dict(p.evaluator().window()); })
      .def_property_readonly("cumulative", [](const PyPrequential& p) { return metrics_dict(p.evaluator().cumulative()); })
      .def_property_readonly("cumulative_auc_error_bound",
                             [](const PyPrequential& p) { return p.evaluator().cumulative_auc_error_bound(); })
      .def_property_readonly("window_size", [](const PyPrequential& p) { return p.evaluator().settings().window; })
      .def_property_readonly("auc_bins", [](const PyPrequential& p) { return p.evaluator().settings().auc_bins; })
      .def_property_readonly("threshold", [](const PyPrequential& p) { return p.evaluator().settings().threshold; })
      .def_property_readonly("curve", &PyPrequential::curve)
      .def("__repr__", [](const PyPrequential& p) {
        const auto& e = p.evaluator();
        const auto c = e.cumulative();
        return "<streamml.PrequentialEvaluator batches=" + std::to_string(e.batches()) +
               " count=" + std::to_string(e.count()) + " cumulative log_loss=" + std::to_string(c.log_loss) +
               " accuracy=" + std::to_string(c.accuracy) + " auc=" + std::to_string(c.auc) + ">";
      });
}

}  // namespace streamml::python
