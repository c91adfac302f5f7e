// What every fuzz target shares: reading choices off the front of the fuzzer's bytes, a scratch
// file per process, and the rule for exceptions. The library's contract for bad input is a
// streamml::Error of kind InvalidInput or Io; anything else that escapes (another exception
// type, an Error of kind Runtime — a broken invariant) is a finding, so it aborts and libFuzzer
// saves the input.
#pragma once

#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <string_view>

#include "core/error.h"

namespace streamml::fuzz {

// The fuzzer's bytes, with choices taken one byte at a time from the front (0 once they run out).
class FuzzInput {
 public:
  FuzzInput(const std::uint8_t* data, std::size_t size) : p_(reinterpret_cast<const char*>(data)), n_(size) {}
  std::uint8_t byte() {
    if (n_ == 0) return 0;
    --n_;
    return std::uint8_t(*p_++);
  }
  // What is left, as text.
  std::string_view rest() const { return {p_, n_}; }

 private:
  const char* p_;
  std::size_t n_;
};

// A file in $TMPDIR (or /tmp) named for this process, rewritten by each input.
inline const std::string& scratch_path(const char* suffix) {
  static const std::string path = [&] {
    const char* dir = std::getenv("TMPDIR");
    return std::string(dir && *dir ? dir : "/tmp") + "/streamml-fuzz-" + std::to_string(::getpid()) + suffix;
  }();
  return path;
}

inline const std::string& write_scratch(std::string_view bytes, const char* suffix) {
  const std::string& path = scratch_path(suffix);
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), std::streamsize(bytes.size()));
  out.close();
  if (!out) {
    std::fprintf(stderr, "fuzz: cannot write scratch file %s\n", path.c_str());
    std::abort();
  }
  return path;
}

// Runs fn; a refusal of bad input (Error InvalidInput or Io) is the expected outcome, a Runtime
// Error is a finding. Other exceptions propagate to std::terminate, also a finding.
template <class Fn>
void expect_refusal_or_success(Fn&& fn) {
  try {
    fn();
  } catch (const Error& e) {
    if (e.kind() == ErrorKind::Runtime) {
      std::fprintf(stderr, "fuzz: internal error (kind Runtime): %s\n", e.what());
      std::abort();
    }
  }
}

// A property the harness checks on what the library returned.
#define STREAMML_FUZZ_ASSERT(cond, ...)                                              \
  do {                                                                               \
    if (!(cond)) {                                                                   \
      std::fprintf(stderr, "fuzz: property failed: %s (%s:%d): ", #cond, __FILE__, __LINE__); \
      std::fprintf(stderr, __VA_ARGS__);                                             \
      std::fprintf(stderr, "\n");                                                    \
      std::abort();                                                                  \
    }                                                                                \
  } while (0)

}  // namespace streamml::fuzz
