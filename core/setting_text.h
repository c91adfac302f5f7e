// Reading a learner's settings from text, as `--param key=value` and the Python bindings give
// them. Every learner's Settings::set(name, value) uses these, so the same value means the
// same thing everywhere and a bad one is reported the same way:
//   "setting 'step_size' expects a number, got 'fast'".
#pragma once

#include <cstdint>
#include <functional>
#include <string_view>

namespace streamml {

double setting_double(std::string_view value, std::string_view name);
std::int64_t setting_int(std::string_view value, std::string_view name);
// true/false, 1/0, yes/no, on/off.
bool setting_bool(std::string_view value, std::string_view name);

// Settings saved as JSON (params_json(), a checkpoint's `params`) back as text, one call per
// member in order: strings as they are, numbers in their shortest exact form, booleans
// "true"/"false", arrays of numbers "1,2,3", arrays of arrays "1,2;3,4" (the forms every
// Settings::set reads). Throws Error(InvalidInput) for text that is not a JSON object or a
// member of another shape.
void for_each_setting(std::string_view json,
                      const std::function<void(std::string_view name, std::string_view text)>& fn);

// A settings struct rebuilt from its JSON through its own set(), then validated.
template <class Settings>
Settings settings_from_json(std::string_view json) {
  Settings settings;
  for_each_setting(json, [&](std::string_view name, std::string_view text) { settings.set(name, text); });
  settings.validate();
  return settings;
}

}  // namespace streamml
