// BadRecordHandler, describe(), and the feature hashing both file sources rely on.
// Oracles: hand-written expected text, scikit-learn's murmurhash3_32.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "core/error.h"
#include "core/hashing.h"
#include "streaming/bad_records.h"
#include "streaming/file_source.h"
#include "test_helpers.h"
#include "source_test_util.h"

namespace streamml {
namespace {

std::vector<std::string> read_lines(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

TEST(BadRecords, DescribeOmitsColumnZero) {
  // Hand-written: "file:line:column: reason", column left out when 0.
  EXPECT_EQ(describe({17, 3, "cannot parse 'abc' as a number", "x"}, "data/clicks.csv"),
            "data/clicks.csv:17:3: cannot parse 'abc' as a number");
  EXPECT_EQ(describe({4, 0, "not a JSON object", "[1]"}, "e.jsonl"), "e.jsonl:4: not a JSON object");
}

TEST(BadRecords, ErrorPolicyThrowsTheFirstWithFileLineColumn) {
  const auto dir = testing::temp_dir("bad_error_policy");
  const auto path = testing::write_file(dir / "in.csv", "a,b,c\n1,2,3\n4,5\n6,x,8\n").string();
  FileSourceOptions o;
  o.bad_records.on_bad = OnBadRecord::Error;
  auto source = open_file_source(path, o);
  BadRecordHandler handler(o.bad_records, display_name(*source));
  auto chunk = source->read_chunk();
  ASSERT_TRUE(chunk.has_value());
  const RecordBlock block = source->parse(std::move(*chunk));
  ASSERT_EQ(block.bad.size(), 2u);
  try {
    handler.handle(block.bad);
    FAIL() << "policy Error did not throw";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::InvalidInput);
    // Hand: "4,5" is line 3 and lacks field 3; the later bad record is not the one named.
    const std::string what = e.what();
    EXPECT_NE(what.find(path + ":3:3: expected 3 fields, got 2"), std::string::npos) << what;
    EXPECT_EQ(what.find(":4:2:"), std::string::npos) << what;
  }
}

TEST(BadRecords, SkipPolicyCountsKeepsTenExamplesAndWritesDeadLetters) {
  const auto dir = testing::temp_dir("bad_skip_policy");
  BadRecordPolicy policy;
  policy.dead_letter_path = (dir / "dead.jsonl").string();
  BadRecordHandler handler(policy, "in.csv");
  handler.handle({});
  // Opened lazily: no bad record yet, no file.
  EXPECT_FALSE(std::filesystem::exists(dir / "dead.jsonl"));
  std::vector<BadRecord> bad;
  for (int i = 0; i < 12; ++i) bad.push_back({i + 2, 1, "reason " + std::to_string(i), "r" + std::to_string(i)});
  bad.push_back({20, 0, "cannot parse 'a\"b' as a number", "a\"b,\\1"});
  handler.handle(bad);
  EXPECT_EQ(handler.count(), 13);
  ASSERT_EQ(handler.examples().size(), 10u);  // the first ten
  EXPECT_EQ(handler.examples()[0], "in.csv:2:1: reason 0");
  EXPECT_EQ(handler.examples()[9], "in.csv:11:1: reason 9");
  const auto lines = read_lines(dir / "dead.jsonl");
  ASSERT_EQ(lines.size(), 13u);
  // Hand-written JSON, escapes included.
  EXPECT_EQ(lines[0], R"({"file":"in.csv","line":2,"column":1,"reason":"reason 0","record":"r0"})");
  EXPECT_EQ(lines[12],
            R"({"file":"in.csv","line":20,"column":0,"reason":"cannot parse 'a\"b' as a number","record":"a\"b,\\1"})");
}

TEST(BadRecords, DeadLetterFileThatCannotBeOpenedIsAnIoError) {
  BadRecordPolicy policy;
  policy.dead_letter_path = "/nonexistent-dir/streamml/dead.jsonl";
  BadRecordHandler handler(policy, "in.csv");
  try {
    handler.handle({{2, 1, "r", "t"}});
    FAIL() << "no error for an unwritable dead-letter path";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::Io);
    EXPECT_NE(std::string(e.what()).find("/nonexistent-dir/streamml/dead.jsonl"), std::string::npos);
  }
}

TEST(BadRecords, DeadLetterRecordsComeFromTheSource) {
  const auto dir = testing::temp_dir("bad_dead_letter_source");
  const auto path = testing::write_file(dir / "in.csv", "a,b\n1,2\n1,zz\n3,4\n").string();
  FileSourceOptions o;
  o.bad_records.dead_letter_path = (dir / "dead.jsonl").string();
  auto source = open_file_source(path, o);
  BadRecordHandler handler(o.bad_records, display_name(*source));
  testing::Drained d;
  testing::drain(*source, d);
  handler.handle(d.bad);
  const auto lines = read_lines(dir / "dead.jsonl");
  ASSERT_EQ(lines.size(), 1u);
  // Hand: "1,zz" is line 3, field 2.
  EXPECT_EQ(lines[0], "{\"file\":\"" + path +
                          "\",\"line\":3,\"column\":2,\"reason\":\"cannot parse 'zz' as a number in "
                          "column 'b' (a column given no role is read as a numeric feature: give 'b' a role (key, categorical, text, ignore) or list the features)\",\"record\":\"1,zz\"}");
}

// scikit-learn oracle, pasted:
//   from sklearn.utils import murmurhash3_32
//   [murmurhash3_32(s, seed=0) for s in ['', 'a', 'abc', 'hello world', 'color=red', 'city=Paris', 'streamml']]
//   [murmurhash3_32(s, seed=42) for s in the same]
TEST(Hashing, Murmurhash3MatchesScikitLearn) {
  EXPECT_EQ(murmurhash3_32(""), 0);
  EXPECT_EQ(murmurhash3_32("a"), 1009084850);
  EXPECT_EQ(murmurhash3_32("abc"), -1277324294);
  EXPECT_EQ(murmurhash3_32("hello world"), 1586663183);
  EXPECT_EQ(murmurhash3_32("color=red"), -1599434706);
  EXPECT_EQ(murmurhash3_32("city=Paris"), -33168497);
  EXPECT_EQ(murmurhash3_32("streamml"), 740776364);
  EXPECT_EQ(murmurhash3_32("", 42), 142593372);
  EXPECT_EQ(murmurhash3_32("a", 42), -1293573533);
  EXPECT_EQ(murmurhash3_32("abc", 42), 1313807976);
  EXPECT_EQ(murmurhash3_32("hello world", 42), -368272391);
  EXPECT_EQ(murmurhash3_32("streamml", 42), -975581852);
}

TEST(Hashing, ColumnValueTokenIsHashedWithoutBuildingIt) {
  const FeatureHasher hasher(4);
  // murmurhash3_32('color=red') = -1599434706: bucket 1599434706 % 16 = 2, sign -1.
  const HashedToken t = hasher.hash("color", "red");
  EXPECT_EQ(t.bucket, 2);
  EXPECT_EQ(t.sign, -1.0);
  const HashedToken u = hasher.hash("color=red");
  EXPECT_EQ(u.bucket, t.bucket);
  EXPECT_EQ(u.sign, t.sign);
}

}  // namespace
}  // namespace streamml

namespace streamml {
namespace {

TEST(BadRecords, FreshRunsReplaceTheDeadLetterFileResumedRunsAppend) {
  const auto dir = testing::temp_dir("dead_letter_modes");
  const std::string path = (dir / "dead.jsonl").string();
  std::ofstream(path) << "{\"stale\":true}\n";
  auto lines = [&] {
    std::ifstream in(path);
    std::size_t n = 0;
    for (std::string l; std::getline(in, l);) ++n;
    return n;
  };
  BadRecordPolicy policy;
  policy.dead_letter_path = path;
  { BadRecordHandler fresh(policy, "x.csv"); }
  EXPECT_FALSE(std::filesystem::exists(path));  // a clean fresh run leaves no stale file
  {
    BadRecordHandler fresh(policy, "x.csv");
    fresh.handle({{2, 1, "bad", "a"}});
  }
  policy.dead_letter_append = true;
  {
    BadRecordHandler resumed(policy, "x.csv");
    resumed.handle({{9, 1, "bad", "b"}});
  }
  EXPECT_EQ(lines(), 2u);  // line 2 from the fresh run, line 9 appended by the resumed one
}

}  // namespace
}  // namespace streamml
