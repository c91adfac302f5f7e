// SyntheticSource: an endless-looking stream generated on the fly, record by record, from a
// seed, for soak runs: nothing is held in memory or written to disk, so a run of 10^8 records
// costs only the pipeline it goes through.
//
// Record r (0-based) is a pure function of (seed, r) (a counter-based hash, splitmix64), so the
// stream is the same whatever the chunking, the thread count or a seek:
//   features  x_j ~ U(-1, 1), j < features
//   label     (unless labels is false) 1 with probability sigmoid(w . x + b), w_j = (-1)^j (j + 1) / features, b = -0.25
//   key       the user, int64 in [0, users): uniform
//   item      id column "item", int64 in [0, items): a power law (item ~ items * u^3), so a few
//             items are popular, as in interaction logs
//   time      event time start + r * gap (microseconds)
// Position::offset counts records, as MemorySource's.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "core/event_time.h"
#include "core/schema.h"
#include "streaming/source.h"

namespace streamml {

struct SyntheticStream {
  std::int64_t records = 1'000'000;
  std::size_t features = 8;
  std::int64_t users = 10'000;
  std::int64_t items = 2'000;
  std::uint64_t seed = 42;
  EventTime start = 1767225600LL * kMicrosPerSecond;  // 2026-01-01T00:00:00Z
  EventTime gap = 1000;                               // 1,000 records per second of event time
  std::size_t rows_per_chunk = 4096;
  bool labels = true;  // false: no label column (implicit feedback: each record counts 1)

  void validate() const;  // throws Error(InvalidInput) naming the field
};

class SyntheticSource : public Source {
 public:
  explicit SyntheticSource(SyntheticStream stream);

  std::string name() const override { return "synthetic"; }
  const Schema& schema() const override { return schema_; }
  std::optional<Chunk> read_chunk() override;
  RecordBlock parse(Chunk chunk) const override;
  Position position() const override;
  void seek(const Position& position) override;
  std::optional<std::int64_t> total_size() const override { return stream_.records; }

 private:
  SyntheticStream stream_;
  Schema schema_;
  std::int64_t next_ = 0;
  std::size_t sequence_ = 0;
};

}  // namespace streamml
