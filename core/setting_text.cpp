#include "core/setting_text.h"

#include <simdjson.h>

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

namespace {

// One JSON scalar as setting text; false when it is not a scalar.
bool scalar_text(simdjson::dom::element e, std::string& out) {
  char buffer[64];
  switch (e.type()) {
    case simdjson::dom::element_type::STRING:
      out += std::string_view(e.get_string().value());
      return true;
    case simdjson::dom::element_type::INT64:
      out += std::to_string(int64_t(e.get_int64().value()));
      return true;
    case simdjson::dom::element_type::UINT64:
      out += std::to_string(uint64_t(e.get_uint64().value()));
      return true;
    case simdjson::dom::element_type::DOUBLE: {
      const auto r = std::to_chars(buffer, buffer + sizeof buffer, double(e.get_double().value()));
      out.append(buffer, r.ptr);
      return true;
    }
    case simdjson::dom::element_type::BOOL:
      out += e.get_bool().value() ? "true" : "false";
      return true;
    default:
      return false;
  }
}

}  // namespace

void for_each_setting(std::string_view json,
                      const std::function<void(std::string_view name, std::string_view text)>& fn) {
  simdjson::dom::parser parser;
  const simdjson::padded_string padded(json);
  simdjson::dom::object object;
  const auto error = parser.parse(padded).get(object);
  STREAMML_CHECK(!error, InvalidInput,
                 "settings are not a JSON object (" << simdjson::error_message(error) << "): " << std::string(json));
  for (auto [key, value] : object) {
    std::string text;
    bool ok = scalar_text(value, text);
    simdjson::dom::array rows;
    if (!ok && !value.get_array().get(rows)) {
      ok = true;
      bool first_row = true;
      for (simdjson::dom::element item : rows) {
        simdjson::dom::array row;
        if (!item.get_array().get(row)) {
          if (!first_row) text += ';';
          bool first = true;
          for (simdjson::dom::element x : row) {
            if (!first) text += ',';
            ok = ok && scalar_text(x, text);
            first = false;
          }
        } else {
          if (!first_row) text += ',';
          ok = ok && scalar_text(item, text);
        }
        first_row = false;
      }
    }
    STREAMML_CHECK(ok, InvalidInput,
                   "setting '" << std::string_view(key) << "' in the saved settings is neither a scalar nor an array of them");
    fn(key, text);
  }
}

}  // namespace streamml
