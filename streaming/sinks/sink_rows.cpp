#include "streaming/sinks/sink_rows.h"

#include <simdjson.h>

#include <algorithm>
#include <type_traits>

#include "core/error.h"
#include "core/event_time.h"
#include "core/json.h"

namespace streamml {

namespace {

std::string join(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

// One cell of a column (outputs and table columns are of one of three types).
void add_cell(RowEncoder& row, std::string& out, const OutputValues& values, std::size_t i) {
  std::visit([&](const auto& v) {
    using T = typename std::decay_t<decltype(v)>::value_type;
    if constexpr (std::is_same_v<T, std::string>) row.cell(out, std::string_view(v[i]));
    else row.cell(out, v[i]);
  }, values);
}

void add_id(RowEncoder& row, std::string& out, const KeyColumn& ids, std::size_t i) {
  if (const auto* s = std::get_if<std::vector<std::string>>(&ids)) row.cell(out, std::string_view((*s)[i]));
  else if (const auto* n = std::get_if<std::vector<std::int64_t>>(&ids)) row.cell(out, (*n)[i]);
}

std::vector<std::string> strings_of(simdjson::dom::element e, const std::string& what) {
  std::vector<std::string> out;
  simdjson::dom::array array;
  STREAMML_CHECK(!e.get_array().get(array), InvalidInput, what << " is not a list of names");
  for (simdjson::dom::element v : array) {
    std::string_view s;
    STREAMML_CHECK(!v.get_string().get(s), InvalidInput, what << " holds a value that is not a name");
    out.emplace_back(s);
  }
  return out;
}

}  // namespace

void check_output_columns(const std::vector<std::string>& columns) {
  for (std::size_t i = 0; i < columns.size(); ++i)
    for (std::size_t j = 0; j < i; ++j)
      STREAMML_CHECK(columns[i] != columns[j], InvalidInput, "output column '" << columns[i] << "' is named twice");
}

std::string id_text(const KeyColumn& ids, std::size_t i) {
  if (const auto* s = std::get_if<std::vector<std::string>>(&ids)) return (*s)[i];
  if (const auto* n = std::get_if<std::vector<std::int64_t>>(&ids)) return std::to_string((*n)[i]);
  return {};
}

SinkRows::SinkRows(RowFormat format, std::vector<std::string> columns, std::string table, std::string output)
    : format_(format), columns_(std::move(columns)), table_(std::move(table)), output_(std::move(output)) {}

SinkRows::~SinkRows() = default;

void SinkRows::reset() {
  rows_ = 0;
  chosen_.clear();
  names_.clear();
  encoder_.reset();
}

void SinkRows::restore(const std::string& mark, const std::string& what) {
  reset();
  simdjson::dom::parser parser;
  const simdjson::padded_string text(mark);
  simdjson::dom::element root;
  STREAMML_CHECK(!parser.parse(text).get(root), InvalidInput, what << " is not JSON: " << mark);
  STREAMML_CHECK(!root["rows"].get(rows_) && rows_ >= 0, InvalidInput, what << " lacks its row count: " << mark);
  names_ = strings_of(root["names"], what);
  chosen_ = strings_of(root["chosen"], what);
}

void SinkRows::mark_fields(JsonWriter& w) const {
  w.key("rows").value(rows_);
  w.key("names").begin_array();
  for (const auto& n : names_) w.value(n);
  w.end_array();
  w.key("chosen").begin_array();
  for (const auto& n : chosen_) w.value(n);
  w.end_array();
}

void SinkRows::choose_columns(const std::vector<std::string>& available, const Batch& batch, const std::string& what,
                              std::string& out, bool header) {
  // A resumed sink has its columns: the mark's. Else the settings' or every one available.
  if (chosen_.empty() && names_.empty()) chosen_ = columns_.empty() ? available : columns_;
  for (const auto& c : chosen_)
    STREAMML_CHECK(std::find(available.begin(), available.end(), c) != available.end(), InvalidInput,
                   "output '" << output_ << "': " << what << " has no column '" << c << "' (batch " << batch.index
                              << " has: " << join(available) << ")");
  std::vector<std::string> names;
  if (table_.empty()) {
    has_keys_ = batch.has_keys();
    has_times_ = batch.has_event_times();
    id_roles_.clear();
    names = {"record", "batch"};
    if (has_keys_) names.push_back("key");
    for (const auto& c : batch.ids) {
      id_roles_.push_back(c.role);
      names.push_back(c.role);
    }
    if (has_times_) names.push_back("event_time");
    names.push_back("position");
  } else {
    names = {"batch"};
  }
  for (const auto& c : chosen_) {
    STREAMML_CHECK(std::find(names.begin(), names.end(), c) == names.end(), InvalidInput,
                   "output '" << output_ << "': column '" << c << "' has the name of a column the sink writes itself");
    names.push_back(c);
  }
  if (!names_.empty())
    STREAMML_CHECK(names == names_, InvalidInput,
                   "output '" << output_ << "' was begun with the columns " << join(names_)
                              << ", the resumed stream has " << join(names) << ": resume with the same settings");
  encoder_ = std::make_unique<RowEncoder>(format_, names);
  if (header) encoder_->header(out);
  names_ = names;
}

void SinkRows::write(const Batch& batch, std::string& out, std::vector<std::size_t>* ends, bool header) {
  const std::size_t size = out.size(), rows_ended = ends ? ends->size() : 0;
  const std::int64_t rows = rows_;
  try {
    if (table_.empty()) write_records(batch, out, ends, header);
    else if (const ResultTable* table = batch.table(table_)) write_table(batch, *table, out, ends, header);
  } catch (...) {
    out.resize(size);  // a batch is written whole or not at all
    if (ends) ends->resize(rows_ended);
    rows_ = rows;
    throw;
  }
}

void SinkRows::write_records(const Batch& batch, std::string& out, std::vector<std::size_t>* ends, bool header) {
  if (batch.rows == 0) return;
  if (!encoder_) {
    std::vector<std::string> available;
    for (const auto& c : batch.outputs) available.push_back(c.name);
    choose_columns(available, batch, "batch " + std::to_string(batch.index), out, header);
  }
  STREAMML_CHECK(batch.has_keys() == has_keys_ && batch.has_event_times() == has_times_ && batch.ids.size() == id_roles_.size(),
                 InvalidInput, "output '" << output_ << "': batch " << batch.index << " has other id or time columns than the first");
  std::vector<const OutputValues*> columns;
  for (const auto& name : chosen_) {
    const OutputColumn* c = batch.output(name);
    STREAMML_CHECK(c != nullptr, InvalidInput,
                   "output '" << output_ << "': batch " << batch.index << " has no output column '" << name << "'");
    columns.push_back(&c->values);
  }
  const std::string position = batch.end_position.to_json();
  RowEncoder& row = *encoder_;
  for (std::size_t i = 0; i < batch.rows; ++i) {
    row.begin(out);
    row.cell(out, rows_ + std::int64_t(i));
    row.cell(out, batch.index);
    if (has_keys_) add_id(row, out, batch.keys, i);
    for (const auto& c : batch.ids) add_id(row, out, c.values, i);
    if (has_times_) row.cell(out, std::string_view(format_event_time(batch.event_times[i])));
    row.json_cell(out, position);
    for (const OutputValues* c : columns) add_cell(row, out, *c, i);
    row.end(out);
    if (ends) ends->push_back(out.size());
  }
  rows_ += std::int64_t(batch.rows);
}

void SinkRows::write_table(const Batch& batch, const ResultTable& table, std::string& out,
                           std::vector<std::size_t>* ends, bool header) {
  if (!encoder_) choose_columns(table.columns, batch, "result table '" + table.name + "'", out, header);
  std::vector<const OutputValues*> columns;
  for (const auto& name : chosen_) {
    const auto at = std::find(table.columns.begin(), table.columns.end(), name);
    STREAMML_CHECK(at != table.columns.end(), InvalidInput,
                   "output '" << output_ << "': result table '" << table.name << "' of batch " << batch.index
                              << " has no column '" << name << "'");
    columns.push_back(&table.values[std::size_t(at - table.columns.begin())]);
  }
  RowEncoder& row = *encoder_;
  for (std::size_t i = 0; i < table.rows(); ++i) {
    row.begin(out);
    row.cell(out, batch.index);
    for (const OutputValues* c : columns) add_cell(row, out, *c, i);
    row.end(out);
    if (ends) ends->push_back(out.size());
  }
  rows_ += std::int64_t(table.rows());
}

}  // namespace streamml
