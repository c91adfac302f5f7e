#include "tools/soak/synthetic_source.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "core/error.h"

namespace streamml {

namespace {

// splitmix64 (Steele, Lea, Flood 2014): a good 64-bit mix of a counter.
std::uint64_t mix(std::uint64_t z) {
  z += 0x9e3779b97f4a7c15ULL;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

// Draw k of record r, uniform in [0, 1).
double draw(std::uint64_t seed, std::int64_t r, std::uint64_t k) {
  return double(mix(seed ^ mix(std::uint64_t(r) * 64 + k)) >> 11) * 0x1.0p-53;
}

}  // namespace

void SyntheticStream::validate() const {
  STREAMML_CHECK(records >= 0, InvalidInput, "synthetic stream: records must be >= 0, got " << records);
  STREAMML_CHECK(features >= 1 && features <= 60, InvalidInput,
                 "synthetic stream: features must be in [1, 60], got " << features);
  STREAMML_CHECK(users >= 1, InvalidInput, "synthetic stream: users must be >= 1, got " << users);
  STREAMML_CHECK(items >= 1, InvalidInput, "synthetic stream: items must be >= 1, got " << items);
  STREAMML_CHECK(gap >= 1, InvalidInput, "synthetic stream: gap must be >= 1 microsecond, got " << gap);
  STREAMML_CHECK(rows_per_chunk >= 1, InvalidInput, "synthetic stream: rows_per_chunk must be >= 1, got 0");
}

SyntheticSource::SyntheticSource(SyntheticStream stream) : stream_(stream) {
  stream_.validate();
  std::vector<std::string> header;
  for (std::size_t j = 0; j < stream_.features; ++j) header.push_back("x" + std::to_string(j));
  SchemaOptions options;
  if (stream_.labels) header.push_back(options.label = "label");
  header.push_back(options.key = "user");
  options.key_type = KeyType::Int64;
  header.push_back("item");
  options.ignore.push_back("item");  // carried as the batch's "item" id column
  header.push_back(options.time = "time");
  schema_ = Schema::from_header(header, options);
}

std::optional<Chunk> SyntheticSource::read_chunk() {
  if (next_ >= stream_.records) return std::nullopt;
  Chunk c;
  c.sequence = sequence_++;
  c.begin_offset = c.begin_record = next_;
  next_ = std::min(stream_.records, next_ + std::int64_t(stream_.rows_per_chunk));
  c.end_offset = c.end_record = next_;
  return c;
}

RecordBlock SyntheticSource::parse(Chunk chunk) const {
  RecordBlock block = RecordBlock::for_chunk(chunk);
  const std::size_t n = std::size_t(chunk.end_offset - chunk.begin_offset), d = stream_.features;
  Batch& b = block.records;
  b.rows = n;
  b.cols = d;
  b.features.resize(n * d);
  if (stream_.labels) b.labels.resize(n);
  std::vector<std::int64_t> users(n), items(n);
  b.event_times.resize(n);
  for (std::size_t i = 0; i < n; ++i) {
    const std::int64_t r = chunk.begin_offset + std::int64_t(i);
    double margin = -0.25;
    for (std::size_t j = 0; j < d; ++j) {
      const double x = 2.0 * draw(stream_.seed, r, j) - 1.0;
      b.features[i * d + j] = x;
      margin += (j % 2 ? -1.0 : 1.0) * double(j + 1) / double(d) * x;
    }
    if (stream_.labels) b.labels[i] = draw(stream_.seed, r, 61) < 1.0 / (1.0 + std::exp(-margin)) ? 1.0 : 0.0;
    users[i] = std::int64_t(draw(stream_.seed, r, 62) * double(stream_.users));
    const double u = draw(stream_.seed, r, 63);
    items[i] = std::int64_t(u * u * u * double(stream_.items));
    b.event_times[i] = stream_.start + r * stream_.gap;
    block.add_end(r + 1, 0, r + 1);
  }
  b.keys = std::move(users);
  b.ids.push_back({"item", std::move(items)});
  block.bytes = std::int64_t(n * (d + 4) * sizeof(double));
  return block;
}

Position SyntheticSource::position() const {
  Position p;
  p.source = name();
  p.offset = p.records = next_;
  return p;
}

void SyntheticSource::seek(const Position& position) {
  STREAMML_CHECK(position.source == name(), InvalidInput,
                 "position is of source '" << position.source << "', this source is '" << name() << "'");
  STREAMML_CHECK(position.offset >= 0 && position.offset <= stream_.records, InvalidInput,
                 "position offset " << position.offset << " is outside the " << stream_.records
                                    << " records of the synthetic stream");
  next_ = position.offset;
  sequence_ = 0;
}

}  // namespace streamml
