#include "streaming/formats/message_columns.h"

#include <fast_float/fast_float.h>

#include <algorithm>
#include <charconv>

#include "core/event_time.h"
#include "streaming/record_builder.h"

namespace streamml {

const std::vector<std::string>& message_column_names() {
  static const std::vector<std::string> names{"@key", "@timestamp", "@topic", "@partition", "@offset", "@value"};
  return names;
}

std::vector<std::string> with_message_columns(std::vector<std::string> names) {
  for (const auto& name : message_column_names())
    if (std::find(names.begin(), names.end(), name) == names.end()) names.push_back(name);
  return names;
}

MessageColumns::MessageColumns(const Schema& schema, std::size_t payload_columns) : key_type_(schema.key_type()) {
  const auto& names = message_column_names();
  for (std::size_t j = payload_columns; j < schema.n_columns(); ++j) {
    const Column& c = schema.columns()[j];
    const auto it = std::find(names.begin(), names.end(), c.name);
    if (it == names.end() || c.role == ColumnRole::Ignore) continue;
    columns_.push_back({j, Field(it - names.begin()), c.role, c.feature_index, c.id_index, c.name});
  }
}

namespace {

// "clicks/3" -> "clicks"
std::string_view topic_of(const std::string& partition) {
  const auto slash = partition.rfind('/');
  return std::string_view(partition).substr(0, slash == std::string::npos ? partition.size() : slash);
}

}  // namespace

bool MessageColumns::fill(const Chunk& chunk, const Message& m, RecordBuilder& out, BadRecord& bad) const {
  for (const Entry& e : columns_) {
    auto fail = [&](std::string reason) {
      bad.column = int(e.column + 1);
      bad.reason = std::move(reason);
      return false;
    };
    if (e.field == Field::Timestamp && (e.role == ColumnRole::EventTime || e.role == ColumnRole::Feature ||
                                        e.role == ColumnRole::Label)) {
      if (m.timestamp == kNoTimestamp) return fail("the message has no timestamp for column '" + e.name + "'");
      if (e.role == ColumnRole::EventTime) out.set_time(m.timestamp);
      else if (e.role == ColumnRole::Feature) out.features()[e.feature_index] = double(m.timestamp) / 1e6;
      else out.set_label(double(m.timestamp) / 1e6);
      continue;
    }
    // Every other field as text: the key's bytes, the topic, the numbers in decimal.
    char digits[24];
    std::string_view text;
    switch (e.field) {
      case Field::Key:
        // A text id (what `streamml record` keeps) of a message without a key is empty; a key
        // or a number needs one.
        if (!m.has_key && !(e.role == ColumnRole::Id && key_type_ == KeyType::String))
          return fail("the message has no key for column '" + e.name + "'");
        if (m.has_key) text = std::string_view(chunk.keys.data() + m.key_begin, m.key_size);
        break;
      case Field::Value: text = std::string_view(chunk.bytes.data() + m.begin, m.size); break;
      case Field::Topic: text = topic_of((*chunk.partitions)[std::size_t(m.partition)]); break;
      case Field::Timestamp:
      case Field::Partition:
      case Field::Offset: {
        std::int64_t v = e.field == Field::Offset ? m.offset : e.field == Field::Timestamp ? m.timestamp : 0;
        if (e.field == Field::Partition) {
          const std::string& name = (*chunk.partitions)[std::size_t(m.partition)];
          const auto slash = name.rfind('/');
          std::from_chars(name.data() + slash + 1, name.data() + name.size(), v);
        }
        text = std::string_view(digits, std::size_t(std::to_chars(digits, digits + sizeof digits, v).ptr - digits));
        break;
      }
    }
    switch (e.role) {
      case ColumnRole::Key:
      case ColumnRole::Id:
        if (key_type_ == KeyType::Int64) {
          std::int64_t id = 0;
          const auto r = std::from_chars(text.data(), text.data() + text.size(), id);
          if (text.empty() || r.ec != std::errc() || r.ptr != text.data() + text.size())
            return fail("cannot parse " + quoted_text(text) + " in column '" + e.name + "' as an integer " +
                        (e.role == ColumnRole::Key ? "key" : "id"));
          if (e.role == ColumnRole::Key) out.set_key(id);
          else out.set_id(e.id_index, id);
        } else if (e.role == ColumnRole::Key) {
          out.set_key(text);
        } else {
          out.set_id(e.id_index, text);
        }
        break;
      case ColumnRole::EventTime: {
        const auto t = parse_event_time(text);
        if (!t) return fail("cannot parse " + quoted_text(text) + " in column '" + e.name + "' as an event time");
        out.set_time(*t);
        break;
      }
      case ColumnRole::Feature:
      case ColumnRole::Label: {
        double v = 0;
        const auto r = fast_float::from_chars(text.data(), text.data() + text.size(), v);
        if (text.empty() || r.ec != std::errc() || r.ptr != text.data() + text.size())
          return fail("cannot parse " + quoted_text(text) + " in column '" + e.name + "' as a number");
        if (e.role == ColumnRole::Feature) out.features()[e.feature_index] = v;
        else out.set_label(v);
        break;
      }
      case ColumnRole::Categorical: out.add_categorical(e.name, text); break;
      case ColumnRole::Text: out.add_text(e.name, text); break;
      case ColumnRole::Ignore: break;
    }
  }
  return true;
}

}  // namespace streamml
