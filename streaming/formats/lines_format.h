// LinesFormat: each record is one line of text (a log line, a sentence), held in the batch's
// string key column (what dstream's StreamingContext::lines() reads). Empty lines are not
// records. With an event-time function the records get event times (so batches can be cut by
// event time); a line it cannot read a time from is a bad record.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "core/event_time.h"
#include "streaming/formats/format.h"

namespace streamml {

class Transport;

struct LinesFormatOptions {
  // nullopt: the line has no readable time (a bad record). Called in parallel.
  std::function<std::optional<EventTime>(std::string_view line)> event_time;
};

class LinesFormat : public RecordFormat {
 public:
  static constexpr bool kQuoted = false;

  LinesFormat(LinesFormatOptions options, const Transport& transport);

  std::string kind() const override { return "lines"; }
  const Schema& schema() const override { return schema_; }
  RecordBlock parse(Chunk chunk) const override;

 private:
  LinesFormatOptions options_;
  Schema schema_;
  std::string stream_;
};

// The time of a Common Log Format line, "[10/Oct/2000:13:55:36 -0700]"; nullopt if it has none.
std::optional<EventTime> common_log_time(std::string_view line);

}  // namespace streamml
