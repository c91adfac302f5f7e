// Conversions every binding shares: Python settings values to settings-table text, and NumPy
// arrays to matrix views. One place, so a value means the same thing to every learner, to
// streamml.generate and to the command line's --param.
#include <string>

#include "bindings/python/bindings.h"
#include "core/error.h"
#include "core/settings.h"

namespace streamml::python {

std::string shape_text(const py::array& a) {
  std::string s = "(";
  for (py::ssize_t i = 0; i < a.ndim(); ++i) s += (i ? ", " : "") + std::to_string(a.shape(i));
  return s + (a.ndim() == 1 ? ",)" : ")");
}

ConstRowMatrixMap rows_of(const DoubleArray& x, const char* name) {
  STREAMML_CHECK(x.ndim() == 2, InvalidInput,
                 name << " must be 2-D (n_samples, n_features), got a " << x.ndim() << "-D array of shape "
                      << shape_text(x));
  return {x.data(), Eigen::Index(x.shape(0)), Eigen::Index(x.shape(1))};
}

namespace {

bool is_bool(const py::handle& value) {
  if (py::isinstance<py::bool_>(value)) return true;
  return py::type::of(value).attr("__name__").cast<std::string>() == "bool_";  // numpy.bool_
}

// Numbers of a 1-D or 2-D array-like: "1,2,3" or "1,2;3,4".
std::string array_text(const py::handle& value, const std::string& where) {
  const py::object a = py::module_::import("numpy").attr("asarray")(value);
  const char kind = a.attr("dtype").attr("kind").cast<char>();
  STREAMML_CHECK(kind == 'f' || kind == 'i' || kind == 'u' || kind == 'b', InvalidInput,
                 where << " expects numbers, got " << std::string(py::repr(value)));
  const DoubleArray numbers = DoubleArray::ensure(a);
  STREAMML_CHECK(numbers && (numbers.ndim() == 1 || numbers.ndim() == 2), InvalidInput,
                 where << " expects a number, a string, a bool, or a 1-D or 2-D array of numbers, got "
                       << std::string(py::repr(value)));
  const py::ssize_t rows = numbers.ndim() == 2 ? numbers.shape(0) : 1;
  const py::ssize_t cols = numbers.ndim() == 2 ? numbers.shape(1) : numbers.shape(0);
  std::string out;
  for (py::ssize_t r = 0; r < rows; ++r) {
    if (r) out += ';';
    for (py::ssize_t c = 0; c < cols; ++c) {
      if (c) out += ',';
      out += real_text(numbers.data()[r * cols + c]);
    }
  }
  return out;
}

}  // namespace

std::string setting_text(const py::handle& value, const std::string& owner, const std::string& name) {
  const std::string where = owner + ": setting '" + name + "'";
  if (value.is_none()) return "";
  if (py::isinstance<py::str>(value)) return value.cast<std::string>();
  if (is_bool(value)) return value.cast<bool>() ? "true" : "false";
  STREAMML_CHECK(!PyComplex_Check(value.ptr()) &&
                     py::type::of(value).attr("__name__").cast<std::string>().rfind("complex", 0) != 0,
                 InvalidInput, where << " expects a real number, got " << std::string(py::repr(value)));
  if (py::hasattr(value, "__len__") || py::isinstance<py::array>(value)) {
    if (py::isinstance<py::array>(value) && py::reinterpret_borrow<py::array>(value).ndim() == 0)
      return setting_text(value.attr("item")(), owner, name);
    return array_text(value, where);
  }
  if (py::hasattr(value, "__index__")) return std::to_string(value.attr("__index__")().cast<std::int64_t>());
  if (PyNumber_Check(value.ptr()) && py::hasattr(value, "__float__"))
    return real_text(value.attr("__float__")().cast<double>());
  STREAMML_FAIL(InvalidInput, where << " expects a number, a string, a bool or an array of numbers, got "
                                    << std::string(py::repr(value)));
}

std::map<std::string, std::string> settings_text(const py::dict& settings, const std::string& owner) {
  std::map<std::string, std::string> out;
  for (const auto& [key, value] : settings) {
    const std::string name = py::str(key);
    out[name] = setting_text(value, owner, name);
  }
  return out;
}

}  // namespace streamml::python
