// Small helpers the examples share: a scratch directory and a checked comparison.
#pragma once

#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <string>

namespace examples {

inline std::filesystem::path scratch(const std::string& name) {
  auto dir = std::filesystem::temp_directory_path() / ("streamml_example_" + name);
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

// Prints "check (oracle): OK", or "MISMATCH" and exits with 1.
inline void check(bool ok, const std::string& oracle) {
  if (!ok) {
    std::cout << "check (" << oracle << "): MISMATCH\n";
    std::exit(1);
  }
  std::cout << "check (" << oracle << "): OK\n";
}

}  // namespace examples
