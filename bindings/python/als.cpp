// streamml._ALS, streamml._PrequentialRanking and streamml._ranking_metrics_at_k: what ALS adds
// to the generic _Learner (learner.h; algorithms/recommend/als.h), and the ranking evaluations
// of algorithms/evaluation/.
//
// Conversions only. Settings arrive as a dict and go through the C++ settings table (so names,
// ranges and choices are checked there, with its messages); ids are int64 arrays or sequences
// of str; a ratings matrix arrives as scipy CSR arrays (indptr, indices, data) without a copy
// of the values. The GIL is released around fitting, fold-in and recommendations.
#include <pybind11/eigen.h>

#include <cmath>
#include <string>
#include <vector>

#include "algorithms/evaluation/prequential_ranking.h"
#include "algorithms/evaluation/ranking_metrics.h"
#include "algorithms/recommend/als.h"
#include "bindings/python/learner.h"
#include "core/error.h"
#include "core/event_time.h"
#include "core/json.h"

namespace streamml::python {

namespace {

using Int64Array = py::array_t<std::int64_t, py::array::c_style | py::array::forcecast>;
using Int32Array = py::array_t<std::int32_t, py::array::c_style | py::array::forcecast>;

// Ids: an integer array, or a sequence of str.
KeyColumn ids_from(const py::handle& obj, const char* what) {
  if (py::isinstance<py::array>(obj)) {
    const py::array a = py::reinterpret_borrow<py::array>(obj);
    const char kind = a.dtype().kind();
    if (kind == 'i' || kind == 'u') {
      const Int64Array v = Int64Array::ensure(a);
      STREAMML_CHECK(v.ndim() == 1, InvalidInput, what << " ids must be 1-D, got " << v.ndim() << "-D");
      return std::vector<std::int64_t>(v.data(), v.data() + v.size());
    }
    STREAMML_CHECK(kind == 'U' || kind == 'O' || kind == 'S', InvalidInput,
                   what << " ids must be integers or strings, got an array of dtype "
                        << py::str(a.dtype()).cast<std::string>());
  }
  std::vector<std::string> text;
  std::vector<std::int64_t> ints;
  std::size_t r = 0;
  for (const auto& item : py::iter(obj)) {
    if (py::isinstance<py::str>(item) || py::isinstance<py::bytes>(item)) {
      text.push_back(item.cast<std::string>());
    } else {
      STREAMML_CHECK(!py::isinstance<py::float_>(item) && py::hasattr(item, "__index__"), InvalidInput,
                     what << " id " << r << " is " << py::repr(item).cast<std::string>()
                          << "; ids are integers or strings");
      ints.push_back(item.attr("__index__")().cast<std::int64_t>());
    }
    ++r;
  }
  STREAMML_CHECK(text.empty() || ints.empty(), InvalidInput, what << " ids mix strings and integers");
  if (!text.empty()) return text;
  return ints;
}

py::object ids_to_python(const IdMap& ids, const std::vector<std::int64_t>& rows) {
  if (ids.kind() == IdMap::Kind::Text) {
    py::list out;
    for (auto r : rows) out.append(r < 0 ? py::object(py::none()) : py::object(py::str(ids.text_ids()[std::size_t(r)])));
    return out;
  }
  Int64Array out(py::ssize_t(rows.size()));
  for (std::size_t j = 0; j < rows.size(); ++j)
    out.mutable_data()[j] = rows[j] < 0 ? -1 : ids.int_ids()[std::size_t(rows[j])];
  return std::move(out);
}

py::object all_ids(const IdMap& ids) {
  std::vector<std::int64_t> rows(ids.size());
  for (std::size_t r = 0; r < rows.size(); ++r) rows[r] = std::int64_t(r);
  return ids_to_python(ids, rows);
}

CsrMatrix csr_from(const py::object& indptr, const py::object& indices, const py::object& data, std::int64_t cols) {
  const Int32Array p = Int32Array::ensure(indptr), i = Int32Array::ensure(indices);
  const DoubleArray v = DoubleArray::ensure(data);
  STREAMML_CHECK(p && i && v && p.ndim() == 1 && i.ndim() == 1 && v.ndim() == 1 && i.size() == v.size(), InvalidInput,
                 "the ratings matrix must be CSR arrays (indptr, indices, data) of equal nnz");
  CsrMatrix c;
  c.cols = cols;
  c.indptr.assign(p.data(), p.data() + p.size());
  c.indices.assign(i.data(), i.data() + i.size());
  c.values.assign(v.data(), v.data() + v.size());
  return c;
}

std::vector<EventTime> times_from(const py::object& times, std::size_t n) {
  if (times.is_none()) return {};
  const DoubleArray t = DoubleArray::ensure(times);
  STREAMML_CHECK(t && t.ndim() == 1 && std::size_t(t.size()) == n, InvalidInput,
                 "times must be 1-D epoch seconds, one per record (" << n << ")");
  std::vector<EventTime> out(n);
  for (std::size_t r = 0; r < n; ++r) {
    const auto e = event_time_from_seconds(t.data()[r]);
    STREAMML_CHECK(e.has_value(), InvalidInput, "time of record " << r << " is " << t.data()[r] << ", not epoch seconds");
    out[r] = *e;
  }
  return out;
}

using PyAls = PyLearnerOf<AlternatingLeastSquares>;

// (item ids, scores) of a TopK, as (rows, k) arrays (str ids: lists of lists).
py::tuple lists(const AlternatingLeastSquares& model, const TopK& top) {
  const auto& ids = model.item_ids();
  py::object out_ids;
  if (ids.kind() == IdMap::Kind::Text) {
    py::list rows;
    for (std::size_t r = 0; r < top.rows; ++r)
      rows.append(ids_to_python(ids, std::vector<std::int64_t>(top.index.begin() + std::ptrdiff_t(r * top.k),
                                                               top.index.begin() + std::ptrdiff_t((r + 1) * top.k))));
    out_ids = rows;
  } else {
    Int64Array a({py::ssize_t(top.rows), py::ssize_t(top.k)});
    for (std::size_t j = 0; j < top.index.size(); ++j)
      a.mutable_data()[j] = top.index[j] < 0 ? -1 : ids.int_ids()[std::size_t(top.index[j])];
    out_ids = a;
  }
  DoubleArray scores({py::ssize_t(top.rows), py::ssize_t(top.k)});
  std::copy(top.score.begin(), top.score.end(), scores.mutable_data());
  return py::make_tuple(out_ids, scores);
}

using PyRanking = PyLearnerOf<PrequentialRanking>;

}  // namespace

void bind_als(py::module_& m) {
  bind_learner_class<AlternatingLeastSquares>(m, "_ALS", R"doc(
The compiled learner behind streamml.ALS; use that class instead. A _Learner of type "als";
what is its own: fit on a CSR matrix, fold-in of (user, item, rating) records, recommendations.
)doc")
      .def_static(
          "from_factors",
          [](const py::dict& params, const DoubleArray& users, const DoubleArray& items, const py::object& user_ids,
             const py::object& item_ids) {
            STREAMML_CHECK(users.ndim() == 2 && items.ndim() == 2, InvalidInput,
                           "user_factors and item_factors must be 2-D (rows, rank)");
            const ConstRowMatrixMap u(users.data(), users.shape(0), users.shape(1));
            const ConstRowMatrixMap i(items.data(), items.shape(0), items.shape(1));
            return PyAls(std::make_shared<AlternatingLeastSquares>(AlternatingLeastSquares::from_factors(
                settings_of(AlternatingLeastSquares::settings_table(), params), u, i,
                user_ids.is_none() ? KeyColumn{} : ids_from(user_ids, "user"),
                item_ids.is_none() ? KeyColumn{} : ids_from(item_ids, "item"))));
          },
          py::arg("params"), py::arg("user_factors"), py::arg("item_factors"), py::arg("user_ids"), py::arg("item_ids"))
      .def(
          "fit",
          [](PyAls& p, const py::object& indptr, const py::object& indices, const py::object& data, std::int64_t cols,
             const py::object& user_factors, const py::object& item_factors) {
            const CsrMatrix r = csr_from(indptr, indices, data, cols);
            RowMatrix u, i;
            if (!user_factors.is_none()) u = DoubleArray::ensure(user_factors).cast<RowMatrix>();
            if (!item_factors.is_none()) i = DoubleArray::ensure(item_factors).cast<RowMatrix>();
            py::gil_scoped_release release;
            p.model().fit(r, user_factors.is_none() ? nullptr : &u, item_factors.is_none() ? nullptr : &i);
          },
          py::arg("indptr"), py::arg("indices"), py::arg("data"), py::arg("n_items"), py::arg("user_factors"),
          py::arg("item_factors"))
      .def(
          "partial_fit",
          [](PyAls& p, const py::object& users, const py::object& items, const py::object& ratings,
             const py::object& times) {
            const KeyColumn u = ids_from(users, "user"), i = ids_from(items, "item");
            std::vector<double> r;
            if (!ratings.is_none()) {
              const DoubleArray a = DoubleArray::ensure(ratings);
              STREAMML_CHECK(a && a.ndim() == 1, InvalidInput, "ratings must be 1-D numbers");
              r.assign(a.data(), a.data() + a.size());
            }
            const std::vector<EventTime> t =
                times_from(times, std::holds_alternative<std::vector<std::string>>(u)
                                      ? std::get<std::vector<std::string>>(u).size()
                                      : std::get<std::vector<std::int64_t>>(u).size());
            py::gil_scoped_release release;
            p.model().partial_fit(u, i, r, t);
          },
          py::arg("users"), py::arg("items"), py::arg("ratings"), py::arg("times"))
      .def("sweep",
           [](PyAls& p) {
             py::gil_scoped_release release;
             p.model().sweep();
           })
      .def(
          "predict",
          [](const PyAls& p, const py::object& users, const py::object& items) {
            std::vector<std::size_t> kept;
            const Eigen::VectorXd v = p.model().predict(ids_from(users, "user"), ids_from(items, "item"), &kept);
            return py::make_tuple(v, kept);
          },
          py::arg("users"), py::arg("items"))
      .def(
          "recommend",
          [](const PyAls& p, const py::object& users, std::size_t k, bool filter_seen) {
            const KeyColumn u = ids_from(users, "user");
            TopK top;
            {
              py::gil_scoped_release release;
              top = p.model().recommend(u, k, filter_seen);
            }
            return lists(p.model(), top);
          },
          py::arg("users"), py::arg("k"), py::arg("filter_seen"))
      .def(
          "recommend_for_all",
          [](const PyAls& p, std::size_t k, bool filter_seen) {
            TopK top;
            {
              py::gil_scoped_release release;
              top = p.model().recommend_for_all(k, filter_seen);
            }
            return lists(p.model(), top);
          },
          py::arg("k"), py::arg("filter_seen"))
      .def(
          "similar_items",
          [](const PyAls& p, const py::object& items, std::size_t k) {
            const KeyColumn i = ids_from(items, "item");
            TopK top;
            {
              py::gil_scoped_release release;
              top = p.model().similar_items(i, k);
            }
            return lists(p.model(), top);
          },
          py::arg("items"), py::arg("k"))
      .def("objective", [](const PyAls& p) { return p.model().objective(); })
      .def_property_readonly("user_factors", [](const PyAls& p) { return RowMatrix(p.model().user_factors()); })
      .def_property_readonly("item_factors", [](const PyAls& p) { return RowMatrix(p.model().item_factors()); })
      .def_property_readonly("user_ids", [](const PyAls& p) { return all_ids(p.model().user_ids()); })
      .def_property_readonly("item_ids", [](const PyAls& p) { return all_ids(p.model().item_ids()); });

  bind_learner_class<PrequentialRanking>(m, "_PrequentialRanking", R"doc(
The compiled prequential top-N evaluation behind streamml.PrequentialRanking (type
"prequential_ranking").
)doc")
      .def(
          "update",
          [](PyRanking& e, const PyAls& model, const py::object& users, const py::object& items) {
            const KeyColumn u = ids_from(users, "user"), i = ids_from(items, "item");
            py::gil_scoped_release release;
            e.model().update(model.model(), u, i);
          },
          py::arg("model"), py::arg("users"), py::arg("items"));

  m.def(
      "_ranking_metrics_at_k",
      [](const PyAls& model, const py::tuple& train, const py::tuple& test, std::int64_t cols, std::size_t k) {
        const CsrMatrix tr = csr_from(train[0], train[1], train[2], cols);
        const CsrMatrix te = csr_from(test[0], test[1], test[2], cols);
        RankingMetrics r;
        {
          py::gil_scoped_release release;
          r = ranking_metrics_at_k(model.model(), tr, te, k);
        }
        py::dict out;
        out["precision"] = r.precision;
        out["map"] = r.map;
        out["ndcg"] = r.ndcg;
        out["auc"] = r.auc;
        return out;
      },
      py::arg("model"), py::arg("train"), py::arg("test"), py::arg("n_items"), py::arg("k"),
      "implicit.evaluation.ranking_metrics_at_k's figures for a model fitted on `train` (CSR arrays).");
}

}  // namespace streamml::python
