// CsvSource and the TextFileReader under it. Oracles are named beside each assertion:
// hand-counted bytes/lines, scikit-learn's FeatureHasher, or a brute-force recomputation.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <random>

#include "core/error.h"
#include "streaming/file_source.h"
#include "streaming/file_source.h"
#include "streaming/text_file.h"
#include "test_helpers.h"
#include "source_test_util.h"

namespace streamml {
namespace {

// Columns without a role are implicit numeric features; a non-number there says how to fix it.
const std::string kHintA = " (a column given no role is read as a numeric feature: give 'a' a role (key, categorical, text, ignore) or list the features)";

using testing::drain;
using testing::drain_file;
using testing::Drained;

std::string write_csv(const std::string& test, const std::string& text, const char* name = "in.csv") {
  return testing::write_file(testing::temp_dir(test) / name, text).string();
}

TEST(CsvSource, ParsesFeaturesLabelsAndEndPositions) {
  const auto path = write_csv("csv_basic", "x,y,label\n1.5,2,0\n-3e2, 4 ,1\n+7,.5,0\n");
  FileSourceOptions o;
  o.schema.label = "label";
  auto source = open_file_source(path, o);
  EXPECT_EQ(source->name(), "csv:" + path);
  EXPECT_EQ(source->schema().feature_names(), (std::vector<std::string>{"x", "y"}));
  // Hand count: the header "x,y,label\n" is 10 bytes and line 1.
  const Position start = source->position();
  EXPECT_EQ(start.offset, 10);
  EXPECT_EQ(start.line, 1);
  EXPECT_EQ(start.records, 0);
  EXPECT_EQ(source->total_size(), std::optional<std::int64_t>(37));  // 10 + 8 + 11 + 8 bytes
  Drained d;
  drain(*source, d);
  // Hand-written values; " 4 " is trimmed, "+7" and ".5" are numbers.
  EXPECT_EQ(d.features, (std::vector<double>{1.5, 2, -300, 4, 7, 0.5}));
  EXPECT_EQ(d.labels, (std::vector<double>{0, 1, 0}));
  // Byte ends of "1.5,2,0\n" (8), "-3e2, 4 ,1\n" (11), "+7,.5,0\n" (8) after the header.
  EXPECT_EQ(d.end_offsets, (std::vector<std::int64_t>{18, 29, 37}));
  EXPECT_EQ(d.end_lines, (std::vector<std::int64_t>{2, 3, 4}));
  EXPECT_EQ(d.end_records, (std::vector<std::int64_t>{1, 2, 3}));
  EXPECT_TRUE(d.bad.empty());
  const Position end = source->position();
  EXPECT_EQ(end.offset, 37);
  EXPECT_EQ(end.line, 4);
  EXPECT_EQ(end.records, 3);
}

TEST(CsvSource, QuotedFieldsHoldDelimitersQuotesAndNewlines) {
  const auto path = write_csv("csv_quotes",
                              "name,x\n"
                              "\"a,b\",1\n"
                              "\"say \"\"hi\"\"\",2\n"
                              "\"line1\nline2\",3\n"
                              "plain,4\n"
                              "q,\"5\"\n");
  FileSourceOptions o;
  o.schema.key = "name";
  o.chunk_bytes = 16;  // hand check: several records straddle reads, the quoted newline too
  const Drained d = drain_file(path, o);
  // RFC 4180 by hand: quotes removed, "" is one quote, the newline is part of the value.
  EXPECT_EQ(d.string_keys,
            (std::vector<std::string>{"a,b", "say \"hi\"", "line1\nline2", "plain", "q"}));
  EXPECT_EQ(d.features, (std::vector<double>{1, 2, 3, 4, 5}));
  // The third record spans lines 4-5, so the ones after it end on lines 6 and 7.
  EXPECT_EQ(d.end_lines, (std::vector<std::int64_t>{2, 3, 5, 6, 7}));
  EXPECT_TRUE(d.bad.empty());
}

TEST(CsvSource, EmptyLinesAreNotRecordsButAdvanceLines) {
  const auto path = write_csv("csv_empty_lines", "a,b\n\n1,2\n\n\n3,4\n\nx,5\n\n");
  const Drained d = drain_file(path, {});
  EXPECT_EQ(d.features, (std::vector<double>{1, 2, 3, 4}));
  // Hand count: records on lines 3 and 6; the bad "x" on line 8; 9 lines in all.
  EXPECT_EQ(d.end_lines, (std::vector<std::int64_t>{3, 6}));
  EXPECT_EQ(d.end_records, (std::vector<std::int64_t>{1, 2}));
  EXPECT_EQ(testing::bad_list(d),
            (std::vector<std::string>{std::string("8:1: cannot parse 'x' as a number in column 'a'") + kHintA}));
  EXPECT_EQ(d.end_record, 3);
  EXPECT_EQ(d.end_line, 9);
}

TEST(CsvSource, EmptyNumericFieldIsBadUnlessNonFiniteAllowed) {
  const auto path = write_csv("csv_missing", "a,b\n1,\n,2\n 3 , 4 \n");
  const Drained strict = drain_file(path, {});
  // Default policy: an empty numeric field is a bad record at its field.
  EXPECT_EQ(testing::bad_list(strict),
            (std::vector<std::string>{"2:2: empty value in numeric column 'b'",
                                      "3:1: empty value in numeric column 'a'"}));
  EXPECT_EQ(strict.features, (std::vector<double>{3, 4}));
  FileSourceOptions allow;
  allow.bad_records.allow_non_finite = true;
  const Drained lenient = drain_file(path, allow);
  // Allowed: empty reads as NaN.
  ASSERT_EQ(lenient.features.size(), 6u);
  EXPECT_EQ(lenient.features[0], 1);
  EXPECT_TRUE(std::isnan(lenient.features[1]));
  EXPECT_TRUE(std::isnan(lenient.features[2]));
  EXPECT_EQ(lenient.features[3], 2);
  EXPECT_EQ(lenient.features[4], 3);
  EXPECT_EQ(lenient.features[5], 4);
  EXPECT_TRUE(lenient.bad.empty());
}

TEST(CsvSource, NonFiniteValuesFollowThePolicy) {
  const auto path = write_csv("csv_nan", "a\nnan\ninf\n-Infinity\n1e999\n7\n");
  const Drained strict = drain_file(path, {});
  // Hand list: every non-finite value, 1e999 overflowing to inf included, is reported.
  EXPECT_EQ(testing::bad_list(strict),
            (std::vector<std::string>{"2:1: non-finite value 'nan' in numeric column 'a'",
                                      "3:1: non-finite value 'inf' in numeric column 'a'",
                                      "4:1: non-finite value '-Infinity' in numeric column 'a'",
                                      "5:1: non-finite value '1e999' in numeric column 'a'"}));
  EXPECT_EQ(strict.features, (std::vector<double>{7}));
  FileSourceOptions allow;
  allow.bad_records.allow_non_finite = true;
  const Drained lenient = drain_file(path, allow);
  // Python: float('nan'), float('inf'), float('-Infinity'), float('1e999') == inf.
  ASSERT_EQ(lenient.features.size(), 5u);
  EXPECT_TRUE(std::isnan(lenient.features[0]));
  EXPECT_EQ(lenient.features[1], HUGE_VAL);
  EXPECT_EQ(lenient.features[2], -HUGE_VAL);
  EXPECT_EQ(lenient.features[3], HUGE_VAL);
  EXPECT_EQ(lenient.features[4], 7);
}

TEST(CsvSource, WrongFieldCountsNameLineColumnAndCounts) {
  const auto path = write_csv("csv_count", "a,b,c\n1,2\n1,2,3,4\n1,2,3\n1,2,3,\"4,5\",6\n");
  auto source = open_file_source(path, {});
  Drained d;
  drain(*source, d);
  // Too few: the first missing field (3); too many: the first extra one (4). The last
  // record has 5 fields: the quoted commas do not count.
  EXPECT_EQ(testing::bad_list(d), (std::vector<std::string>{"2:3: expected 3 fields, got 2",
                                                            "3:4: expected 3 fields, got 4",
                                                            "5:4: expected 3 fields, got 5"}));
  EXPECT_EQ(d.features, (std::vector<double>{1, 2, 3}));
  ASSERT_EQ(d.bad.size(), 3u);
  EXPECT_EQ(d.bad[0].text, "1,2");
  EXPECT_EQ(describe(d.bad[0], display_name(*source)), path + ":2:3: expected 3 fields, got 2");
}

TEST(CsvSource, UnparsableNumbersAreQuotedInTheReason) {
  const auto path = write_csv("csv_unparsable", "a,b\n1.2.3,4\nabc,5\n12abc,6\n0x10,7\n8,9\n");
  const Drained d = drain_file(path, {});
  EXPECT_EQ(testing::bad_list(d),
            (std::vector<std::string>{std::string("2:1: cannot parse '1.2.3' as a number in column 'a'") + kHintA,
                                      std::string("3:1: cannot parse 'abc' as a number in column 'a'") + kHintA,
                                      std::string("4:1: cannot parse '12abc' as a number in column 'a'") + kHintA,
                                      std::string("5:1: cannot parse '0x10' as a number in column 'a'") + kHintA}));
  EXPECT_EQ(d.features, (std::vector<double>{8, 9}));
  // Bad records count in positions: 5 records, the good one is the 5th.
  EXPECT_EQ(d.end_records, (std::vector<std::int64_t>{5}));
}

TEST(CsvSource, TruncatedLastLineIsStillARecord) {
  const auto path = write_csv("csv_truncated", "a,b\n1,2\n3,4");
  FileSourceOptions o;
  o.chunk_bytes = 5;
  const Drained d = drain_file(path, o);
  EXPECT_EQ(d.features, (std::vector<double>{1, 2, 3, 4}));
  // Hand count: 4 + 4 bytes, then "3,4" (3 bytes) to the end of the 11-byte file; 3 lines.
  EXPECT_EQ(d.end_offsets, (std::vector<std::int64_t>{8, 11}));
  EXPECT_EQ(d.end_lines, (std::vector<std::int64_t>{2, 3}));
  EXPECT_EQ(d.end_line, 3);
}

TEST(CsvSource, ZeroByteFileHasNoChunksAndNoError) {
  const auto path = write_csv("csv_zero", "");
  auto source = open_file_source(path, {});
  EXPECT_FALSE(source->read_chunk().has_value());
  // Nothing in the file: position and size are all zero.
  EXPECT_EQ(source->position().offset, 0);
  EXPECT_EQ(source->position().line, 0);
  EXPECT_EQ(source->total_size(), std::optional<std::int64_t>(0));
  EXPECT_EQ(source->schema().n_columns(), 0u);
}

TEST(CsvSource, HeaderOnlyFileHasColumnsAndNoRecords) {
  for (const std::string text : {"a,b\n", "a,b"}) {
    const auto path = write_csv("csv_header_only", text);
    auto source = open_file_source(path, {});
    EXPECT_EQ(source->schema().feature_names(), (std::vector<std::string>{"a", "b"}));
    EXPECT_FALSE(source->read_chunk().has_value());
    // The header is all there is: the position stands at the end of the file, on line 1.
    EXPECT_EQ(source->position().offset, std::int64_t(text.size()));
    EXPECT_EQ(source->position().line, 1);
    EXPECT_EQ(source->position().records, 0);
  }
}

TEST(CsvSource, CrlfLineEndsAreOneTerminator) {
  const auto path = write_csv("csv_crlf", "k,a\r\nx,1\r\n\r\ny,2\r\n");
  FileSourceOptions o;
  o.schema.key = "k";
  const Drained d = drain_file(path, o);
  // No '\r' left in the last field of a line, and the empty "\r\n" line is skipped.
  EXPECT_EQ(d.string_keys, (std::vector<std::string>{"x", "y"}));
  EXPECT_EQ(d.features, (std::vector<double>{1, 2}));
  // Hand count: "k,a\r\n" 5, "x,1\r\n" 5, "\r\n" 2, "y,2\r\n" 5 bytes.
  EXPECT_EQ(d.end_offsets, (std::vector<std::int64_t>{10, 17}));
  EXPECT_EQ(d.end_lines, (std::vector<std::int64_t>{2, 4}));
}

TEST(CsvSource, ByteOrderMarkIsNotPartOfTheFirstName) {
  const auto path = write_csv("csv_bom", "\xEF\xBB\xBF" "a,b\n1,2\n");
  auto source = open_file_source(path, {});
  EXPECT_EQ(source->schema().feature_names(), (std::vector<std::string>{"a", "b"}));
  Drained d;
  drain(*source, d);
  // 3 BOM bytes + "a,b\n" + "1,2\n".
  EXPECT_EQ(d.end_offsets, (std::vector<std::int64_t>{11}));
  EXPECT_EQ(d.features, (std::vector<double>{1, 2}));
}

TEST(CsvSource, NoHeaderTakesColumnNames) {
  const auto path = write_csv("csv_no_header", "1,2\n3,4\n");
  FileSourceOptions o;
  o.header = false;
  o.column_names = {"p", "q"};
  o.schema.label = "q";
  const Drained d = drain_file(path, o);
  EXPECT_EQ(d.features, (std::vector<double>{1, 3}));  // column p, by hand
  EXPECT_EQ(d.labels, (std::vector<double>{2, 4}));    // column q
  o.column_names.clear();
  EXPECT_THROW(open_file_source(path, o), Error);  // no header and no names: nothing to go by
}

TEST(CsvSource, IntegerKeysAndEventTimes) {
  const auto path = write_csv("csv_keys_times",
                              "id,t,x\n"
                              "7,2026-11-21T10:00:00Z,1\n"
                              "abc,1700000000,2\n"
                              "8,notatime,3\n"
                              "9,1700000000.5,4\n");
  FileSourceOptions o;
  o.schema.key = "id";
  o.schema.key_type = KeyType::Int64;
  o.schema.time = "t";
  const Drained d = drain_file(path, o);
  EXPECT_EQ(d.int_keys, (std::vector<std::int64_t>{7, 9}));
  // Python: calendar.timegm((2026, 11, 21, 10, 0, 0)) == 1795255200.
  EXPECT_EQ(d.times, (std::vector<EventTime>{1795255200LL * 1000000, 1700000000500000LL}));
  EXPECT_EQ(d.features, (std::vector<double>{1, 4}));
  EXPECT_EQ(testing::bad_list(d),
            (std::vector<std::string>{"3:1: cannot parse 'abc' as an integer key",
                                      "4:2: cannot parse 'notatime' as an event time"}));
}

TEST(CsvSource, UnterminatedQuoteAtEndOfFileIsOneBadRecord) {
  const auto path = write_csv("csv_unterminated", "k,x\na,1\n\"open,2\nb,3\n");
  FileSourceOptions o;
  o.schema.key = "k";
  o.chunk_bytes = 4;
  const Drained d = drain_file(path, o);
  EXPECT_EQ(d.string_keys, (std::vector<std::string>{"a"}));
  // The open quote swallows the rest of the file: one record from line 3 to line 4.
  EXPECT_EQ(testing::bad_list(d), (std::vector<std::string>{"3:1: unterminated quoted field"}));
  EXPECT_EQ(d.end_record, 2);
  EXPECT_EQ(d.end_line, 4);
}

TEST(CsvSource, QuoteInsideAnUnquotedFieldIsBad) {
  const auto path = write_csv("csv_stray_quote", "k,x\nab\"c\",1\n\"d\"e,2\nf,3\n");
  FileSourceOptions o;
  o.schema.key = "k";
  const Drained d = drain_file(path, o);
  // Quote parity still cuts records where the reader did, so "f,3" is read normally.
  EXPECT_EQ(testing::bad_list(d),
            (std::vector<std::string>{"2:1: quote inside an unquoted field",
                                      "3:1: unexpected character 'e' after a closing quote"}));
  EXPECT_EQ(d.string_keys, (std::vector<std::string>{"f"}));
}

// scikit-learn oracle, run once and pasted:
//   from sklearn.feature_extraction import FeatureHasher
//   rows = [['color=red','city=Paris','note=hello','note=hello','note=world'],
//           ['color=blue','city=London','note=streaming','note=ml','note=2024'],
//           ['color=green','city=Paris']]
//   X = FeatureHasher(n_features=2**bits, input_type='string').transform(rows)
TEST(CsvSource, HashedColumnsMatchScikitLearnFeatureHasher) {
  const auto path = write_csv("csv_hashed",
                              "color,city,note,y\n"
                              "red,Paris,\"Hello, hello WORLD!\",1\n"
                              "blue,London,streaming ML 2024,0\n"
                              "green,Paris,,1\n");
  FileSourceOptions o;
  o.schema.label = "y";
  o.schema.categorical = {"color", "city"};
  o.schema.text = {"note"};
  o.schema.hash_bits = 4;
  Drained d = drain_file(path, o);
  // bits=4: [1, 2, 8, 15] [-1, -1, -2, -1] / [3, 10, 11, 14] [0, 1, -1, -1] / [1, 13] [-1, 1]
  // (row 2 has two tokens cancelling in bucket 3; scipy keeps the explicit 0.)
  EXPECT_EQ(d.sparse_row_nnz, (std::vector<std::int32_t>{4, 4, 2}));
  EXPECT_EQ(d.sparse_indices, (std::vector<std::int32_t>{1, 2, 8, 15, 3, 10, 11, 14, 1, 13}));
  EXPECT_EQ(d.sparse_values, (std::vector<double>{-1, -1, -2, -1, 0, 1, -1, -1, -1, 1}));
  EXPECT_EQ(d.labels, (std::vector<double>{1, 0, 1}));
  EXPECT_EQ(d.features.size(), 0u);  // every column has a role: no dense features

  o.schema.hash_bits = 18;
  d = drain_file(path, o);
  // bits=18: [81567, 94162, 138353, 244952] [-1, -1, -1, -2]
  //          [13067, 58042, 124403, 160446, 217299] [-1, 1, -1, -1, 1]
  //          [138353, 250109] [-1, 1]
  EXPECT_EQ(d.sparse_row_nnz, (std::vector<std::int32_t>{4, 5, 2}));
  EXPECT_EQ(d.sparse_indices,
            (std::vector<std::int32_t>{81567, 94162, 138353, 244952, 13067, 58042, 124403, 160446,
                                       217299, 138353, 250109}));
  EXPECT_EQ(d.sparse_values, (std::vector<double>{-1, -1, -1, -2, -1, 1, -1, -1, 1, -1, 1}));
}

TEST(CsvSource, SeekRejectsForeignAndMisplacedPositions) {
  const auto path = write_csv("csv_seek_checks", "a\n1\n22\n");
  auto source = open_file_source(path, {});
  Position p = source->position();
  p.source = "csv:other.csv";
  EXPECT_THROW(source->seek(p), Error);  // another source's position
  p = source->position();
  p.offset = 100;  // the file has 9 bytes
  EXPECT_THROW(source->seek(p), Error);
  p.offset = 5;  // inside "22\n" (bytes 4..6), not after a '\n'
  try {
    source->seek(p);
    FAIL() << "seek to the middle of a line did not throw";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::InvalidInput);
    EXPECT_NE(std::string(e.what()).find("not at the start of a line"), std::string::npos);
  }
}

// A file with everything at once: quoted newlines, CRLF, empty lines, bad records.
std::string messy_csv(int rows) {
  std::string s = "key,a,b,label\n";
  for (int i = 0; i < rows; ++i) {
    if (i % 11 == 0) s += "\n";
    std::string key = "k" + std::to_string(i);
    if (i % 7 == 0) key = "\"k" + std::to_string(i) + "\n,\"\"x\"\"\"";
    if (i % 13 == 5) {
      s += key + ",oops," + std::to_string(i) + ",1\n";
      continue;
    }
    s += key + "," + std::to_string(i) + "," + std::to_string(i * 0.25) + "," + std::to_string(i % 2) +
         (i % 5 == 0 ? "\r\n" : "\n");
  }
  return s;
}

void expect_same(const Drained& whole, const Drained& a, const Drained& b, const std::string& what) {
  auto cat = [](auto x, const auto& y) {
    x.insert(x.end(), y.begin(), y.end());
    return x;
  };
  EXPECT_EQ(cat(a.features, b.features), whole.features) << what;
  EXPECT_EQ(cat(a.labels, b.labels), whole.labels) << what;
  EXPECT_EQ(cat(a.string_keys, b.string_keys), whole.string_keys) << what;
  EXPECT_EQ(cat(a.end_offsets, b.end_offsets), whole.end_offsets) << what;
  EXPECT_EQ(cat(a.end_lines, b.end_lines), whole.end_lines) << what;
  EXPECT_EQ(cat(a.end_records, b.end_records), whole.end_records) << what;
  EXPECT_EQ(testing::bad_list(a).size() + testing::bad_list(b).size(), whole.bad.size()) << what;
  auto bad = testing::bad_list(a);
  for (const auto& x : testing::bad_list(b)) bad.push_back(x);
  EXPECT_EQ(bad, testing::bad_list(whole)) << what;
}

TEST(CsvSource, ResumingFromAnyPositionReadsExactlyTheRest) {
  const auto path = write_csv("csv_resume", messy_csv(300));
  FileSourceOptions o;
  o.schema.key = "key";
  o.schema.label = "label";
  o.chunk_bytes = 64;
  const Drained whole = drain_file(path, o);
  // Brute-force oracle for the whole read: 300 rows, every 13th (i % 13 == 5) bad.
  int bad_rows = 0;
  for (int i = 0; i < 300; ++i) bad_rows += i % 13 == 5;
  EXPECT_EQ(whole.rows, std::size_t(300 - bad_rows));
  EXPECT_EQ(whole.bad.size(), std::size_t(bad_rows));
  EXPECT_GT(whole.chunks, 50u);

  // Cut after k chunks: position(), a fresh source, seek, read on.
  for (std::size_t k : {0, 1, 2, 5, 17, 60, 100000}) {
    auto first = open_file_source(path, o);
    Drained a;
    drain(*first, a, k);
    const Position at = Position::from_json(first->position().to_json());
    auto second = open_file_source(path, o);
    second->seek(at);
    Drained b;
    drain(*second, b);
    expect_same(whole, a, b, "cut after " + std::to_string(k) + " chunks");
  }
  // Cut after any good record, as a batch's end position does.
  for (std::size_t r = 0; r + 1 < whole.rows; r += 37) {
    auto source = open_file_source(path, o);
    Position at = source->position();
    at.offset = whole.end_offsets[r];
    at.line = whole.end_lines[r];
    at.records = whole.end_records[r];
    source->seek(at);
    Drained rest;
    drain(*source, rest);
    ASSERT_EQ(rest.rows, whole.rows - r - 1) << "after record " << r;
    EXPECT_EQ(rest.end_records.back(), whole.end_records.back());
    EXPECT_EQ(rest.string_keys.front(), whole.string_keys[r + 1]);
    EXPECT_EQ(rest.end_lines.front(), whole.end_lines[r + 1]);
  }
}

TEST(CsvSource, RandomNumbersRoundTripAtEveryChunkSize) {
  // Oracle: the generator's own doubles, written with %.17g (exact round trip).
  std::mt19937_64 rng(42);
  std::normal_distribution<double> normal(0, 1e3);
  std::vector<double> values;
  std::string text = "a,b,c\n";
  for (int i = 0; i < 400; ++i) {
    for (int j = 0; j < 3; ++j) {
      const double v = i % 17 == 0 ? double(i) : normal(rng);
      values.push_back(v);
      char buf[40];
      std::snprintf(buf, sizeof buf, j == 1 && i % 3 == 0 ? " %.17g " : "%.17g", v);
      text += buf;
      text += j < 2 ? "," : "\n";
    }
  }
  const auto path = write_csv("csv_random", text);
  for (std::size_t chunk : {1u, 7u, 100u, 4096u, 1u << 20}) {
    FileSourceOptions o;
    o.chunk_bytes = chunk;
    const Drained d = drain_file(path, o);
    EXPECT_EQ(d.features, values) << "chunk_bytes " << chunk;
    EXPECT_TRUE(d.bad.empty());
  }
}

TEST(CsvSource, ShortDecimalsReadExactlyAsStrtodDoes) {
  // Oracle: strtod on the same text. Short decimals take the parser's exact fast path, so
  // cover every digit count it accepts (1..15) and a few past it, with and without signs.
  std::mt19937_64 rng(3);
  std::string text = "a\n";
  std::vector<std::string> fields;
  for (int i = 0; i < 5000; ++i) {
    const int int_digits = int(rng() % 9);
    const int frac_digits = int(rng() % 10);
    std::string f = rng() % 3 == 0 ? "-" : "";
    for (int k = 0; k < int_digits; ++k) f += char('0' + rng() % 10);
    if (frac_digits > 0 || int_digits == 0) f += ".";
    for (int k = 0; k < frac_digits || (int_digits == 0 && k == 0); ++k) f += char('0' + rng() % 10);
    fields.push_back(f);
    text += f + "\n";
  }
  const auto path = write_csv("csv_short_decimals", text);
  const Drained d = drain_file(path, {});
  ASSERT_EQ(d.features.size(), fields.size());
  for (std::size_t i = 0; i < fields.size(); ++i)
    ASSERT_EQ(d.features[i], std::strtod(fields[i].c_str(), nullptr)) << fields[i];
}

// Brute-force reference for scan_records: walk byte by byte with a quote flag.
RecordScan scan_reference(const std::string& s, bool quoted, bool first_only) {
  RecordScan out;
  bool inside = false;
  std::size_t line_start = 0;
  std::int64_t lines = 0, records = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (quoted && s[i] == '"') inside = !inside;
    if (s[i] != '\n') continue;
    ++lines;
    if (inside) continue;
    const bool empty = i == line_start || (i == line_start + 1 && s[line_start] == '\r');
    line_start = i + 1;
    records += empty ? 0 : 1;
    out = {i + 1, lines, records};
    if (first_only && !empty) return out;
  }
  if (first_only) return {};
  return out;
}

TEST(TextFileReader, ScanAgreesWithBruteForceOnRandomBytes) {
  std::mt19937 rng(7);
  const char alphabet[] = {'a', ',', '"', '\n', '\r', 'b'};
  for (int trial = 0; trial < 3000; ++trial) {
    std::string s(rng() % 300, 'a');
    for (auto& c : s) c = alphabet[rng() % sizeof alphabet];
    for (bool quoted : {false, true})
      for (bool first_only : {false, true}) {
        const RecordScan got = scan_records(s.data(), s.size(), quoted, first_only);
        const RecordScan want = scan_reference(s, quoted, first_only);
        ASSERT_EQ(got.cut, want.cut) << "trial " << trial << " quoted " << quoted << " first " << first_only << " text ["
                                      << s << "]";
        ASSERT_EQ(got.lines, want.lines) << "trial " << trial;
        ASSERT_EQ(got.records, want.records) << "trial " << trial;
      }
  }
}

TEST(TextFileReader, ChunksKeepSimdjsonPaddingAndContiguousCounters) {
  const auto path = write_csv("text_reader_chunks", "a\n1\n2\n\n3\n4");
  TextFileReader reader(path, true, 3);
  std::int64_t offset = reader.offset(), line = reader.line(), records = reader.records();
  std::size_t n = 0;
  while (auto c = reader.read_chunk()) {
    EXPECT_EQ(c->sequence, n++);
    EXPECT_GE(c->bytes.capacity(), c->bytes.size() + 64);  // simdjson::SIMDJSON_PADDING is 64
    EXPECT_EQ(c->begin_offset, offset);
    EXPECT_EQ(c->begin_line, line);
    EXPECT_EQ(c->begin_record, records);
    offset = c->end_offset;
    line = c->end_line;
    records = c->end_record;
  }
  // Hand count of "a\n1\n2\n\n3\n4": 10 bytes, 6 lines, 5 non-empty lines.
  EXPECT_EQ(offset, 10);
  EXPECT_EQ(line, 6);
  EXPECT_EQ(records, 5);
  EXPECT_THROW(TextFileReader("/nonexistent/streamml.csv", true, 10), Error);
}

TEST(FileSource, FormatByNameAndExtension) {
  EXPECT_EQ(parse_file_format("csv"), FileFormat::Csv);
  EXPECT_EQ(parse_file_format("ndjson"), FileFormat::JsonLines);
  EXPECT_EQ(parse_file_format("JSONL"), FileFormat::JsonLines);
  EXPECT_THROW(parse_file_format("parquet"), Error);
  const auto dir = testing::temp_dir("file_source_auto");
  const auto jsonl = testing::write_file(dir / "x.jsonl", "{\"a\":1}\n").string();
  EXPECT_EQ(open_file_source(jsonl, {})->name(), "jsonl:" + jsonl);
  try {
    open_file_source((dir / "missing.csv").string(), {});
    FAIL() << "opening a missing file did not throw";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::Io);
    EXPECT_NE(std::string(e.what()).find("cannot open '" + (dir / "missing.csv").string() +
                                         "': No such file or directory"),
              std::string::npos);
  }
}

}  // namespace
}  // namespace streamml
