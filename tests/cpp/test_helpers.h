// Small builders shared by the C++ tests.
#pragma once

#include <cstdint>
#include <unistd.h>

#include <filesystem>
#include <functional>
#include <fstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "core/batch.h"
#include "core/error.h"

namespace streamml::testing {

// n records with 2 features (i, 10*i), label i % 2, and event times `times` (seconds) if given.
inline Batch make_records(std::size_t n, const std::vector<double>& times_seconds = {}) {
  Batch b;
  b.rows = n;
  b.cols = 2;
  for (std::size_t i = 0; i < n; ++i) {
    b.features.push_back(double(i));
    b.features.push_back(10.0 * double(i));
    b.labels.push_back(double(i % 2));
  }
  for (double t : times_seconds) b.event_times.push_back(EventTime(t * 1e6));
  return b;
}

// This process's folder for temporary files, removed when the process ends. Named by the
// process id, so test runs from several checkouts at once never share a folder.
inline const std::filesystem::path& process_temp_root() {
  struct Root {
    std::filesystem::path path =
        std::filesystem::temp_directory_path() / ("streamml_test_" + std::to_string(::getpid()));
    ~Root() {
      std::error_code ignored;
      std::filesystem::remove_all(path, ignored);
    }
  };
  static const Root root;
  return root.path;
}

// A fresh temporary directory for one test.
inline std::filesystem::path temp_dir(const std::string& name) {
  auto dir = process_temp_root() / name;
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

inline std::filesystem::path write_file(const std::filesystem::path& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
  return path;
}

// The message of the Error(InvalidInput) that f throws ("(no error)" if none); a test
// failure if it throws another kind.
inline std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::InvalidInput) << e.what();
    return e.what();
  }
  return "(no error)";
}

}  // namespace streamml::testing
