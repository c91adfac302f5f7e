#include "core/setting_text.h"

#include <charconv>
#include <string>

#include "core/error.h"

namespace streamml {

double setting_double(std::string_view v, std::string_view name) {
  double out = 0;
  const auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), out);
  STREAMML_CHECK(ec == std::errc() && end == v.data() + v.size(), InvalidInput,
                 "setting '" << std::string(name) << "' expects a number, got '" << std::string(v) << "'");
  return out;
}

std::int64_t setting_int(std::string_view v, std::string_view name) {
  std::int64_t out = 0;
  const auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), out);
  STREAMML_CHECK(ec == std::errc() && end == v.data() + v.size(), InvalidInput,
                 "setting '" << std::string(name) << "' expects an integer, got '" << std::string(v) << "'");
  return out;
}

bool setting_bool(std::string_view v, std::string_view name) {
  if (v == "true" || v == "1" || v == "yes" || v == "on") return true;
  if (v == "false" || v == "0" || v == "no" || v == "off") return false;
  STREAMML_FAIL(InvalidInput, "setting '" << std::string(name) << "' expects true or false, got '"
                                          << std::string(v) << "'");
}

}  // namespace streamml
