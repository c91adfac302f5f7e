#include "streaming/kafka/kafka_sink.h"

#include <simdjson.h>

#include <algorithm>
#include <charconv>

#include "core/error.h"
#include "core/json.h"
#include "streaming/kafka/kafka_producer.h"

namespace streamml {

namespace {

const KeyColumn* id_of_role(const Batch& batch, const char* role) {
  for (const auto& c : batch.ids)
    if (c.role == role) return &c.values;
  return nullptr;
}

}  // namespace

void KafkaSinkSettings::validate() const {
  STREAMML_CHECK(endpoint.topics.size() == 1, InvalidInput,
                 "kafka output: give one topic (kafka://HOST:PORT/TOPIC), got " << endpoint.topics.size());
  STREAMML_CHECK(flush_timeout_ms > 0, InvalidInput, "kafka output: flush timeout must be > 0 ms, got " << flush_timeout_ms);
  check_output_columns(columns);
}

KafkaSink::KafkaSink(KafkaSinkSettings settings)
    : settings_((settings.validate(), std::move(settings))),
      rows_(settings_.format == RowFormat::Auto ? RowFormat::JsonLines : settings_.format, settings_.columns,
            settings_.table, "kafka:" + settings_.endpoint.topics.front()) {}

KafkaSink::~KafkaSink() = default;  // the producer waits a little for what is in flight

std::string KafkaSink::name() const { return "kafka:" + topic() + (settings_.table.empty() ? "" : "#" + settings_.table); }

void KafkaSink::open(const std::optional<std::string>& mark) {
  STREAMML_CHECK(!producer_, Runtime, "output '" << name() << "' is opened twice");
  // acks=all comes with idempotence: an acknowledged message is on every in-sync replica.
  producer_ = std::make_unique<KafkaProducer>(settings_.endpoint,
                                              std::vector<std::pair<std::string, std::string>>{{"linger.ms", "5"}});
  rows_.reset();
  ends_.clear();
  sent_ = 0;
  if (!mark) return;
  const std::string what = "the checkpoint's mark of output '" + name() + "'";
  rows_.restore(*mark, what);
  simdjson::dom::parser parser;
  const simdjson::padded_string text(*mark);
  simdjson::dom::element root;
  simdjson::dom::object ends;
  STREAMML_CHECK(!parser.parse(text).get(root) && !root["ends"].get(ends), InvalidInput,
                 what << " lacks the output topic's end offsets: " << *mark);
  for (auto [key, value] : ends) {
    int partition = -1;
    std::int64_t end = -1;
    const auto r = std::from_chars(key.data(), key.data() + key.size(), partition);
    STREAMML_CHECK(r.ec == std::errc() && r.ptr == key.data() + key.size() && partition >= 0 && !value.get(end) && end >= 0,
                   InvalidInput, what << " has a bad end offset '" << key << "': " << *mark);
    ends_[partition] = end;
  }
  // The topic must still hold what the checkpoint produced; a deleted or truncated topic would
  // lose rows the checkpoint counts as delivered.
  for (const auto& [partition, end] : ends_) {
    const std::int64_t high = producer_->watermarks(topic(), partition).second;
    STREAMML_CHECK(high >= end, InvalidInput,
                   "output " << partition_name(topic(), partition) << " ends at offset " << high
                             << ", but the checkpoint being resumed had produced up to " << end
                             << ": the topic was deleted or truncated since; start afresh (without --resume)");
  }
}

void KafkaSink::write(const Batch& batch) {
  STREAMML_CHECK(producer_ != nullptr, Runtime, "output '" << name() << "' is written before it is opened");
  buffer_.clear();
  row_ends_.clear();
  const std::int64_t first = rows_.rows();
  rows_.write(batch, buffer_, &row_ends_, false);
  const bool records = settings_.table.empty();
  const KeyColumn* sources[3] = {id_of_role(batch, kSourceTopicRole), id_of_role(batch, kSourcePartitionRole),
                                 id_of_role(batch, kSourceOffsetRole)};
  const char* source_names[3] = {kSourceTopicRole, kSourcePartitionRole, kSourceOffsetRole};
  std::size_t begin = 0;
  KafkaProducer::Headers headers;
  for (std::size_t i = 0; i < row_ends_.size(); ++i) {
    std::string_view text(buffer_.data() + begin, row_ends_[i] - begin - 1);  // without its '\n'
    begin = row_ends_[i];
    headers = {{"batch", std::to_string(batch.index)}, {"record", std::to_string(first + std::int64_t(i))}};
    std::optional<std::string> key;
    std::optional<EventTime> time;
    if (records) {
      for (int s = 0; s < 3; ++s)
        if (sources[s]) headers.emplace_back(source_names[s], id_text(*sources[s], i));
      if (batch.has_keys()) key = id_text(batch.keys, i);
      if (batch.has_event_times()) time = batch.event_times[i];
    }
    producer_->send(topic(), -1, text, key ? std::optional<std::string_view>(*key) : std::nullopt, time, headers);
    ++sent_;
  }
}

std::string KafkaSink::flush() {
  producer_->flush(settings_.flush_timeout_ms);
  for (const auto& [where, end] : producer_->delivered_ends()) {
    std::int64_t& mine = ends_[where.second];
    mine = std::max(mine, end);
  }
  JsonWriter w;
  w.begin_object();
  rows_.mark_fields(w);
  w.key("topic").value(topic());
  w.key("ends").begin_object();
  for (const auto& [partition, end] : ends_) w.key(std::to_string(partition)).value(end);
  w.end_object();
  w.end_object();
  return w.str();
}

void KafkaSink::close() {
  if (producer_) producer_->flush(settings_.flush_timeout_ms);
}

}  // namespace streamml
