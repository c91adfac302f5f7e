// Bad records: what a malformed record is, and the stated policy for it.
//
// Parsers only detect bad records (they run in parallel); the pipeline applies the policy in
// stream order, so the first error raised, the counts and the dead-letter file are the same
// for any thread count.
#pragma once

#include <cstdint>
#include <fstream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/error.h"

namespace streamml {

enum class OnBadRecord {
  Skip,   // count it, write it to the dead-letter file if one is set, report it (default)
  Error,  // stop with an Error naming file:line:column
};

struct BadRecordPolicy {
  OnBadRecord on_bad = OnBadRecord::Skip;
  bool allow_non_finite = false;  // NaN/Inf (and empty numeric fields, read as NaN) allowed
  std::string dead_letter_path;   // JSON Lines, one bad record per line; empty: none
  bool dead_letter_append = false;  // a resumed run appends; a fresh one starts the file anew
  // Under Skip, the stream stops with an error once more than this share of its records were
  // bad (judged from kBadFractionMinRecords records on, and at its end whatever the count):
  // a stream that is mostly refused has the wrong settings (a forgotten --key, a wrong
  // --delimiter), and learning from what is left would be silent loss. 1 turns it off.
  double max_bad_fraction = 0.5;

  static constexpr std::int64_t kBadFractionMinRecords = 1000;
  void validate() const;
};

struct BadRecord {
  std::int64_t line = 0;  // 1-based physical line where the record starts (byte streams)
  int column = 0;         // 1-based column (field) at fault; 0 when the whole record is
  std::string reason;     // "expected 5 fields, got 4", "cannot parse 'abc' as a number"
  std::string text;       // the raw record (cut to 1 KiB)
  std::int64_t record = 0;  // 1-based: records consumed up to and including this one
  // Message transports: where the message is, instead of a line.
  std::string partition;    // "clicks/3"
  std::int64_t offset = -1;
};

// "data/clicks.csv:17:3: cannot parse 'abc' as a number", or for a message
// "kafka:broker/clicks: clicks/3 offset 1042 column 3: ...".
std::string describe(const BadRecord& bad, const std::string& file);

struct RecordBlock;
struct Position;

// A resumed run reads again what followed its checkpoint, bad records included, so the
// dead-letter file first loses the entries past the checkpoint's position (those that start
// after position.line): each bad record is then in it exactly once. A missing file is left
// missing; an entry that is not one of ours is an Error(InvalidInput) naming its line.
void trim_dead_letter(const std::string& path, const Position& position);

// Applies a policy to bad records in stream order: throws on the first under Error, or
// counts them and appends them to the dead-letter file under Skip.
class BadRecordHandler {
 public:
  BadRecordHandler(BadRecordPolicy policy, std::string file);
  void handle(const std::vector<BadRecord>& bad);
  // The policy applied to a parsed block, keeping the records before a fatal one: under
  // Skip, handles the block's bad records and returns nullopt; under Error, cuts the block
  // just before its first bad record and returns the error to raise once the batches before
  // it have been delivered (so a stream stops exactly where it breaks, not a chunk early).
  std::optional<Error> admit(RecordBlock& block);
  std::int64_t count() const { return count_; }
  // The max_bad_fraction rule over the whole stream so far (good and bad records, resumed
  // runs included); throws Error(InvalidInput) with the first bad record and, when the first
  // batch had no good record at all, a hint that the column roles are wrong.
  void check_fraction(std::int64_t good, std::int64_t bad, bool at_end, bool first_batch_all_bad) const;
  // The first few, for the summary.
  const std::vector<std::string>& examples() const { return examples_; }

 private:
  BadRecordPolicy policy_;
  std::string file_;
  std::unique_ptr<std::ofstream> dead_letter_;
  std::int64_t count_ = 0;
  std::vector<std::string> examples_;
};

}  // namespace streamml
