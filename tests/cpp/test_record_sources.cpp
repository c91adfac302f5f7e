// Record sources as compositions of a transport and a format: id columns with roles, and a read
// split at a position over a partitioned in-memory transport. Oracle: the records written by
// hand, and one uninterrupted read of the same messages.
#include <gtest/gtest.h>

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

// Three partitions of different lengths, read in chunks of 2 messages.
std::vector<std::vector<std::string>> partitions() {
  std::vector<std::vector<std::string>> p(3);
  for (int i = 0; i < 7; ++i) p[0].push_back(std::to_string(i) + ",0");
  for (int i = 0; i < 3; ++i) p[1].push_back(std::to_string(100 + i) + ",1");
  for (int i = 0; i < 5; ++i) p[2].push_back(std::to_string(200 + i) + ",2");
  return p;
}

std::unique_ptr<Source> memory_source() {
  FormatOptions f;
  f.header = false;
  f.column_names = {"x", "y"};
  f.schema.label = "y";
  return open_record_source(
      std::make_unique<MemoryTransport>(MemoryTransport::of_values("t", partitions(), 2)), FileFormat::Csv, f);
}

TEST(RecordSources, APartitionedReadResumedFromItsPositionGoesOnAsOneRead) {
  testing::Drained whole;
  auto one = memory_source();
  testing::drain(*one, whole);
  ASSERT_EQ(whole.rows, 15u);
  EXPECT_EQ(one->position().partitions,
            (std::map<std::string, std::int64_t>{{"t/0", 7}, {"t/1", 3}, {"t/2", 5}}));
  // Rounds of 2 per partition: 0,1 | 100,101 | 200,201 | 2,3 | 102 | 202,203 | ...
  EXPECT_EQ(std::vector<double>(whole.features.begin(), whole.features.begin() + 7),
            (std::vector<double>{0, 1, 100, 101, 200, 201, 2}));

  for (std::size_t cut = 1; cut < whole.chunks; ++cut) {
    testing::Drained split;
    auto first = memory_source();
    testing::drain(*first, split, cut);
    const Position at = first->position();
    EXPECT_EQ(at.records, std::int64_t(split.rows));
    auto second = memory_source();
    second->seek(Position::from_json(at.to_json()));
    testing::drain(*second, split);
    EXPECT_EQ(split.features, whole.features) << "cut after chunk " << cut;
    EXPECT_EQ(split.labels, whole.labels);
    EXPECT_EQ(second->position(), one->position());
  }
}

TEST(RecordSources, APositionOfAnotherSourceIsRefused) {
  auto source = memory_source();
  Position elsewhere;
  elsewhere.source = "csv:memory:other";
  EXPECT_THROW(source->seek(elsewhere), Error);
}

}  // namespace
}  // namespace streamml
