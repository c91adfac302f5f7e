// Writing JSON (summaries, positions, checkpoint attributes) with proper escaping and
// round-trip precision. Reading goes through simdjson in the .cpp files that need it.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace streamml {

// A small streaming writer: objects and arrays nest, commas are placed for you.
//   JsonWriter w; w.begin_object(); w.key("events").value(std::int64_t{10}); w.end_object();
class JsonWriter {
 public:
  explicit JsonWriter(bool pretty = false) : pretty_(pretty) {}
  JsonWriter& begin_object();
  JsonWriter& end_object();
  JsonWriter& begin_array();
  JsonWriter& end_array();
  JsonWriter& key(std::string_view k);
  JsonWriter& value(std::string_view v);
  JsonWriter& value(const char* v) { return value(std::string_view(v)); }
  JsonWriter& value(const std::string& v) { return value(std::string_view(v)); }
  JsonWriter& value(double v);  // shortest text that reads back to the same double; NaN/Inf -> null
  JsonWriter& value(std::int64_t v);
  JsonWriter& value(int v) { return value(std::int64_t{v}); }
  JsonWriter& value(std::size_t v) { return value(static_cast<std::int64_t>(v)); }
  JsonWriter& value(bool v);
  JsonWriter& null();
  // Inserts already-serialised JSON as a value (e.g. a nested summary).
  JsonWriter& raw(std::string_view json);
  const std::string& str() const { return out_; }

 private:
  void before_value();
  void newline();
  std::string out_;
  std::vector<bool> first_;  // per open container: nothing written in it yet
  bool after_key_ = false;
  bool pretty_;
};

// The JSON string literal for s, quotes included.
std::string json_quote(std::string_view s);

}  // namespace streamml
