#include "streaming/formats/jsonl_format.h"

#include <simdjson.h>

#include <algorithm>
#include <charconv>
#include <cstring>
#include <limits>
#include <utility>

#include "core/error.h"
#include "core/event_time.h"
#include "streaming/record_builder.h"
#include "streaming/text_file.h"
#include "streaming/transport.h"

namespace streamml {

namespace od = simdjson::ondemand;

namespace {

const char* type_name(od::json_type t) {
  switch (t) {
    case od::json_type::array: return "an array";
    case od::json_type::object: return "an object";
    case od::json_type::number: return "a number";
    case od::json_type::string: return "a string";
    case od::json_type::boolean: return "a boolean";
    case od::json_type::null: return "null";
  }
  return "?";
}

// One parser per thread: parse() runs on many threads at once, and a parser reuses its
// buffers from record to record.
od::parser& thread_parser() {
  thread_local od::parser parser;
  return parser;
}

struct LineResult {
  int column = 0;
  std::string reason;
};

class LineParser {
 public:
  // Reads the schema's first payload_columns columns (the message columns after them are the
  // transport's, MessageColumns fills them).
  LineParser(const Schema& schema, std::size_t payload_columns, bool allow_non_finite, RecordBuilder& out)
      : schema_(schema),
        columns_(schema.columns().begin(), schema.columns().begin() + std::ptrdiff_t(payload_columns)),
        key_type_(schema.key_type()),
        allow_non_finite_(allow_non_finite),
        out_(out),
        seen_(columns_.size()),
        plain_(columns_.size()) {
    // Names JSON writes without escapes can be compared with the raw key in the input.
    for (std::size_t j = 0; j < columns_.size(); ++j) {
      const std::string& name = columns_[j].name;
      plain_[j] = std::none_of(name.begin(), name.end(), [](char c) {
        return c == '"' || c == '\\' || static_cast<unsigned char>(c) < 0x20;
      });
      all_plain_ = all_plain_ && plain_[j];
    }
  }

  // Parses the line [p, p + len) in place; `capacity` bytes from p are readable.
  bool parse(const char* p, std::size_t len, std::size_t capacity, LineResult& bad) {
    std::fill(seen_.begin(), seen_.end(), char(0));
    od::document doc;
    if (auto e = thread_parser().iterate(simdjson::padded_string_view(p, len, capacity)).get(doc))
      return fail(bad, 0, simdjson::error_message(e));
    od::object object;
    if (auto e = doc.get_object().get(object))
      return fail(bad, 0, std::string("not a JSON object: ") + simdjson::error_message(e));
    std::size_t hint = 0;
    for (auto field_result : object) {
      od::field field;
      if (auto e = std::move(field_result).get(field)) return fail(bad, 0, simdjson::error_message(e));
      std::size_t j = 0;
      if (!column_of(field, hint, j, bad)) return false;
      if (j == columns_.size()) continue;  // an extra key: its value is skipped
      hint = j + 1;
      seen_[j] = 1;
      if (!value(field.value(), j, bad)) return false;
    }
    // Anything after the object's closing brace makes the line something other than an object.
    const char* after = nullptr;
    if (doc.current_location().get(after) == simdjson::SUCCESS)
      return fail(bad, 0, "trailing content after the JSON object");
    for (std::size_t j = 0; j < columns_.size(); ++j)
      if (!seen_[j] && !missing(j, bad)) return false;
    return true;
  }

 private:
  // The column a field's key names (columns_.size() for none). Compares the raw key in
  // place, trying the column after the previous one first (records usually keep one key
  // order); unescapes only keys holding escapes, or when a column name needs them.
  bool column_of(od::field& field, std::size_t hint, std::size_t& j, LineResult& bad) {
    const od::raw_json_string raw = field.key();
    const std::size_t n = columns_.size();
    if (hint < n && plain_[hint] && raw.unsafe_is_equal(columns_[hint].name)) {
      j = hint;
      return true;
    }
    for (j = 0; j < n; ++j)
      if (plain_[j] && raw.unsafe_is_equal(columns_[j].name)) return true;
    bool escaped = !all_plain_;
    for (const char* c = raw.raw(); !escaped && *c != '"'; ++c) escaped = *c == '\\';
    if (!escaped) return true;
    std::string_view key;
    if (auto e = field.unescaped_key().get(key)) return fail(bad, 0, simdjson::error_message(e));
    j = find(key);
    return true;
  }

  std::size_t find(std::string_view key) const {
    for (std::size_t j = 0; j < columns_.size(); ++j)
      if (columns_[j].name == key) return j;
    return columns_.size();
  }

  // The key or a further id column.
  template <class T>
  void set_id(const Column& col, T value) {
    if (col.role == ColumnRole::Key) out_.set_key(value);
    else out_.set_id(col.id_index, value);
  }

  static bool fail(LineResult& bad, std::size_t column, std::string reason) {
    bad.column = int(column);
    bad.reason = std::move(reason);
    return false;
  }

  // null and absent keys: what an empty CSV field means for the column.
  bool missing(std::size_t j, LineResult& bad) {
    const Column& col = columns_[j];
    switch (col.role) {
      case ColumnRole::Feature:
      case ColumnRole::Label: {
        if (!allow_non_finite_)
          return fail(bad, j + 1, "missing value for numeric column '" + col.name + "'");
        const double nan = std::numeric_limits<double>::quiet_NaN();
        if (col.role == ColumnRole::Feature) out_.features()[col.feature_index] = nan;
        else out_.set_label(nan);
        return true;
      }
      case ColumnRole::Key:
      case ColumnRole::Id:
        if (key_type_ == KeyType::Int64)
          return fail(bad, j + 1, "missing integer key in column '" + col.name + "'");
        set_id(col, std::string_view());
        return true;
      case ColumnRole::EventTime:
        return fail(bad, j + 1, "missing event time in column '" + col.name + "'");
      default:
        return true;  // no category, no words, nothing to ignore
    }
  }

  bool value(od::value v, std::size_t j, LineResult& bad) {
    const Column& col = columns_[j];
    if (col.role == ColumnRole::Ignore) return true;
    od::json_type type;
    if (auto e = v.type().get(type)) return fail(bad, j + 1, simdjson::error_message(e));
    if (type == od::json_type::null) return missing(j, bad);
    switch (col.role) {
      case ColumnRole::Feature:
      case ColumnRole::Label: {
        double x = 0;
        if (type == od::json_type::number) {
          if (auto e = v.get_double().get(x))
            return fail(bad, j + 1, "cannot read number in column '" + col.name +
                                        "': " + simdjson::error_message(e));
        } else if (type == od::json_type::boolean) {
          bool b = false;
          if (auto e = v.get_bool().get(b)) return fail(bad, j + 1, simdjson::error_message(e));
          x = b ? 1.0 : 0.0;
        } else {
          return fail(bad, j + 1, "expected a number in column '" + col.name + "', got " +
                                      type_name(type) + schema_.implicit_feature_hint(j));
        }
        if (col.role == ColumnRole::Feature) out_.features()[col.feature_index] = x;
        else out_.set_label(x);
        return true;
      }
      case ColumnRole::Key:
      case ColumnRole::Id: {
        if (key_type_ == KeyType::Int64) {
          std::int64_t id = 0;
          if (type == od::json_type::number) {
            if (v.get_int64().get(id) != simdjson::SUCCESS)
              return fail(bad, j + 1, "cannot read " + quoted_text(v.raw_json_token()) +
                                          " as an integer key");
          } else if (type == od::json_type::string) {
            std::string_view s;
            if (auto e = v.get_string().get(s)) return fail(bad, j + 1, simdjson::error_message(e));
            const auto r = std::from_chars(s.data(), s.data() + s.size(), id);
            if (s.empty() || r.ec != std::errc() || r.ptr != s.data() + s.size())
              return fail(bad, j + 1, "cannot parse " + quoted_text(s) + " as an integer key");
          } else {
            return fail(bad, j + 1, std::string("expected an integer key, got ") + type_name(type));
          }
          set_id(col, id);
        } else {
          std::string_view s;
          if (!text_of(v, type, s, j, bad)) return false;
          set_id(col, s);
        }
        return true;
      }
      case ColumnRole::EventTime: {
        std::optional<EventTime> t;
        if (type == od::json_type::number) {
          double seconds = 0;
          if (auto e = v.get_double().get(seconds)) return fail(bad, j + 1, simdjson::error_message(e));
          t = event_time_from_seconds(seconds);
          if (!t) return fail(bad, j + 1, "event time " + quoted_text(v.raw_json_token()) +
                                              " is out of range");
        } else if (type == od::json_type::string) {
          std::string_view s;
          if (auto e = v.get_string().get(s)) return fail(bad, j + 1, simdjson::error_message(e));
          t = parse_event_time(s);
          if (!t) return fail(bad, j + 1, "cannot parse " + quoted_text(s) + " as an event time");
        } else {
          return fail(bad, j + 1, std::string("expected an event time, got ") + type_name(type));
        }
        out_.set_time(*t);
        return true;
      }
      case ColumnRole::Categorical:
      case ColumnRole::Text: {
        std::string_view s;
        if (!text_of(v, type, s, j, bad)) return false;
        if (col.role == ColumnRole::Categorical) out_.add_categorical(col.name, s);
        else out_.add_text(col.name, s);
        return true;
      }
      default:
        return true;
    }
  }

  // A string's content; a number or boolean as written (a zip code stored as a number is
  // still the category "94110").
  bool text_of(od::value& v, od::json_type type, std::string_view& s, std::size_t j,
               LineResult& bad) {
    if (type == od::json_type::string) {
      if (auto e = v.get_string().get(s)) return fail(bad, j + 1, simdjson::error_message(e));
      return true;
    }
    if (type == od::json_type::number || type == od::json_type::boolean) {
      s = v.raw_json_token();
      while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
        s.remove_suffix(1);
      return true;
    }
    return fail(bad, j + 1, "expected a string in column '" + columns_[j].name + "', got " +
                                type_name(type));
  }

  const Schema& schema_;

  const std::vector<Column> columns_;
  KeyType key_type_;
  bool allow_non_finite_;
  RecordBuilder& out_;
  std::vector<char> seen_;
  std::vector<char> plain_;
  bool all_plain_ = true;
};

std::string line_text(const char* b, const char* e) {
  return std::string(b, std::min<std::size_t>(std::size_t(e - b), kMaxBadRecordText));
}

// The end of the line at p: its '\n', or the end.
inline const char* line_end(const char* p, const char* end) {
  if (p >= end) return end;
  const void* nl = std::memchr(p, '\n', std::size_t(end - p));
  return nl ? static_cast<const char*>(nl) : end;
}

}  // namespace

JsonLinesFormat::JsonLinesFormat(const FormatOptions& options, Transport& transport)
    : allow_non_finite_(options.allow_non_finite), stream_(transport.name()) {
  std::vector<std::string> names = options.column_names;
  if (names.empty()) {
    if (auto first = transport.first_record(/*consume=*/false)) {
      // simdjson reads a padded buffer.
      const simdjson::padded_string text(first->text);
      od::document doc;
      od::object object;
      auto e = thread_parser().iterate(text).get(doc);
      if (!e) e = doc.get_object().get(object);
      if (!e) {
        for (auto field_result : object) {
          od::field field;
          std::string_view key;
          if ((e = std::move(field_result).get(field)) || (e = field.unescaped_key().get(key))) break;
          names.emplace_back(key);
        }
      }
      STREAMML_CHECK(!e, InvalidInput,
                     stream_ << ":" << first->line << ": cannot take the column names from the first record,"
                             << " expected a JSON object: " << simdjson::error_message(e));
    }
  }
  payload_columns_ = names.size();
  if (transport.is_message_transport()) names = with_message_columns(std::move(names));
  schema_ = Schema::from_header(names, options.schema);
  message_columns_ = MessageColumns(schema_, payload_columns_);
}

RecordBlock JsonLinesFormat::parse(Chunk chunk) const {
  RecordBlock block = RecordBlock::for_chunk(chunk);
  RecordBuilder out(schema_, block.end_offsets.capacity(), block.records);
  LineParser parser(schema_, payload_columns_, allow_non_finite_, out);
  LineResult bad;
  // The transport leaves at least SIMDJSON_PADDING bytes allocated past the data.
  const std::size_t capacity = chunk.bytes.capacity();
  if (chunk.has_messages()) {
    const char* const base = chunk.bytes.data();
    parse_messages(chunk, block, [&](const Message& m, const char* begin, const char* end, BadRecord& bad_record) {
      const char* stop = line_content_end(begin, end);
      if (parser.parse(begin, std::size_t(stop - begin), capacity - std::size_t(begin - base), bad)) {
        if (message_columns_.fill(chunk, m, out, bad_record)) {
          out.commit();
          return true;
        }
        out.discard();
        return false;
      }
      out.discard();
      bad_record.column = bad.column;
      bad_record.reason = std::move(bad.reason);
      return false;
    });
    out.finish();
    return block;
  }

  const char* const base = chunk.bytes.data();
  const char* const end = base + chunk.bytes.size();
  std::int64_t line = chunk.begin_line;
  std::int64_t record = chunk.begin_record;
  for (const char* p = base; p < end;) {
    const char* eol = line_end(p, end);
    const char* stop = line_content_end(p, eol);
    const char* next = eol < end ? eol + 1 : end;
    ++line;
    if (is_empty_line(p, eol)) {  // the line before its '\n': nothing, or just '\r' (as the reader counts)
      p = next;
      continue;
    }
    ++record;
    if (parser.parse(p, std::size_t(stop - p), capacity - std::size_t(p - base), bad)) {
      out.commit();
      block.add_end(chunk.begin_offset + (next - base), line, record);
    } else {
      out.discard();
      block.bad.push_back({line, bad.column, std::move(bad.reason), line_text(p, stop), record, {}, -1});
    }
    p = next;
  }
  out.finish();
  check_chunk_counts(chunk, record, line, stream_);
  return block;
}

}  // namespace streamml
