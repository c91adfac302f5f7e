// Checkpoints from Python: thin bindings of core/checkpoint_file.h and core/checkpoint_store.h.
//
// Every compiled learner the Python classes wrap derives from PyStateful (bound as
// streamml._Stateful), so one set of functions saves and loads any of them. Conversions only:
// a checkpoint's description becomes a dict whose JSON attributes are still text (the Python
// half, streamml/_checkpoint.py, parses them and picks the estimator class); bytes are Python
// bytes. The GIL is released around every file access and (de)serialisation. Errors are
// streamml::Error, translated in errors.cpp (damaged or foreign file -> ValueError, I/O ->
// OSError).
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "bindings/python/bindings.h"
#include "core/checkpoint_file.h"
#include "core/checkpoint_store.h"
#include "core/error.h"

namespace streamml::python {

namespace {

py::dict info_dict(const CheckpointInfo& info) {
  py::dict out;
  out["path"] = info.path;
  out["format_version"] = info.format_version;
  out["library_version"] = info.library_version;
  out["learner_type"] = info.learner_type;
  out["params"] = info.params;
  out["created_utc"] = info.created_utc;
  out["version"] = info.header.version;
  out["parent_version"] = info.header.parent_version;
  out["batch_index"] = info.header.batch_index;
  out["source_positions"] = info.header.source_positions;
  out["metrics"] = info.header.metrics;
  out["user_metadata"] = info.header.user_metadata;
  out["state_version"] = info.state_version;
  py::dict datasets;
  for (const auto& d : info.datasets) {
    py::dict one;
    one["dtype"] = d.type;
    one["shape"] = py::tuple(py::cast(d.shape));
    datasets[py::str(d.path)] = one;
  }
  out["datasets"] = datasets;
  return out;
}

// The bytes of a Python bytes object, valid while `data` lives (read without the GIL).
std::string_view view(const py::bytes& data) {
  char* buffer = nullptr;
  Py_ssize_t size = 0;
  if (PyBytes_AsStringAndSize(data.ptr(), &buffer, &size) != 0) throw py::error_already_set();
  return {buffer, std::size_t(size)};
}

template <class F>
auto without_gil(F&& f) {
  py::gil_scoped_release release;
  return f();
}

}  // namespace

void bind_checkpoints(py::module_& m) {
  py::class_<PyStateful>(m, "_Stateful", R"doc(
Base of the compiled learners whose whole state a checkpoint saves (logistic regression,
streaming k-means, windowed DBSCAN, the prequential evaluator). Not made directly.
)doc");

  m.def(
      "_checkpoint_bytes",
      [](PyStateful& core, const std::string& user_metadata) {
        CheckpointHeader header;
        header.user_metadata = user_metadata;
        const std::vector<char> image = without_gil([&] { return checkpoint_bytes(core.stateful(), header); });
        return py::bytes(image.data(), image.size());
      },
      py::arg("core"), py::arg("user_metadata") = "{}",
      "The learner's checkpoint as bytes (a format-versioned HDF5 file image), with the user's keys (a JSON "
      "object).");
  m.def(
      "_load_checkpoint_bytes",
      [](PyStateful& core, const py::bytes& data, const std::string& name) {
        const std::string_view bytes = view(data);
        return info_dict(without_gil([&] { return load_checkpoint_bytes(bytes.data(), bytes.size(), core.stateful(), name); }));
      },
      py::arg("core"), py::arg("data"), py::arg("name"),
      "Restores `core` (settings and state) from checkpoint bytes; unchanged when it raises.");
  m.def(
      "_describe_checkpoint_bytes",
      [](const py::bytes& data, const std::string& name) {
        const std::string_view bytes = view(data);
        return info_dict(without_gil([&] { return describe_checkpoint_bytes(bytes.data(), bytes.size(), name); }));
      },
      py::arg("data"), py::arg("name"), "Root attributes and dataset shapes of checkpoint bytes.");
  m.def(
      "_describe_checkpoint_file",
      [](const std::string& path) { return info_dict(without_gil([&] { return describe_checkpoint_file(path); })); },
      py::arg("path"), "Root attributes and dataset shapes of one checkpoint file, datasets unread.");
  m.def(
      "_load_checkpoint_file",
      [](PyStateful& core, const std::string& path) {
        return info_dict(without_gil([&] { return load_checkpoint_file(path, core.stateful()); }));
      },
      py::arg("core"), py::arg("path"), "Restores `core` from one checkpoint file; unchanged when it raises.");

  py::class_<CheckpointStore>(m, "_CheckpointStore", R"doc(
The compiled store behind streamml.CheckpointStore; use that class instead.
)doc")
      .def(py::init([](const std::string& dir) { return without_gil([&] { return CheckpointStore(dir); }); }),
           py::arg("dir"))
      .def_property_readonly("dir", &CheckpointStore::dir)
      .def(
          "save",
          [](CheckpointStore& store, const std::string& name, PyStateful& core, std::int64_t batch_index,
             const std::string& source_positions, const std::string& metrics, std::int64_t parent_version,
             const std::string& user_metadata) {
            CheckpointMetadata meta;
            meta.batch_index = batch_index;
            meta.source_positions = source_positions;
            meta.metrics = metrics;
            meta.parent_version = parent_version;
            meta.user_metadata = user_metadata;
            return without_gil([&] { return store.save(name, core.stateful(), meta); });
          },
          py::arg("name"), py::arg("core"), py::arg("batch_index"), py::arg("source_positions"), py::arg("metrics"),
          py::arg("parent_version"), py::arg("user_metadata"))
      .def(
          "versions",
          [](const CheckpointStore& store, const std::string& name) {
            return without_gil([&] { return store.versions(name); });
          },
          py::arg("name"))
      .def(
          "latest",
          [](const CheckpointStore& store, const std::string& name) {
            return without_gil([&] { return store.latest(name); });
          },
          py::arg("name"))
      .def("names", [](const CheckpointStore& store) { return without_gil([&] { return store.names(); }); })
      .def("path", &CheckpointStore::path, py::arg("name"), py::arg("version"))
      .def(
          "load",
          [](const CheckpointStore& store, const std::string& name, PyStateful& core, std::int64_t version) {
            return info_dict(without_gil([&] { return store.load(name, core.stateful(), version); }));
          },
          py::arg("name"), py::arg("core"), py::arg("version"))
      .def(
          "describe",
          [](const CheckpointStore& store, const std::string& name, std::optional<std::int64_t> version) {
            return info_dict(without_gil([&] { return store.describe(name, version); }));
          },
          py::arg("name"), py::arg("version"))
      .def(
          "prune",
          [](CheckpointStore& store, const std::string& name, std::int64_t keep_last) {
            STREAMML_CHECK(keep_last >= 1, InvalidInput,
                           "prune keeps at least the newest version; keep_last is " << keep_last);
            return without_gil([&] { return store.prune(name, std::size_t(keep_last)); });
          },
          py::arg("name"), py::arg("keep_last"));
}

}  // namespace streamml::python
