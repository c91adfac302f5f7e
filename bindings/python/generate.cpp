// streamml.generate(kind, out, **options): the synthetic streams of datasets/ from Python. It
// writes the same bytes as `streamml generate KIND --out OUT ...` with the same options: both
// hand the kind's settings as text to its settings table, and the docstring lists them from
// those tables, so a new kind appears here without a change.
#include <pybind11/stl.h>

#include <cstdint>
#include <optional>
#include <string>

#include "bindings/python/bindings.h"
#include "core/error.h"
#include "core/event_time.h"
#include "core/settings.h"
#include "datasets/generator.h"

namespace streamml::python {

namespace {

template <class T>
T keyword(const std::string& name, const py::handle& value, const char* expected) {
  try {
    return value.cast<T>();
  } catch (const py::cast_error&) {
    STREAMML_FAIL(InvalidInput, "generate: " << name << " must be " << expected << ", got "
                                             << std::string(py::str(py::repr(value))));
  }
}

// A start time as the command line takes it (ISO 8601 or epoch seconds), or epoch seconds as a
// Python number.
EventTime start_time(const py::handle& value) {
  std::optional<EventTime> t;
  if (py::isinstance<py::str>(value)) t = parse_event_time(value.cast<std::string>());
  else t = event_time_from_seconds(keyword<double>("start", value, "a time"));
  STREAMML_CHECK(t.has_value(), InvalidInput,
                 "generate: start " << std::string(py::str(py::repr(value)))
                                    << " is not an ISO 8601 time or epoch seconds");
  return *t;
}

py::dict generate(const std::string& kind, const py::object& out, const py::kwargs& options) {
  GenerateOptions o;
  o.kind = kind;
  o.out = py::module_::import("os").attr("fspath")(out).cast<std::string>();
  for (const auto& [key, value] : options) {
    const std::string name = py::str(key);
    if (name == "events") o.events = keyword<std::int64_t>(name, value, "an integer");
    else if (name == "seed") o.seed = keyword<std::uint64_t>(name, value, "an integer >= 0");
    else if (name == "format") o.format = keyword<std::string>(name, value, "a string");
    else if (name == "start") o.start = start_time(value);
    else if (name == "rate") o.rate = keyword<double>(name, value, "a number");
    else o.settings[name] = setting_text(value, "generate " + kind, name);
  }
  GenerateReport r;
  {
    py::gil_scoped_release release;
    r = generate_stream(o);
  }
  py::dict report;
  report["events"] = r.events;
  report["out"] = r.out;
  report["format"] = r.format;
  report["written"] = r.written;
  report["first_event_time"] = format_event_time(r.first_event_time);
  report["last_event_time"] = format_event_time(r.last_event_time);
  return report;
}

std::string docstring() {
  std::string doc =
      "Write a synthetic recorded stream with known ground truth to `out` (CSV, or JSON Lines\n"
      "for .jsonl), its model/truth files beside it, exactly as `streamml generate` does.\n"
      "Returns the report: events, out, format, written (side files), first_event_time,\n"
      "last_event_time.\n\n"
      "Options of every kind: events (100000), seed (42), format ('auto', 'csv', 'jsonl'),\n"
      "start (ISO 8601 text or epoch seconds; 2026-01-01T00:00:00Z), rate (events per second\n"
      "of event time; 0: the kind's default).\n\n"
      "Each kind's own options:\n";
  for (const auto& kind : generator_kinds()) {
    doc += "  " + kind + ":\n";
    for (const SettingInfo& s : generator_settings(kind)->settings()) {
      doc += "    " + s.name + " (" + setting_type_name(s.type) + ", default " + s.default_text;
      doc += (s.range.empty() ? "" : ", " + s.range) + "): " + s.doc + "\n";
    }
  }
  return doc + "\nRaises ValueError for an unknown kind or option or a value out of range, OSError when\n"
               "a file cannot be written.";
}

}  // namespace

void bind_generate(py::module_& m) { m.def("generate", &generate, py::arg("kind"), py::arg("out"), docstring().c_str()); }

}  // namespace streamml::python
