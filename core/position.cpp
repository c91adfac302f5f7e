#include "core/position.h"

#include <simdjson.h>

#include "core/error.h"
#include "core/json.h"

namespace streamml {

std::string Position::to_json() const {
  JsonWriter w;
  w.begin_object();
  w.key("source").value(source);
  w.key("offset").value(offset);
  w.key("line").value(line);
  w.key("records").value(records);
  if (!partitions.empty()) {
    w.key("partitions").begin_object();
    for (const auto& [name, next] : partitions) w.key(name).value(next);
    w.end_object();
  }
  if (watermark) w.key("watermark_us").value(*watermark);
  w.end_object();
  return w.str();
}

Position Position::from_json(std::string_view json) {
  simdjson::dom::parser parser;
  simdjson::padded_string padded(json);
  simdjson::dom::element root;
  auto error = parser.parse(padded).get(root);
  STREAMML_CHECK(!error, InvalidInput,
                 "position is not valid JSON (" << simdjson::error_message(error) << "): " << json);
  simdjson::dom::object object;
  STREAMML_CHECK(!root.get_object().get(object), InvalidInput,
                 "position must be a JSON object, got: " << json);
  Position p;
  for (auto field : object) {
    const std::string_view name = field.key;
    if (name == "source") {
      std::string_view s;
      STREAMML_CHECK(!field.value.get_string().get(s), InvalidInput,
                     "position field 'source' must be a string in: " << json);
      p.source = std::string(s);
    } else if (name == "offset" || name == "line" || name == "records") {
      std::int64_t v = 0;
      STREAMML_CHECK(!field.value.get_int64().get(v) && v >= 0, InvalidInput,
                     "position field '" << name << "' must be a non-negative integer in: " << json);
      (name == "offset" ? p.offset : name == "line" ? p.line : p.records) = v;
    } else if (name == "partitions") {
      simdjson::dom::object parts;
      STREAMML_CHECK(!field.value.get_object().get(parts), InvalidInput,
                     "position field 'partitions' must be an object in: " << json);
      for (auto part : parts) {
        std::int64_t v = 0;
        STREAMML_CHECK(!part.value.get_int64().get(v), InvalidInput,
                       "partition '" << part.key << "' offset must be an integer in: " << json);
        p.partitions[std::string(part.key)] = v;
      }
    } else if (name == "watermark_us") {
      std::int64_t v = 0;
      STREAMML_CHECK(!field.value.get_int64().get(v), InvalidInput,
                     "position field 'watermark_us' must be an integer in: " << json);
      p.watermark = v;
    } else {
      STREAMML_FAIL(InvalidInput, "position has unknown field '" << name << "': " << json);
    }
  }
  return p;
}

}  // namespace streamml
