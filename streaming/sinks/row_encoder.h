// RowEncoder: rows of named cells as CSV (RFC 4180, a header line) or JSON Lines (an object
// per line), appended to a string. The text of a value is fixed, so equal rows give equal
// bytes: numbers in their shortest round-trip form (std::to_chars), non-finite doubles as
// nan/inf/-inf in CSV and null in JSON, text quoted only where CSV needs it.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace streamml {

enum class RowFormat { Auto, Csv, JsonLines };

// "csv", "jsonl" (also "ndjson", "json") or "auto"; throws Error(InvalidInput) otherwise.
RowFormat parse_row_format(std::string_view text);
// Auto resolved from the path's extension: .csv is CSV; .jsonl, .ndjson, .json are JSON Lines;
// throws Error(InvalidInput) naming the path for any other.
RowFormat resolve_row_format(RowFormat format, const std::string& path);

class RowEncoder {
 public:
  RowEncoder(RowFormat format, std::vector<std::string> names);

  RowFormat format() const { return format_; }
  const std::vector<std::string>& names() const { return names_; }
  // CSV: the names as the header line; JSON Lines: nothing.
  void header(std::string& out) const;

  // A row: begin, one cell per name in order, end.
  void begin(std::string& out);
  void cell(std::string& out, std::int64_t v);
  void cell(std::string& out, double v);
  void cell(std::string& out, std::string_view text);
  // A JSON value (object, array) written as it is in JSON Lines and as quoted text in CSV.
  void json_cell(std::string& out, std::string_view json);
  void end(std::string& out);

 private:
  void next(std::string& out);

  RowFormat format_;
  std::vector<std::string> names_;
  std::vector<std::string> keys_;  // JSON: "name": per column, quoted once
  std::size_t column_ = 0;
};

}  // namespace streamml
