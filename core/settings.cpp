#include "core/settings.h"

#include <simdjson.h>

#include <algorithm>
#include <charconv>
#include <cmath>

#include "core/error.h"
#include "core/json.h"

namespace streamml {

const char* setting_type_name(SettingType type) {
  switch (type) {
    case SettingType::Real: return "float";
    case SettingType::Integer: return "int";
    case SettingType::Boolean: return "bool";
    case SettingType::Choice: return "str";
    case SettingType::Text: return "str";
    case SettingType::RealList: return "list of float";
    case SettingType::RealRows: return "list of rows of float";
  }
  return "?";
}

namespace {

// A bound as a person writes it: integers without ".0", others in their shortest form.
std::string bound_text(double x) {
  if (std::abs(x) < 1e15 && x == std::floor(x)) return std::to_string(std::int64_t(x));
  return real_text(x);
}

// How far apart two names are (Levenshtein), for "did you mean".
std::size_t distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = up;
    }
  }
  return row[b.size()];
}

// A JSON value as the setting text that reads it back: strings as they are, numbers in their
// shortest exact form, booleans true/false, arrays "1,2,3", arrays of arrays "1,2;3,4".
// False when the value has another shape.
bool scalar_text(simdjson::dom::element e, std::string& out) {
  switch (e.type()) {
    case simdjson::dom::element_type::STRING: out += std::string_view(e.get_string().value()); return true;
    case simdjson::dom::element_type::INT64: out += std::to_string(std::int64_t(e.get_int64().value())); return true;
    case simdjson::dom::element_type::UINT64: out += std::to_string(std::uint64_t(e.get_uint64().value())); return true;
    case simdjson::dom::element_type::DOUBLE: out += real_text(double(e.get_double().value())); return true;
    case simdjson::dom::element_type::BOOL: out += e.get_bool().value() ? "true" : "false"; return true;
    default: return false;
  }
}

bool value_text(simdjson::dom::element value, std::string& text) {
  if (scalar_text(value, text)) return true;
  simdjson::dom::array rows;
  if (value.get_array().get(rows)) return false;
  bool first_row = true;
  for (simdjson::dom::element item : rows) {
    simdjson::dom::array row;
    if (!item.get_array().get(row)) {
      if (!first_row) text += ';';
      bool first = true;
      for (simdjson::dom::element x : row) {
        if (!first) text += ',';
        if (!scalar_text(x, text)) return false;
        first = false;
      }
    } else {
      if (!first_row) text += ',';
      if (!scalar_text(item, text)) return false;
    }
    first_row = false;
  }
  return true;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace

std::string real_text(double x) {
  char buffer[64];
  const auto r = std::to_chars(buffer, buffer + sizeof buffer, x);
  return std::string(buffer, r.ptr);
}

bool Range::contains(double x) const {
  if (std::isnan(x)) return false;
  if (lower && (lower_inclusive ? x < *lower : x <= *lower)) return false;
  if (upper && (upper_inclusive ? x > *upper : x >= *upper)) return false;
  return true;
}

std::string Range::text() const {
  if (lower && upper)
    return std::string("in ") + (lower_inclusive ? "[" : "(") + bound_text(*lower) + ", " + bound_text(*upper) +
           (upper_inclusive ? "]" : ")");
  if (lower) return (lower_inclusive ? ">= " : "> ") + bound_text(*lower);
  if (upper) return (upper_inclusive ? "<= " : "< ") + bound_text(*upper);
  return {};
}

// ---------------------------------------------------------------------------------------------
// The typed declarations' helpers

namespace settings_detail {

void fail(const std::string& message) { throw Error(ErrorKind::InvalidInput, message); }

std::string unreadable(const std::string& owner, const std::string& name, const char* expected,
                       std::string_view text) {
  return owner + ": setting '" + name + "' expects " + expected + ", got '" + std::string(text) + "'";
}

std::string number_problem(const std::string& owner, const std::string& name, double x, const Range& range) {
  if (!std::isfinite(x)) return owner + ": " + name + " must be a finite number, got " + real_text(x);
  if (range.contains(x)) return {};
  return owner + ": " + name + " must be " + range.text() + ", got " + bound_text(x);
}

std::string finite_problem(const std::string& owner, const std::string& name, const std::vector<double>& xs) {
  for (std::size_t i = 0; i < xs.size(); ++i)
    if (!std::isfinite(xs[i]))
      return owner + ": " + name + "[" + std::to_string(i) + "] must be a finite number, got " + real_text(xs[i]);
  return {};
}

std::string choice_problem(const std::string& owner, const std::string& name, std::string_view text,
                           const std::vector<std::string>& choices) {
  std::string known;
  for (const auto& c : choices) known += (known.empty() ? "'" : ", '") + c + "'";
  return owner + ": " + name + " must be one of " + known + ", got '" + std::string(text) + "'";
}

std::optional<double> read_real(std::string_view text) {
  const std::string_view t = trim(text);
  double out = 0;
  const char* begin = t.data() + (!t.empty() && t.front() == '+');
  const auto [end, ec] = std::from_chars(begin, t.data() + t.size(), out);
  if (t.empty() || ec != std::errc() || end != t.data() + t.size()) return std::nullopt;
  return out;
}

std::optional<std::int64_t> read_integer(std::string_view text) {
  const std::string_view t = trim(text);
  std::int64_t out = 0;
  const auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), out);
  if (t.empty() || ec != std::errc() || end != t.data() + t.size()) return std::nullopt;
  return out;
}

std::optional<bool> read_boolean(std::string_view text) {
  const std::string_view v = trim(text);
  if (v == "true" || v == "1" || v == "yes" || v == "on" || v == "True") return true;
  if (v == "false" || v == "0" || v == "no" || v == "off" || v == "False") return false;
  return std::nullopt;
}

std::optional<std::vector<double>> read_reals(std::string_view text) {
  std::vector<double> out;
  if (trim(text).empty()) return out;
  std::size_t start = 0;
  while (start <= text.size()) {
    const std::size_t comma = std::min(text.find(',', start), text.size());
    const auto x = read_real(text.substr(start, comma - start));
    if (!x) return std::nullopt;
    out.push_back(*x);
    start = comma + 1;
  }
  return out;
}

std::optional<std::vector<std::vector<double>>> read_rows(std::string_view text) {
  std::vector<std::vector<double>> out;
  if (trim(text).empty()) return out;
  std::size_t start = 0;
  while (start <= text.size()) {
    const std::size_t semicolon = std::min(text.find(';', start), text.size());
    auto row = read_reals(text.substr(start, semicolon - start));
    if (!row || row->empty() || (!out.empty() && row->size() != out.front().size())) return std::nullopt;
    out.push_back(std::move(*row));
    start = semicolon + 1;
  }
  return out;
}

void write_real(JsonWriter& out, double x) { out.value(x); }
void write_integer(JsonWriter& out, std::int64_t x) { out.value(x); }
void write_boolean(JsonWriter& out, bool x) { out.value(x); }
void write_text(JsonWriter& out, std::string_view x) { out.value(x); }
void write_reals(JsonWriter& out, const std::vector<double>& xs) {
  out.begin_array();
  for (double x : xs) out.value(x);
  out.end_array();
}
void write_rows(JsonWriter& out, const std::vector<double>& xs, std::int64_t row_length) {
  out.begin_array();
  const std::size_t n = row_length > 0 ? std::size_t(row_length) : std::max<std::size_t>(xs.size(), 1);
  for (std::size_t i = 0; i < xs.size(); i += n) {
    out.begin_array();
    for (std::size_t j = i; j < std::min(xs.size(), i + n); ++j) out.value(xs[j]);
    out.end_array();
  }
  out.end_array();
}

}  // namespace settings_detail

// ---------------------------------------------------------------------------------------------
// The table

void SettingsTableBase::add(SettingInfo info, Access access, const void* defaults) {
  STREAMML_CHECK(find(info.name) == nullptr, Runtime,
                 owner_ << ": setting '" << info.name << "' is declared twice");
  JsonWriter w;
  access.write(defaults, w);
  info.default_json = w.str();
  simdjson::dom::parser parser;
  simdjson::dom::element e;
  const simdjson::padded_string padded(info.default_json);
  STREAMML_CHECK(!parser.parse(padded).get(e) && value_text(e, info.default_text), Runtime,
                 owner_ << ": the default of '" << info.name << "' has no text form");
  infos_.push_back(std::move(info));
  access_.push_back(std::move(access));
}

std::vector<std::string> SettingsTableBase::names() const {
  std::vector<std::string> out;
  for (const auto& s : infos_) out.push_back(s.name);
  return out;
}

const SettingInfo* SettingsTableBase::find(std::string_view name) const {
  for (const auto& s : infos_)
    if (s.name == name) return &s;
  return nullptr;
}

void SettingsTableBase::set_any(void* settings, std::string_view name, std::string_view text) const {
  for (std::size_t i = 0; i < infos_.size(); ++i)
    if (infos_[i].name == name) return access_[i].set(settings, text);
  std::string known, closest;
  std::size_t best = 3;  // suggest only names within two edits
  for (const auto& s : infos_) {
    known += (known.empty() ? "" : ", ") + s.name;
    const std::size_t d = distance(name, s.name);
    if (d < best) best = d, closest = s.name;
  }
  settings_detail::fail(owner_ + " has no setting '" + std::string(name) + "'; known: " + known +
                        (closest.empty() ? "" : " (did you mean '" + closest + "'?)"));
}

void SettingsTableBase::validate_any(const void* settings) const {
  for (const auto& access : access_) {
    const std::string problem = access.problem(settings);
    if (!problem.empty()) settings_detail::fail(problem);
  }
}

void SettingsTableBase::write_members_any(const void* settings, JsonWriter& out) const {
  for (std::size_t i = 0; i < infos_.size(); ++i) {
    out.key(infos_[i].name);
    access_[i].write(settings, out);
  }
}

std::string SettingsTableBase::json_any(const void* settings) const {
  JsonWriter w;
  w.begin_object();
  write_members_any(settings, w);
  w.end_object();
  return w.str();
}

std::string SettingsTableBase::text_any(const void* settings, std::string_view name) const {
  for (std::size_t i = 0; i < infos_.size(); ++i) {
    if (infos_[i].name != name) continue;
    JsonWriter w;
    access_[i].write(settings, w);
    simdjson::dom::parser parser;
    simdjson::dom::element e;
    const simdjson::padded_string padded(w.str());
    std::string text;
    if (!parser.parse(padded).get(e) && value_text(e, text)) return text;
    return w.str();
  }
  STREAMML_FAIL(Runtime, owner_ << " has no setting '" << name << "'");
}

void SettingsTableBase::from_json_any(void* settings, std::string_view json) const {
  simdjson::dom::parser parser;
  const simdjson::padded_string padded(json);
  simdjson::dom::object object;
  const auto error = parser.parse(padded).get(object);
  if (error)
    settings_detail::fail(owner_ + ": settings are not a JSON object (" + simdjson::error_message(error) +
                          "): " + std::string(json.substr(0, 200)));
  for (auto [key, value] : object) {
    std::string text;
    if (!value_text(value, text))
      settings_detail::fail(owner_ + ": setting '" + std::string(std::string_view(key)) +
                            "' is neither a scalar nor an array of them in " + std::string(json.substr(0, 200)));
    set_any(settings, key, text);
  }
}

void settings_error(std::string_view owner, const std::string& message) {
  settings_detail::fail(std::string(owner) + ": " + message);
}

std::map<std::string, std::string> parse_params(const std::vector<std::string>& params, std::string_view flag) {
  std::map<std::string, std::string> out;
  for (const auto& p : params) {
    const auto eq = p.find('=');
    STREAMML_CHECK(eq != std::string::npos && eq > 0, InvalidInput,
                   flag << " '" << p << "' is not of the form key=value");
    const bool fresh = out.emplace(p.substr(0, eq), p.substr(eq + 1)).second;
    STREAMML_CHECK(fresh, InvalidInput, flag << " '" << p.substr(0, eq) << "' is given twice");
  }
  return out;
}

}  // namespace streamml
