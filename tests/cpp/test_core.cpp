// Core pieces: the error macro, JSON writing, positions, schemas, batches.
#include <gtest/gtest.h>

#include <cmath>

#include "core/batch.h"
#include "core/error.h"
#include "core/finite.h"
#include "core/json.h"
#include "core/position.h"
#include "core/schema.h"
#include "test_helpers.h"

namespace streamml {
namespace {

TEST(Error, CheckCarriesMessageConditionAndLocation) {
  try {
    const int cols = 7, expected = 5;
    STREAMML_CHECK(cols == expected, InvalidInput,
                   "features has " << cols << " columns, model expects " << expected);
    FAIL();
  } catch (const Error& e) {
    const std::string what = e.what();
    EXPECT_EQ(e.kind(), ErrorKind::InvalidInput);
    EXPECT_EQ(what.rfind("features has 7 columns, model expects 5", 0), 0u) << what;
    EXPECT_NE(what.find("cols == expected"), std::string::npos) << what;
    EXPECT_NE(what.find("test_core.cpp:"), std::string::npos) << what;
  }
}

TEST(Json, WriterEscapesAndKeepsDoublesExact) {
  JsonWriter w;
  w.begin_object();
  w.key("s").value("a\"b\\c\n\x01");
  w.key("x").value(0.1);
  w.key("n").value(std::int64_t{-3});
  w.key("nan").value(std::nan(""));
  w.key("list").begin_array().value(true).null().end_array();
  w.key("empty").begin_object().end_object();
  w.end_object();
  // Hand-written expectation; 0.1 prints as its shortest round-trip form.
  EXPECT_EQ(w.str(),
            R"({"s":"a\"b\\c\n\u0001","x":0.1,"n":-3,"nan":null,"list":[true,null],"empty":{}})");
}

TEST(Position, JsonRoundTripAndClearErrors) {
  Position p{"csv:data/clicks.csv", 123456, 789, 788, {{"clicks/0", 42}, {"clicks/1", 7}}};
  EXPECT_EQ(Position::from_json(p.to_json()), p);
  EXPECT_EQ(p.to_json(),
            R"({"source":"csv:data/clicks.csv","offset":123456,"line":789,"records":788,)"
            R"("partitions":{"clicks/0":42,"clicks/1":7}})");
  for (const char* bad : {"[1]", "{\"offset\": -1}", "{\"offset\": \"x\"}", "{\"colour\": 1}", "{"}) {
    try {
      Position::from_json(bad);
      ADD_FAILURE() << bad;
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), ErrorKind::InvalidInput) << e.what();
    }
  }
}

TEST(Schema, FromHeaderAssignsRolesInFileOrder) {
  SchemaOptions o;
  o.label = "clicked";
  o.key = "user";
  o.time = "ts";
  o.categorical = {"device"};
  const Schema s = Schema::from_header({"ts", "user", "a", "device", "b", "clicked"}, o);
  EXPECT_EQ(s.feature_names(), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(s.label_column(), 5u);
  EXPECT_EQ(s.key_column(), 1u);
  EXPECT_EQ(s.time_column(), 0u);
  EXPECT_TRUE(s.has_hashed());
  EXPECT_TRUE(s.is_recorded_stream());
  EXPECT_EQ(s.columns()[3].role, ColumnRole::Categorical);
}

TEST(Schema, ExplicitFeaturesKeepTheUsersOrder) {
  SchemaOptions o;
  o.features = {"b", "a"};
  const Schema s = Schema::from_header({"a", "b", "c"}, o);
  EXPECT_EQ(s.feature_names(), (std::vector<std::string>{"b", "a"}));
  EXPECT_EQ(s.columns()[2].role, ColumnRole::Ignore);
  EXPECT_FALSE(s.is_recorded_stream());
}

TEST(Schema, ErrorsNameTheColumn) {
  auto message = [](const std::vector<std::string>& header, const SchemaOptions& o) {
    try {
      Schema::from_header(header, o);
    } catch (const Error& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  SchemaOptions missing;
  missing.label = "y";
  EXPECT_NE(message({"a", "b"}, missing).find("label column 'y' is not in the header (a, b)"),
            std::string::npos);
  SchemaOptions twice;
  twice.label = twice.key = "a";
  EXPECT_NE(message({"a", "b"}, twice).find("'a' is given two roles: label and key"),
            std::string::npos);
  EXPECT_NE(message({"a", "a"}, {}).find("appears twice"), std::string::npos);
}

TEST(Batch, AppendSlicesEveryColumn) {
  Batch src = testing::make_records(5, {1, 2, 3, 4, 5});
  src.keys = std::vector<std::int64_t>{10, 11, 12, 13, 14};
  Batch dst = src.empty_like();
  dst.append(src, 1, 3);
  dst.append(src, 4, 5);
  dst.validate();
  EXPECT_EQ(dst.rows, 3u);
  EXPECT_EQ(dst.features, (std::vector<double>{1, 10, 2, 20, 4, 40}));
  EXPECT_EQ(dst.labels, (std::vector<double>{1, 0, 0}));
  EXPECT_EQ(std::get<std::vector<std::int64_t>>(dst.keys), (std::vector<std::int64_t>{11, 12, 14}));
  EXPECT_EQ(dst.event_times, (std::vector<EventTime>{2'000'000, 3'000'000, 5'000'000}));
  EXPECT_EQ(dst.dense()(2, 1), 40.0);
}

TEST(Batch, AppendSparseRowsRebasesIndptr) {
  Batch src;
  src.rows = 3;
  src.sparse.cols = 8;
  src.sparse.indptr = {0, 2, 2, 3};  // row 0: {1, 5}; row 1: {}; row 2: {7}
  src.sparse.indices = {1, 5, 7};
  src.sparse.values = {1.0, -1.0, 2.0};
  Batch dst = src.empty_like();
  dst.append(src, 2, 3);
  dst.append(src, 0, 2);
  dst.validate();
  EXPECT_EQ(dst.sparse.indptr, (std::vector<std::int32_t>{0, 1, 3, 3}));
  EXPECT_EQ(dst.sparse.indices, (std::vector<std::int32_t>{7, 1, 5}));
  EXPECT_EQ(dst.sparse.view().coeff(1, 5), -1.0);
}

TEST(Batch, ValidateNamesTheColumnThatDisagrees) {
  Batch b = testing::make_records(3);
  b.labels.pop_back();
  try {
    b.validate();
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("batch has 2 labels for 3 records"), std::string::npos);
  }
}

}  // namespace
}  // namespace streamml

namespace streamml {
namespace {

TEST(Finite, FindsTheFirstNaNOrInfAndNamesItsRowAndColumn) {
  // Brute-force oracle: std::isfinite over every value, including the extremes of the
  // exponent (largest finite, subnormal, -0) that must not be taken for Inf or NaN.
  std::vector<double> x{0.0, -0.0, 1e308, -1.7976931348623157e308, 4.9e-324, 1.0};
  EXPECT_EQ(first_non_finite(x.data(), x.size()), x.size());
  for (double bad : {std::nan(""), HUGE_VAL, -HUGE_VAL}) {
    for (std::size_t at : {0u, 3u, 5u}) {
      std::vector<double> y = x;
      y[at] = bad;
      std::size_t brute = 0;
      while (brute < y.size() && std::isfinite(y[brute])) ++brute;
      EXPECT_EQ(first_non_finite(y.data(), y.size()), brute);
    }
  }
  // 2 rows of 3 in a stride of 4 (the 4th value of each row is padding, never read).
  std::vector<double> rows{1, 2, 3, std::nan(""), 4, 5, HUGE_VAL, 7};
  try {
    check_finite_rows(rows.data(), 2, 3, 4);
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()).rfind("features row 1 column 2 is inf; NaN and Inf are rejected", 0), 0u)
        << e.what();
  }
}

}  // namespace
}  // namespace streamml
