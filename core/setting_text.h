// Reading a learner's settings from text, as `--param key=value` and the Python bindings give
// them. Every learner's Settings::set(name, value) uses these, so the same value means the
// same thing everywhere and a bad one is reported the same way:
//   "setting 'step_size' expects a number, got 'fast'".
#pragma once

#include <cstdint>
#include <string_view>

namespace streamml {

double setting_double(std::string_view value, std::string_view name);
std::int64_t setting_int(std::string_view value, std::string_view name);
// true/false, 1/0, yes/no, on/off.
bool setting_bool(std::string_view value, std::string_view name);

}  // namespace streamml
