// The one place where C++ failures become Python exceptions (STYLE.md, Errors):
//   streamml::Error(InvalidInput) -> ValueError   (bad data or settings)
//   streamml::Error(Io)           -> OSError      (a file, socket or broker failed)
//   streamml::Error(Runtime)      -> RuntimeError (anything else)
// The message passes through unchanged, so "data/clicks.csv:17:3: cannot parse 'abc' as a
// number" reaches the Python user exactly as the C++ code wrote it.
#include "bindings/python/bindings.h"

#include "core/error.h"

namespace streamml::python {

void bind_errors(py::module_& /*m*/) {
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const Error& e) {
      switch (e.kind()) {
        case ErrorKind::InvalidInput: PyErr_SetString(PyExc_ValueError, e.message().c_str()); return;
        case ErrorKind::Io: PyErr_SetString(PyExc_OSError, e.message().c_str()); return;
        case ErrorKind::Runtime: PyErr_SetString(PyExc_RuntimeError, e.what()); return;
      }
      PyErr_SetString(PyExc_RuntimeError, e.what());
    }
  });
}

}  // namespace streamml::python
