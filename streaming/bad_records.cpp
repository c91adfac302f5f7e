#include "streaming/bad_records.h"

#include <simdjson.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>

#include "core/error.h"
#include "core/json.h"
#include "core/position.h"
#include "streaming/source.h"

namespace streamml {

namespace {
// The summary keeps a handful of examples; the dead-letter file has them all.
constexpr std::size_t kMaxExamples = 10;
}  // namespace

std::string describe(const BadRecord& bad, const std::string& file) {
  std::string out = file + ":" + std::to_string(bad.line);
  if (bad.column > 0) out += ":" + std::to_string(bad.column);
  out += ": " + bad.reason;
  return out;
}

void BadRecordPolicy::validate() const {
  STREAMML_CHECK(max_bad_fraction >= 0 && max_bad_fraction <= 1, InvalidInput,
                 "max_bad_fraction must be in [0, 1], got " << max_bad_fraction);
}

void BadRecordHandler::check_fraction(std::int64_t good, std::int64_t bad, bool at_end, bool first_batch_all_bad) const {
  if (policy_.on_bad != OnBadRecord::Skip || bad == 0) return;
  const std::int64_t seen = good + bad;
  if (!at_end && seen < BadRecordPolicy::kBadFractionMinRecords) return;
  if (double(bad) <= policy_.max_bad_fraction * double(seen)) return;
  std::ostringstream out;
  out << bad << " of " << seen << " records of " << file_ << " were bad (" << int(100.0 * double(bad) / double(seen))
      << "%), more than the " << policy_.max_bad_fraction << " the bad-record policy allows (max_bad_fraction)";
  if (!examples_.empty()) out << "; the first: " << examples_.front();
  if (first_batch_all_bad)
    out << ". The first batch held no good record at all: the settings do not fit the data. Check that every "
           "text column has a role (--key, --categorical, --text or --ignore), the --delimiter and the --time "
           "column";
  throw Error(ErrorKind::InvalidInput, out.str());
}

BadRecordHandler::BadRecordHandler(BadRecordPolicy policy, std::string file)
    : policy_(std::move(policy)), file_(std::move(file)) {
  // A fresh run's dead-letter file holds this run's bad records only, or does not exist.
  if (!policy_.dead_letter_path.empty() && !policy_.dead_letter_append)
    std::remove(policy_.dead_letter_path.c_str());
}

void BadRecordHandler::handle(const std::vector<BadRecord>& bad) {
  if (bad.empty()) return;
  if (policy_.on_bad == OnBadRecord::Error) STREAMML_FAIL(InvalidInput, describe(bad.front(), file_));

  // Opened on the first bad record so a clean stream leaves no empty dead-letter file behind.
  if (!policy_.dead_letter_path.empty() && !dead_letter_) {
    auto out = std::make_unique<std::ofstream>(policy_.dead_letter_path,
                                               std::ios::binary | std::ios::app);
    STREAMML_CHECK(out->is_open(), Io,
                   "cannot open dead-letter file '" << policy_.dead_letter_path
                                                    << "': " << std::strerror(errno));
    dead_letter_ = std::move(out);
  }
  for (const auto& b : bad) {
    ++count_;
    if (examples_.size() < kMaxExamples) examples_.push_back(describe(b, file_));
    if (dead_letter_) {
      JsonWriter w;
      w.begin_object();
      w.key("file").value(file_);
      w.key("line").value(b.line);
      w.key("column").value(b.column);
      w.key("reason").value(b.reason);
      w.key("record").value(b.text);
      w.end_object();
      *dead_letter_ << w.str() << '\n';
    }
  }
  if (dead_letter_) {
    // Flushed per call so the file is complete up to the last handled chunk if we stop later.
    dead_letter_->flush();
    STREAMML_CHECK(dead_letter_->good(), Io,
                   "cannot write dead-letter file '" << policy_.dead_letter_path
                                                     << "': " << std::strerror(errno));
  }
}

std::optional<Error> BadRecordHandler::admit(RecordBlock& block) {
  if (block.bad.empty()) return std::nullopt;
  if (policy_.on_bad == OnBadRecord::Skip) {
    handle(block.bad);
    return std::nullopt;
  }
  // Good records end on a line before the one where the first bad record starts.
  const BadRecord& first = block.bad.front();
  std::size_t keep = 0;
  while (keep < block.records.rows && block.end_lines[keep] < first.line) ++keep;
  Error error(ErrorKind::InvalidInput, describe(first, file_));
  Batch kept = block.records.empty_like();
  kept.append(block.records, 0, keep);
  block.records = std::move(kept);
  block.end_offsets.resize(keep);
  block.end_lines.resize(keep);
  block.end_records.resize(keep);
  block.bad.clear();
  if (keep > 0) {
    block.end_offset = block.end_offsets.back();
    block.end_line = block.end_lines.back();
    block.end_record = block.end_records.back();
  }
  return error;
}

void trim_dead_letter(const std::string& path, const Position& position) {
  std::ifstream in(path);
  if (!in) return;
  std::string kept, line;
  simdjson::dom::parser parser;
  for (std::int64_t n = 1; std::getline(in, line); ++n) {
    const simdjson::padded_string padded(line);
    std::int64_t record_line = 0;
    const auto error = parser.parse(padded)["line"].get(record_line);
    STREAMML_CHECK(!error, InvalidInput,
                   path << ":" << n << ": not a dead-letter entry (no integer 'line'): cannot trim it for resume");
    if (record_line <= position.line) kept += line + "\n";
  }
  const std::string tmp = path + ".trim";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << kept;
    STREAMML_CHECK(out.good(), Io, "cannot write '" << tmp << "'");
  }
  STREAMML_CHECK(std::rename(tmp.c_str(), path.c_str()) == 0, Io,
                 "cannot replace '" << path << "': " << std::strerror(errno));
}

}  // namespace streamml
