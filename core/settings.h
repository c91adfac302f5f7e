// Settings declared once: one table per settings struct names every setting with its type,
// allowed range or choices and one line of documentation (the default is the struct's own
// member initialiser). Everything else derives from the table: validation with one message
// style ("logreg: step_size must be > 0, got -1"), reading `--param k=v` text, JSON for
// checkpoints, `streamml learners NAME`, and the Python keyword arguments and docstrings.
//
//   const SettingsTable<KMeansSettings>& table() {
//     static const SettingsTable<KMeansSettings> t = SettingsTable<KMeansSettings>("kmeans")
//         .integer("k", &KMeansSettings::k, "clusters", Range::at_least(1))
//         .real("decay_factor", &KMeansSettings::decay_factor, "...", Range::closed(0, 1))
//         .choice("init", &KMeansSettings::init, {{Init::KMeansPlusPlus, "k-means++"}, ...}, "...");
//     return t;
//   }
//
// Conditions that tie settings together (spark mode has no elasticnet) stay hand-written in
// the struct's validate(), after the table's checks, and use settings_error() for the style.
// The table is type-erased inside (one std::function pair per setting), so including this
// header costs little.
#pragma once

#include <cstdint>
#include <functional>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

namespace streamml {

class JsonWriter;

enum class SettingType {
  Real,       // double, finite
  Integer,    // any integer type
  Boolean,
  Choice,     // an enum, written as one of its names
  Text,       // free text
  RealList,   // "1,2,3"; JSON array
  RealRows,   // "1,2;3,4" (rows of equal length); JSON array of arrays
};

const char* setting_type_name(SettingType type);  // "float", "int", "bool", "str", ...

// Allowed values of a number: an optional lower and upper bound, each inclusive or not.
struct Range {
  std::optional<double> lower, upper;
  bool lower_inclusive = true, upper_inclusive = true;

  static Range any() { return {}; }
  static Range positive() { return {0.0, std::nullopt, false, true}; }       // > 0
  static Range non_negative() { return {0.0, std::nullopt, true, true}; }    // >= 0
  static Range at_least(double a) { return {a, std::nullopt, true, true}; }  // >= a
  static Range greater_than(double a) { return {a, std::nullopt, false, true}; }
  static Range closed(double a, double b) { return {a, b, true, true}; }         // [a, b]
  static Range open_closed(double a, double b) { return {a, b, false, true}; }   // (a, b]
  static Range closed_open(double a, double b) { return {a, b, true, false}; }   // [a, b)

  bool contains(double x) const;
  // "> 0", ">= 1", "in [0, 1]", "in (0, 1]", "" for any; integers written as integers.
  std::string text() const;
};

// One setting as the outside sees it.
struct SettingInfo {
  std::string name;
  SettingType type = SettingType::Real;
  std::string doc;                   // one line
  std::string default_json;          // the default as JSON: 0.1, true, "sgd", [1, 2]
  std::string default_text;          // the default as --param text: 0.1, true, sgd, 1,2
  std::vector<std::string> choices;  // Choice: the names, in declaration order
  std::string range;                 // Range::text(), "" when any value of the type goes
};

// A number as setting text: the shortest form that reads back to the same double.
std::string real_text(double x);

namespace settings_detail {
// What the typed declarations below call; each problem is a message in the table's style, or
// "" when the value fits.
[[noreturn]] void fail(const std::string& message);  // throws Error(InvalidInput)
std::string unreadable(const std::string& owner, const std::string& name, const char* expected,
                       std::string_view text);
std::string number_problem(const std::string& owner, const std::string& name, double x,
                           const Range& range);
std::string finite_problem(const std::string& owner, const std::string& name,
                           const std::vector<double>& xs);
std::string choice_problem(const std::string& owner, const std::string& name, std::string_view text,
                           const std::vector<std::string>& choices);
std::optional<double> read_real(std::string_view text);
std::optional<std::int64_t> read_integer(std::string_view text);
std::optional<bool> read_boolean(std::string_view text);  // true/false, 1/0, yes/no, on/off
std::optional<std::vector<double>> read_reals(std::string_view text);             // "1,2,3"
std::optional<std::vector<std::vector<double>>> read_rows(std::string_view text);  // "1,2;3,4"
void write_real(JsonWriter& out, double x);
void write_integer(JsonWriter& out, std::int64_t x);
void write_boolean(JsonWriter& out, bool x);
void write_text(JsonWriter& out, std::string_view x);
void write_reals(JsonWriter& out, const std::vector<double>& xs);
void write_rows(JsonWriter& out, const std::vector<double>& xs, std::int64_t row_length);
}  // namespace settings_detail

// The non-template half of a table: the loops over settings, on structs seen as void*.
class SettingsTableBase {
 public:
  // The owner is the first word of every message ("logreg: ..."): a learner's type name.
  const std::string& owner() const { return owner_; }
  const std::vector<SettingInfo>& settings() const { return infos_; }
  std::vector<std::string> names() const;
  const SettingInfo* find(std::string_view name) const;

 protected:
  explicit SettingsTableBase(std::string owner) : owner_(std::move(owner)) {}

  struct Access {
    std::function<void(void* settings, std::string_view text)> set;       // throws in style
    std::function<void(const void* settings, JsonWriter& out)> write;     // a JSON value
    std::function<std::string(const void* settings)> problem;             // "" when it fits
  };
  // Records the setting; its default is read from `defaults` through `access.write`.
  void add(SettingInfo info, Access access, const void* defaults);

  void set_any(void* settings, std::string_view name, std::string_view text) const;
  void validate_any(const void* settings) const;
  void write_members_any(const void* settings, JsonWriter& out) const;
  std::string json_any(const void* settings) const;
  std::string text_any(const void* settings, std::string_view name) const;
  void from_json_any(void* settings, std::string_view json) const;

 private:
  std::string owner_;
  std::vector<SettingInfo> infos_;
  std::vector<Access> access_;
};

template <class S>
class SettingsTable : public SettingsTableBase {
 public:
  explicit SettingsTable(std::string owner) : SettingsTableBase(std::move(owner)) {}

  SettingsTable& real(std::string name, double S::*member, std::string doc, Range range = Range::any()) {
    namespace d = settings_detail;
    const std::string o = owner();
    add({name, SettingType::Real, std::move(doc), {}, {}, {}, range.text()},
        {[o, name, member](void* s, std::string_view t) {
           const auto v = d::read_real(t);
           if (!v) d::fail(d::unreadable(o, name, "a number", t));
           self(s).*member = *v;
         },
         [member](const void* s, JsonWriter& out) { d::write_real(out, self(s).*member); },
         [o, name, member, range](const void* s) { return d::number_problem(o, name, self(s).*member, range); }},
        &defaults());
    return *this;
  }

  // Any integer member; values outside the member's type are refused as out of range. With
  // flag_words, "true" and "false" read as 1 and 0 (scikit-learn's average=True).
  template <class Int, class = std::enable_if_t<std::is_integral_v<Int> && !std::is_same_v<Int, bool>>>
  SettingsTable& integer(std::string name, Int S::*member, std::string doc, Range range = Range::any(),
                         bool flag_words = false) {
    namespace d = settings_detail;
    const std::string o = owner();
    if (!range.lower && !std::is_signed_v<Int>) range.lower = 0.0, range.lower_inclusive = true;
    add({name, SettingType::Integer, std::move(doc), {}, {}, {}, range.text()},
        {[o, name, member, range, flag_words](void* s, std::string_view t) {
           auto v = d::read_integer(t);
           if (!v && flag_words)
             if (const auto b = d::read_boolean(t)) v = *b ? 1 : 0;
           if (!v) d::fail(d::unreadable(o, name, "an integer", t));
           const std::string bad = d::number_problem(o, name, double(*v), range);
           if (!bad.empty()) d::fail(bad);
           // The member's type has its own limits (a seed of -1 cannot reach a uint64_t).
           const bool fits = std::is_signed_v<Int> ? *v >= std::int64_t(std::numeric_limits<Int>::min()) &&
                                                         *v <= std::int64_t(std::numeric_limits<Int>::max())
                                                   : *v >= 0;
           if (!fits) d::fail(d::number_problem(o, name, double(*v), Range::closed(double(std::numeric_limits<Int>::min()),
                                                                                  double(std::numeric_limits<Int>::max()))));
           self(s).*member = Int(*v);
         },
         [member](const void* s, JsonWriter& out) { d::write_integer(out, std::int64_t(self(s).*member)); },
         [o, name, member, range](const void* s) { return d::number_problem(o, name, double(self(s).*member), range); }},
        &defaults());
    return *this;
  }

  SettingsTable& flag(std::string name, bool S::*member, std::string doc) {
    namespace d = settings_detail;
    const std::string o = owner();
    add({name, SettingType::Boolean, std::move(doc), {}, {}, {}, {}},
        {[o, name, member](void* s, std::string_view t) {
           const auto v = d::read_boolean(t);
           if (!v) d::fail(d::unreadable(o, name, "true or false", t));
           self(s).*member = *v;
         },
         [member](const void* s, JsonWriter& out) { d::write_boolean(out, self(s).*member); },
         [](const void*) { return std::string(); }},
        &defaults());
    return *this;
  }

  // An enum member, named in text and JSON by `names` (in the order help lists them).
  template <class E>
  SettingsTable& choice(std::string name, E S::*member, std::vector<std::pair<E, std::string>> names,
                         std::string doc) {
    namespace d = settings_detail;
    const std::string o = owner();
    std::vector<std::string> choices;
    for (const auto& entry : names) choices.push_back(entry.second);
    add({name, SettingType::Choice, std::move(doc), {}, {}, choices, {}},
        {[o, name, member, names, choices](void* s, std::string_view t) {
           for (const auto& [value, text] : names)
             if (text == t) {
               self(s).*member = value;
               return;
             }
           d::fail(d::choice_problem(o, name, t, choices));
         },
         [member, names](const void* s, JsonWriter& out) {
           for (const auto& [value, text] : names)
             if (value == self(s).*member) return d::write_text(out, text);
           d::write_text(out, "?");
         },
         [o, name, member, names, choices](const void* s) {
           for (const auto& entry : names)
             if (entry.first == self(s).*member) return std::string();
           return d::choice_problem(o, name, "?", choices);
         }},
        &defaults());
    return *this;
  }

  SettingsTable& text(std::string name, std::string S::*member, std::string doc) {
    namespace d = settings_detail;
    add({name, SettingType::Text, std::move(doc), {}, {}, {}, {}},
        {[member](void* s, std::string_view t) { self(s).*member = std::string(t); },
         [member](const void* s, JsonWriter& out) { d::write_text(out, self(s).*member); },
         [](const void*) { return std::string(); }},
        &defaults());
    return *this;
  }

  SettingsTable& reals(std::string name, std::vector<double> S::*member, std::string doc) {
    namespace d = settings_detail;
    const std::string o = owner();
    add({name, SettingType::RealList, std::move(doc), {}, {}, {}, {}},
        {[o, name, member](void* s, std::string_view t) {
           auto v = d::read_reals(t);
           if (!v) d::fail(d::unreadable(o, name, "numbers separated by ','", t));
           self(s).*member = std::move(*v);
         },
         [member](const void* s, JsonWriter& out) { d::write_reals(out, self(s).*member); },
         [o, name, member](const void* s) { return d::finite_problem(o, name, self(s).*member); }},
        &defaults());
    return *this;
  }

  // Rows of numbers held flat and row-major in a vector (k centres of d values), their length
  // in another member: text "1,2;3,4", JSON [[1,2],[3,4]]; rows of unequal length are refused.
  // The rows' length fills the length member while it is 0; one set explicitly is kept (in
  // either order), and a mismatch is for the struct's validate() to report.
  SettingsTable& rows(std::string name, std::vector<double> S::*member, std::int64_t S::*row_length,
                       std::string doc) {
    namespace d = settings_detail;
    const std::string o = owner();
    add({name, SettingType::RealRows, std::move(doc), {}, {}, {}, {}},
        {[o, name, member, row_length](void* s, std::string_view t) {
           auto v = d::read_rows(t);
           if (!v) d::fail(d::unreadable(o, name, "rows of numbers of equal length, as 1,2;3,4", t));
           std::vector<double> flat;
           for (const auto& r : *v) flat.insert(flat.end(), r.begin(), r.end());
           self(s).*member = std::move(flat);
           if (!v->empty() && self(s).*row_length == 0) self(s).*row_length = std::int64_t(v->front().size());
         },
         [member, row_length](const void* s, JsonWriter& out) {
           d::write_rows(out, self(s).*member, self(s).*row_length);
         },
         [o, name, member](const void* s) { return d::finite_problem(o, name, self(s).*member); }},
        &defaults());
    return *this;
  }

  // One setting from text; throws Error(InvalidInput) for an unknown name (listing the known
  // ones) or text of the wrong type or out of range.
  void set(S& s, std::string_view name, std::string_view text) const { set_any(&s, name, text); }
  // Every setting against its range or choices; throws Error(InvalidInput) for the first
  // that does not fit.
  void validate(const S& s) const { validate_any(&s); }
  std::string to_json(const S& s) const { return json_any(&s); }
  // One setting's value as --param text ("adagrad", "0.1", "1,2"); for summaries and messages.
  std::string text(const S& s, std::string_view name) const { return text_any(&s, name); }
  // The settings as members of an open JSON object.
  void write_members(const S& s, JsonWriter& out) const { write_members_any(&s, out); }
  // Settings from JSON (a checkpoint's params): members set by name, absent ones keep their
  // defaults, unknown ones refused. The struct's validate() is the caller's to run.
  S from_json(std::string_view json) const {
    S s;
    from_json_any(&s, json);
    return s;
  }
  // Settings from `--param k=v` text, likewise.
  S from_text(const std::map<std::string, std::string>& params) const {
    S s;
    for (const auto& [k, v] : params) set(s, k, v);
    return s;
  }

 private:
  static S& self(void* p) { return *static_cast<S*>(p); }
  static const S& self(const void* p) { return *static_cast<const S*>(p); }
  static const S& defaults() {
    static const S d{};
    return d;
  }
};

// For the checks a struct's validate() adds by hand, in the tables' style:
// settings_error("logreg", "mode 'spark' has no elasticnet") throws "logreg: mode 'spark' ...".
[[noreturn]] void settings_error(std::string_view owner, const std::string& message);

// "k=v" pairs to a map; throws Error(InvalidInput) naming the flag and a malformed or
// repeated one.
std::map<std::string, std::string> parse_params(const std::vector<std::string>& params,
                                                std::string_view flag = "--param");

}  // namespace streamml
