// One error type for the whole library, and the check macro that raises it.
//
// Every failure streamml reports is a streamml::Error. Its kind says which family it belongs
// to (bad input, I/O, or a failure of the library itself), so the Python bindings can map it
// to ValueError / OSError / RuntimeError in one place. Messages say what was expected and
// what came: "features has 7 columns, model expects 5".
#pragma once

#include <sstream>
#include <stdexcept>
#include <string>

namespace streamml {

enum class ErrorKind {
  InvalidInput,  // the caller's data or settings are wrong (Python: ValueError)
  Io,            // a file, socket or broker failed (Python: OSError)
  Runtime,       // anything else, including broken invariants (Python: RuntimeError)
};

class Error : public std::runtime_error {
 public:
  Error(ErrorKind kind, const std::string& message, const std::string& location = {})
      : std::runtime_error(location.empty() ? message : message + " " + location),
        kind_(kind),
        message_(message),
        location_(location) {}
  ErrorKind kind() const noexcept { return kind_; }
  // What a person reads: the problem, without where in streamml's source it was found.
  const std::string& message() const noexcept { return message_; }
  // "[check `x > 0` failed] (core/batch.cpp:41)" for a failed check, else empty: for internal
  // errors and for --debug. what() is the message followed by it.
  const std::string& location() const noexcept { return location_; }

 private:
  ErrorKind kind_;
  std::string message_;
  std::string location_;
};

namespace detail {
[[noreturn]] void throw_error(ErrorKind kind, const char* condition, const char* file, int line,
                              const std::string& message);
}  // namespace detail

}  // namespace streamml

// STREAMML_CHECK(cond, kind, stream-expression): if cond is false, throw streamml::Error of the
// given kind whose message is the streamed expression followed by the failed condition and
// the source location, e.g.
//   STREAMML_CHECK(x.cols() == d, InvalidInput, "features has " << x.cols()
//                  << " columns, model expects " << d);
#define STREAMML_CHECK(cond, kind, msg)                                                    \
  do {                                                                                     \
    if (!(cond)) {                                                                         \
      std::ostringstream streamml_check_os_;                                               \
      streamml_check_os_ << msg;                                                           \
      ::streamml::detail::throw_error(::streamml::ErrorKind::kind, #cond, __FILE__,        \
                                      __LINE__, streamml_check_os_.str());                 \
    }                                                                                      \
  } while (0)

// Unconditional form, for branches that already know they failed.
#define STREAMML_FAIL(kind, msg) STREAMML_CHECK(false, kind, msg)
