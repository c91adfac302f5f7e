#include "streaming/sinks/row_encoder.h"

#include <charconv>
#include <cmath>

#include "core/error.h"
#include "core/json.h"

namespace streamml {

namespace {

bool ends_with(const std::string& s, std::string_view tail) {
  return s.size() >= tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
}

// RFC 4180: a field holding the delimiter, a quote or a line break is quoted, quotes doubled.
void csv_text(std::string& out, std::string_view text) {
  if (text.find_first_of(",\"\r\n") == std::string_view::npos) {
    out.append(text);
    return;
  }
  out += '"';
  for (char c : text) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
}

}  // namespace

RowFormat parse_row_format(std::string_view text) {
  if (text == "auto") return RowFormat::Auto;
  if (text == "csv") return RowFormat::Csv;
  if (text == "jsonl" || text == "ndjson" || text == "json") return RowFormat::JsonLines;
  STREAMML_FAIL(InvalidInput, "output format must be csv or jsonl, got '" << text << "'");
}

RowFormat resolve_row_format(RowFormat format, const std::string& path) {
  if (format != RowFormat::Auto) return format;
  if (ends_with(path, ".csv")) return RowFormat::Csv;
  if (ends_with(path, ".jsonl") || ends_with(path, ".ndjson") || ends_with(path, ".json")) return RowFormat::JsonLines;
  STREAMML_FAIL(InvalidInput, "cannot tell the format of output '" << path
                                                                  << "' from its extension (.csv, .jsonl): give --output-format csv or jsonl");
}

RowEncoder::RowEncoder(RowFormat format, std::vector<std::string> names) : format_(format), names_(std::move(names)) {
  STREAMML_CHECK(format_ != RowFormat::Auto, Runtime, "a row encoder needs a resolved format");
  for (const auto& n : names_) keys_.push_back(json_quote(n) + ":");
}

void RowEncoder::header(std::string& out) const {
  if (format_ != RowFormat::Csv) return;
  for (std::size_t i = 0; i < names_.size(); ++i) {
    if (i) out += ',';
    csv_text(out, names_[i]);
  }
  out += '\n';
}

void RowEncoder::begin(std::string& out) {
  column_ = 0;
  if (format_ == RowFormat::JsonLines) out += '{';
}

void RowEncoder::next(std::string& out) {
  STREAMML_CHECK(column_ < names_.size(), Runtime, "row has more cells than the " << names_.size() << " columns");
  if (format_ == RowFormat::Csv) {
    if (column_) out += ',';
  } else {
    if (column_) out += ',';
    out += keys_[column_];
  }
  ++column_;
}

void RowEncoder::cell(std::string& out, std::int64_t v) {
  next(out);
  char buf[24];
  const auto r = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, r.ptr);
}

void RowEncoder::cell(std::string& out, double v) {
  next(out);
  if (!std::isfinite(v)) {
    if (format_ == RowFormat::JsonLines) out += "null";
    else out += std::isnan(v) ? "nan" : (v > 0 ? "inf" : "-inf");
    return;
  }
  char buf[32];
  const auto r = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, r.ptr);
}

void RowEncoder::cell(std::string& out, std::string_view text) {
  next(out);
  if (format_ == RowFormat::JsonLines) out += json_quote(text);
  else csv_text(out, text);
}

void RowEncoder::json_cell(std::string& out, std::string_view json) {
  next(out);
  if (format_ == RowFormat::JsonLines) out.append(json);
  else csv_text(out, json);
}

void RowEncoder::end(std::string& out) {
  STREAMML_CHECK(column_ == names_.size(), Runtime, "row has " << column_ << " cells for " << names_.size() << " columns");
  if (format_ == RowFormat::JsonLines) out += '}';
  out += '\n';
}

}  // namespace streamml
