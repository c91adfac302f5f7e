#include "streaming/formats/csv_format.h"

#include <fast_float/fast_float.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstring>
#include <limits>

#include "core/error.h"
#include "core/event_time.h"
#include "streaming/record_builder.h"
#include "streaming/transport.h"

namespace streamml {

namespace {

// Chunks are std::string, so *end is a readable '\0': loops may look at *p before p == end.
inline bool is_record_end(const char* p, const char* end) {
  return p == end || *p == '\n' || (*p == '\r' && (p + 1 == end || p[1] == '\n'));
}

inline bool is_blank(char c) { return c == ' ' || c == '\t'; }

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_blank(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_blank(s.back())) s.remove_suffix(1);
  return s;
}

// Where the record starting at p ends (past its '\n') and how many fields it has, found by
// quote parity exactly as the reader cut records, so a bad record never desynchronises.
struct RecordExtent {
  const char* end;
  int fields;
};
RecordExtent record_extent(const char* p, const char* end, char delim) {
  bool inside = false;
  int fields = 1;
  for (; p < end; ++p) {
    const char c = *p;
    if (c == '"') {
      inside = !inside;
    } else if (!inside) {
      if (c == delim) ++fields;
      else if (c == '\n') return {p + 1, fields};
    }
  }
  return {end, fields};
}

std::string record_text(const char* b, const char* e) {
  if (e > b && e[-1] == '\n') --e;
  if (e > b && e[-1] == '\r') --e;
  return std::string(b, std::min<std::size_t>(std::size_t(e - b), kMaxBadRecordText));
}

// fast_float follows from_chars and so rejects a leading '+'; CSV writers do emit it.
inline fast_float::from_chars_result parse_double(const char* p, const char* end, double& v) {
  if (*p == '+' && p + 1 < end && p[1] != '-' && p[1] != '+') ++p;
  return fast_float::from_chars(p, end, v);
}

constexpr double kPow10[] = {1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7,
                             1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15};

// Most numbers in data files are short plain decimals ("-123.4567"). With at most 15 digits
// the digits form an integer m < 2^53 and 10^k (k <= 15) is exact, so m / 10^k is one
// correctly rounded division: the exact double (Clinger's fast path), at a fraction of a
// general parser's cost. Returns nullptr for anything else (exponents, long mantissas,
// nan/inf, no digits), which then goes through fast_float. The digit loops stop at the
// chunk's '\0' terminator at the latest.
inline const char* parse_plain_decimal(const char* p, double& out) {
  const bool negative = *p == '-';
  p += negative;
  std::uint64_t m = 0;
  const char* first = p;
  while (unsigned(*p - '0') < 10) m = m * 10 + unsigned(*p++ - '0');
  int digits = int(p - first);
  int fraction = 0;
  if (*p == '.') {
    const char* f = ++p;
    while (unsigned(*p - '0') < 10) m = m * 10 + unsigned(*p++ - '0');
    fraction = int(p - f);
    digits += fraction;
  }
  if (digits == 0 || digits > 15 || *p == 'e' || *p == 'E') return nullptr;
  const double v = double(m) / kPow10[fraction];
  out = negative ? -v : v;
  return p;
}

// One field, quoted or not. On success `text` is its content (unescaped into `scratch` when
// quoted) and p is at what follows it: the delimiter or the record end.
bool read_field(const char*& p, const char* end, char delim, std::string& scratch,
                std::int64_t& newlines, std::string_view& text, std::string& reason) {
  if (*p != '"' || p == end) {
    const char* b = p;
    while (p < end && *p != delim && *p != '\n' && *p != '"') ++p;
    if (p < end && *p == '"') {
      reason = "quote inside an unquoted field";
      return false;
    }
    if (p > b && p[-1] == '\r') --p;  // "\r\n": the '\r' belongs to the terminator
    text = std::string_view(b, std::size_t(p - b));
    return true;
  }
  scratch.clear();
  ++p;
  while (true) {
    const char* q = static_cast<const char*>(std::memchr(p, '"', std::size_t(end - p)));
    if (q == nullptr) {
      newlines += std::count(p, end, '\n');
      p = end;
      reason = "unterminated quoted field";
      return false;
    }
    newlines += std::count(p, q, '\n');
    scratch.append(p, q);
    if (q + 1 < end && q[1] == '"') {
      scratch.push_back('"');
      p = q + 2;
      continue;
    }
    p = q + 1;
    break;
  }
  if (!(p < end && *p == delim) && !is_record_end(p, end)) {
    reason = "unexpected character " + quoted_text(std::string_view(p, 1)) +
             " after a closing quote";
    return false;
  }
  text = scratch;
  return true;
}

}  // namespace

struct CsvFormat::ParseState {
  const char* p;
  const char* end;
  RecordBuilder& out;
  std::string scratch;
  std::int64_t newlines = 0;  // quoted newlines in the current record
  int bad_column = 0;
  std::string bad_reason;
};

CsvFormat::CsvFormat(const FormatOptions& options, Transport& transport)
    : delimiter_(options.delimiter), allow_non_finite_(options.allow_non_finite), stream_(transport.name()) {
  STREAMML_CHECK(delimiter_ != '"' && delimiter_ != '\n' && delimiter_ != '\r', InvalidInput,
                 "CSV delimiter cannot be a quote or a line break, got "
                     << quoted_text(std::string_view(&delimiter_, 1)));
  std::vector<std::string> names;
  if (options.header) {
    if (auto header = transport.first_record(/*consume=*/true)) {
      std::string text = header->text;
      text.push_back('\n');  // a record end, as read_field expects to find after the last field
      const char* p = text.data();
      const char* end = p + text.size();
      std::string scratch, reason;
      std::int64_t newlines = 0;
      while (p < end) {
        std::string_view field;
        STREAMML_CHECK(read_field(p, end, delimiter_, scratch, newlines, field, reason), InvalidInput,
                       stream_ << ":" << header->line << ":" << names.size() + 1 << ": header: " << reason);
        names.emplace_back(field);
        if (!(p < end && *p == delimiter_)) break;
        ++p;  // "a,b," ends with an empty name: the loop reads it before the line end
      }
    }
    if (!options.column_names.empty()) {
      STREAMML_CHECK(names.empty() || names.size() == options.column_names.size(), InvalidInput,
                     stream_ << ": header has " << names.size() << " columns, column_names gives "
                             << options.column_names.size());
      names = options.column_names;
    }
  } else {
    STREAMML_CHECK(!options.column_names.empty(), InvalidInput,
                   stream_ << ": a CSV stream without a header needs column_names");
    names = options.column_names;
  }
  payload_columns_ = names.size();
  if (transport.is_message_transport()) names = with_message_columns(std::move(names));
  schema_ = Schema::from_header(names, options.schema);
  message_columns_ = MessageColumns(schema_, payload_columns_);
}

// Parses the record at st.p into st.out; on success st.p is past its terminator.
bool CsvFormat::parse_record(ParseState& st) const {
  const auto& columns = schema_.columns();
  const std::size_t n = payload_columns_;
  const char* const record = st.p;
  const char* const end = st.end;
  const char delim = delimiter_;
  double* features = st.out.features();
  auto fail = [&](std::size_t column, std::string reason) {
    st.bad_column = int(column);
    st.bad_reason = std::move(reason);
    return false;
  };
  for (std::size_t j = 0; j < n; ++j) {
    const Column& col = columns[j];
    const char* p = st.p;
    if (col.role == ColumnRole::Feature || col.role == ColumnRole::Label) {
      double v = 0;
      // Fast path: the number is read straight from the chunk and must be followed by the
      // delimiter or the record end; anything else goes the careful way below.
      const char* q = p;
      while (is_blank(*q)) ++q;
      // A plain decimal is finite by construction, so nothing waits on its division.
      const char* t = parse_plain_decimal(q, v);
      bool fast = false;
      if (t != nullptr) {
        while (is_blank(*t)) ++t;
        fast = *t == delim || is_record_end(t, end);
      } else {
        const auto r = parse_double(q, end, v);
        t = r.ptr;
        while (is_blank(*t)) ++t;
        fast = r.ec == std::errc() && (*t == delim || is_record_end(t, end));
        if (fast && !std::isfinite(v) && !allow_non_finite_)
          return fail(j + 1, "non-finite value " + quoted_text(trim({q, std::size_t(t - q)})) +
                                 " in numeric column '" + col.name + "'");
      }
      if (fast) {
        st.p = t;
      } else {
        std::string_view text;
        if (!read_field(st.p, end, delim, st.scratch, st.newlines, text, st.bad_reason))
          return fail(j + 1, std::move(st.bad_reason));
        const std::string_view trimmed = trim(text);
        if (trimmed.empty()) {
          if (!allow_non_finite_)
            return fail(j + 1, "empty value in numeric column '" + col.name + "'");
          v = std::numeric_limits<double>::quiet_NaN();
        } else {
          const auto r2 = parse_double(trimmed.data(), trimmed.data() + trimmed.size(), v);
          if (r2.ec != std::errc() || r2.ptr != trimmed.data() + trimmed.size())
            return fail(j + 1, "cannot parse " + quoted_text(text) + " as a number in column '" +
                                   col.name + "'" + schema_.implicit_feature_hint(j));
          if (!std::isfinite(v) && !allow_non_finite_)
            return fail(j + 1, "non-finite value " + quoted_text(trimmed) +
                                   " in numeric column '" + col.name + "'");
        }
      }
      if (col.role == ColumnRole::Feature) features[col.feature_index] = v;
      else st.out.set_label(v);
    } else {
      std::string_view text;
      if (!read_field(st.p, end, delim, st.scratch, st.newlines, text, st.bad_reason))
        return fail(j + 1, std::move(st.bad_reason));
      switch (col.role) {
        case ColumnRole::Key:
        case ColumnRole::Id:
          if (schema_.key_type() == KeyType::Int64) {
            const std::string_view k = trim(text);
            std::int64_t id = 0;
            const auto r = std::from_chars(k.data(), k.data() + k.size(), id);
            if (k.empty() || r.ec != std::errc() || r.ptr != k.data() + k.size())
              return fail(j + 1, "cannot parse " + quoted_text(text) + " as an integer " +
                                     (col.role == ColumnRole::Key ? "key" : "id in column '" + col.name + "'"));
            if (col.role == ColumnRole::Key) st.out.set_key(id);
            else st.out.set_id(col.id_index, id);
          } else {
            if (col.role == ColumnRole::Key) st.out.set_key(text);
            else st.out.set_id(col.id_index, text);
          }
          break;
        case ColumnRole::EventTime: {
          const auto t = parse_event_time(text);
          if (!t) return fail(j + 1, "cannot parse " + quoted_text(text) + " as an event time");
          st.out.set_time(*t);
          break;
        }
        case ColumnRole::Categorical: st.out.add_categorical(col.name, text); break;
        case ColumnRole::Text: st.out.add_text(col.name, text); break;
        default: break;
      }
    }
    // Between fields: a delimiter; after the last one: the record end.
    const char* p2 = st.p;
    if (j + 1 < n) {
      if (p2 < end && *p2 == delim) {
        st.p = p2 + 1;
        continue;
      }
      if (is_record_end(p2, end))
        return fail(j + 2, "expected " + std::to_string(n) + " fields, got " + std::to_string(j + 1));
    } else {
      if (is_record_end(p2, end)) {
        if (p2 < end && *p2 == '\r') ++p2;
        if (p2 < end) ++p2;  // the '\n'
        st.p = p2;
        return true;
      }
      if (p2 < end && *p2 == delim)
        return fail(n + 1, "expected " + std::to_string(n) + " fields, got " +
                               std::to_string(record_extent(record, end, delim).fields));
    }
    return fail(j + 1, "unexpected character " + quoted_text(std::string_view(p2, 1)) +
                           " after field");
  }
  return fail(0, "record has no fields");
}

RecordBlock CsvFormat::parse(Chunk chunk) const {
  RecordBlock block = RecordBlock::for_chunk(chunk);
  RecordBuilder out(schema_, block.end_offsets.capacity(), block.records);
  if (chunk.has_messages()) {
    // One record per message: it must end where the message does (a line end may follow).
    ParseState st{nullptr, nullptr, out, {}, 0, 0, {}};
    parse_messages(chunk, block, [&](const Message& m, const char* begin, const char* end, BadRecord& bad) {
      while (end > begin && (end[-1] == '\n' || end[-1] == '\r')) --end;
      st.p = begin;
      st.end = end;
      st.newlines = 0;
      const bool good = begin < end && parse_record(st) && st.p == end;
      if (good && message_columns_.fill(chunk, m, out, bad)) {
        out.commit();
        return true;
      }
      if (good) {  // the payload parsed, a message column did not fit its role
        out.discard();
        return false;
      }
      out.discard();
      bad.column = begin == end ? 0 : st.bad_column;
      bad.reason = begin == end ? "empty message" : st.p != end && st.bad_reason.empty() ? "the message holds more than one record" : std::move(st.bad_reason);
      st.bad_reason.clear();
      return false;
    });
    out.finish();
    return block;
  }

  const char* const base = chunk.bytes.data();
  const char* const end = base + chunk.bytes.size();
  ParseState st{base, end, out, {}, 0, 0, {}};
  std::int64_t line = chunk.begin_line;
  std::int64_t record = chunk.begin_record;
  while (st.p < end) {
    const char* p = st.p;
    if (*p == '\n' || (*p == '\r' && (p + 1 == end || p[1] == '\n'))) {  // empty line
      st.p += (*p == '\r' && p + 1 < end) ? 2 : 1;
      ++line;
      continue;
    }
    ++record;
    st.newlines = 0;
    if (parse_record(st)) {
      out.commit();
      line += 1 + st.newlines;
      block.add_end(chunk.begin_offset + (st.p - base), line, record);
    } else {
      out.discard();
      const RecordExtent extent = record_extent(p, end, delimiter_);
      block.bad.push_back({line + 1, st.bad_column, std::move(st.bad_reason), record_text(p, extent.end), record, {}, -1});
      line += std::count(p, extent.end, '\n') + (extent.end[-1] != '\n' ? 1 : 0);
      st.p = extent.end;
    }
  }
  out.finish();
  check_chunk_counts(chunk, record, line, stream_);
  return block;
}

}  // namespace streamml
