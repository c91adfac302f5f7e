// Record sources as compositions of a transport and a format: id columns with roles, and a read
// split at a position over a partitioned in-memory transport. Oracle: the records written by
// hand, and one uninterrupted read of the same messages.
#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "source_test_util.h"
#include "streaming/record_source.h"
#include "streaming/transports/memory_transport.h"
#include "test_helpers.h"

namespace streamml {
namespace {

std::vector<std::string> strings(const KeyColumn* column) {
  EXPECT_NE(column, nullptr);
  return column ? std::get<std::vector<std::string>>(*column) : std::vector<std::string>{};
}

TEST(RecordSources, IdColumnsCarryUserAndItemTogether) {
  const auto dir = testing::temp_dir("record_sources_ids");
  const auto csv = testing::write_file(dir / "r.csv", "user,product,rating\nu1,p9,5\nu2,p3,1\nu1,p3,4\n");
  const auto jsonl = testing::write_file(dir / "r.jsonl",
                                         "{\"user\":\"u1\",\"product\":\"p9\",\"rating\":5}\n"
                                         "{\"user\":\"u2\",\"product\":\"p3\",\"rating\":1}\n"
                                         "{\"user\":\"u1\",\"product\":\"p3\",\"rating\":4}\n");
  FileSourceOptions o;
  o.schema.key = "user";
  o.schema.ids = {{"item", "product"}};
  o.schema.label = "rating";
  for (const auto& path : {csv, jsonl}) {
    auto source = open_file_source(path.string(), o);
    EXPECT_EQ(source->schema().id_roles(), std::vector<std::string>{"item"});
    EXPECT_EQ(source->schema().feature_names().size(), 0u) << "an id column is not a feature";
    auto block = source->parse(*source->read_chunk());
    const Batch& b = block.records;
    ASSERT_EQ(b.rows, 3u) << path;
    EXPECT_EQ(std::get<std::vector<std::string>>(b.keys), (std::vector<std::string>{"u1", "u2", "u1"}));
    EXPECT_EQ(strings(b.id("item")), (std::vector<std::string>{"p9", "p3", "p3"}));
    EXPECT_EQ(b.labels, (std::vector<double>{5, 1, 4}));
    EXPECT_EQ(b.id("service"), nullptr);
  }
}

TEST(RecordSources, AnIntegerIdThatIsNotOneIsABadRecordNamingItsColumn) {
  const auto dir = testing::temp_dir("record_sources_int_ids");
  const auto csv = testing::write_file(dir / "r.csv", "user,item,rating\n1,7,5\n2,x7,1\n3,8,2\n");
  FileSourceOptions o;
  o.schema.key = "user";
  o.schema.ids = {{"item", "item"}};
  o.schema.key_type = KeyType::Int64;
  const auto d = testing::drain_file(csv.string(), o);
  EXPECT_EQ(d.rows, 2u);
  EXPECT_EQ(testing::bad_list(d),
            std::vector<std::string>{"3:2: cannot parse 'x7' as an integer id in column 'item'"});
}

TEST(RecordSources, IdRolesAreWordsGivenOnce) {
  const auto dir = testing::temp_dir("record_sources_roles");
  const auto csv = testing::write_file(dir / "r.csv", "a,b,c\n1,2,3\n");
  FileSourceOptions o;
  o.schema.ids = {{"item", "a"}, {"item", "b"}};
  EXPECT_THROW(
      {
        try {
          open_file_source(csv.string(), o);
        } catch (const Error& e) {
          EXPECT_STREQ(e.message().c_str(), "id role 'item' is given twice");
          throw;
        }
      },
      Error);
  o.schema.ids = {{"key", "a"}};
  EXPECT_THROW(open_file_source(csv.string(), o), Error);
}

// Three partitions of different lengths, read in chunks of 2 messages: "x,y" CSV values or the
// same records as JSON objects.
std::vector<std::vector<std::string>> partitions(bool json) {
  std::vector<std::vector<std::string>> p(3);
  const int starts[3] = {0, 100, 200}, counts[3] = {7, 3, 5};
  for (int q = 0; q < 3; ++q)
    for (int i = 0; i < counts[q]; ++i) {
      const std::string x = std::to_string(starts[q] + i), y = std::to_string(q);
      p[std::size_t(q)].push_back(json ? "{\"x\": " + x + ", \"y\": " + y + "}" : x + "," + y);
    }
  return p;
}

// One source of the 15 records for each format x transport pair.
enum class Pair { CsvFile, JsonFile, LinesFile, CsvMemory, JsonMemory };
const char* pair_name(Pair p) {
  switch (p) {
    case Pair::CsvFile: return "csv x file";
    case Pair::JsonFile: return "jsonl x file";
    case Pair::LinesFile: return "lines x file";
    case Pair::CsvMemory: return "csv x memory";
    case Pair::JsonMemory: return "jsonl x memory";
  }
  return "";
}

std::unique_ptr<Source> open_pair(Pair pair, const std::filesystem::path& dir) {
  const bool json = pair == Pair::JsonFile || pair == Pair::JsonMemory;
  if (pair == Pair::CsvMemory || pair == Pair::JsonMemory) {
    FormatOptions f;
    f.header = false;
    f.column_names = {"x", "y"};
    f.schema.label = "y";
    return open_record_source(
        std::make_unique<MemoryTransport>(MemoryTransport::of_values("t", partitions(json), 2)),
        json ? FileFormat::JsonLines : FileFormat::Csv, f);
  }
  std::string text = json || pair == Pair::LinesFile ? "" : "x,y\n";
  for (const auto& part : partitions(json))
    for (const auto& record : part) text += record + "\n";
  if (pair == Pair::LinesFile) {
    LineSourceOptions o;
    o.chunk_bytes = 16;  // a few lines per chunk
    o.event_time = [](std::string_view line) -> std::optional<EventTime> {
      return EventTime(std::stoll(std::string(line.substr(0, line.find(',')))));
    };
    return open_line_source(testing::write_file(dir / "r.log", text).string(), o);
  }
  FileSourceOptions o;
  o.schema.label = "y";
  o.chunk_bytes = 16;
  return open_file_source(testing::write_file(dir / (json ? "r.jsonl" : "r.csv"), text).string(), o);
}

TEST(RecordSources, EveryFormatAndTransportResumedFromItsPositionGoesOnAsOneRead) {
  const auto dir = testing::temp_dir("record_sources_pairs");
  for (Pair pair : {Pair::CsvFile, Pair::JsonFile, Pair::LinesFile, Pair::CsvMemory, Pair::JsonMemory}) {
    SCOPED_TRACE(pair_name(pair));
    testing::Drained whole;
    auto one = open_pair(pair, dir);
    testing::drain(*one, whole);
    ASSERT_EQ(whole.rows, 15u);
    ASSERT_GE(whole.chunks, 4u);
    if (pair == Pair::CsvMemory || pair == Pair::JsonMemory) {
      EXPECT_EQ(one->position().partitions,
                (std::map<std::string, std::int64_t>{{"t/0", 7}, {"t/1", 3}, {"t/2", 5}}));
      // Rounds of 2 per partition: 0,1 | 100,101 | 200,201 | 2,3 | 102 | 202,203 | ...
      EXPECT_EQ(std::vector<double>(whole.features.begin(), whole.features.begin() + 7),
                (std::vector<double>{0, 1, 100, 101, 200, 201, 2}));
    }
    for (std::size_t cut = 1; cut < whole.chunks; ++cut) {
      testing::Drained split;
      auto first = open_pair(pair, dir);
      testing::drain(*first, split, cut);
      const Position at = first->position();
      EXPECT_EQ(at.records, std::int64_t(split.rows));
      auto second = open_pair(pair, dir);
      second->seek(Position::from_json(at.to_json()));
      testing::drain(*second, split);
      EXPECT_EQ(split.rows, whole.rows) << "cut after chunk " << cut;
      EXPECT_EQ(split.features, whole.features) << "cut after chunk " << cut;
      EXPECT_EQ(split.labels, whole.labels);
      EXPECT_EQ(split.times, whole.times);
      EXPECT_EQ(second->position(), one->position());
    }
  }
}

std::unique_ptr<Source> memory_source() { return open_pair(Pair::CsvMemory, {}); }

TEST(RecordSources, APositionOfAnotherSourceIsRefused) {
  auto source = memory_source();
  Position elsewhere;
  elsewhere.source = "csv:memory:other";
  EXPECT_THROW(source->seek(elsewhere), Error);
}

}  // namespace
}  // namespace streamml
