#include "streaming/kafka/kafka_transport.h"

#include <librdkafka/rdkafka.h>
#include <simdjson.h>

#include <algorithm>
#include <cstdio>
#include <thread>

#include "core/error.h"

namespace streamml {

struct KafkaCallbacks {
  static void rebalance(rd_kafka_t*, rd_kafka_resp_err_t err, rd_kafka_topic_partition_list_t* parts, void* opaque) {
    static_cast<KafkaTransport*>(opaque)->on_rebalance(err, parts);
  }
  static void error(rd_kafka_t*, int err, const char* reason, void* opaque) {
    static_cast<KafkaTransport*>(opaque)->on_error(err, reason);
  }
  static void committed(rd_kafka_t*, rd_kafka_resp_err_t err, rd_kafka_topic_partition_list_t*, void* opaque) {
    --static_cast<KafkaTransport*>(opaque)->commits_in_flight_;
    // No group offsets is no failure: nothing was there to commit.
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR && err != RD_KAFKA_RESP_ERR__NO_OFFSET)
      ++static_cast<KafkaTransport*>(opaque)->commit_failures_;
  }
  static void setup(rd_kafka_conf_t* conf, void* opaque) {
    rd_kafka_conf_set_rebalance_cb(conf, rebalance);
    rd_kafka_conf_set_error_cb(conf, error);
    rd_kafka_conf_set_offset_commit_cb(conf, committed);
    rd_kafka_conf_set_opaque(conf, opaque);
  }
};

namespace {

using TopicPartitions = std::unique_ptr<rd_kafka_topic_partition_list_t, void (*)(rd_kafka_topic_partition_list_t*)>;
TopicPartitions new_list(int size) {
  return TopicPartitions(rd_kafka_topic_partition_list_new(size), rd_kafka_topic_partition_list_destroy);
}

bool cooperative(rd_kafka_t* rk) { return std::string(rd_kafka_rebalance_protocol(rk)) == "COOPERATIVE"; }

// Errors a consumer cannot read on after: the stream would lose or skip messages.
bool stops_the_stream(rd_kafka_resp_err_t err) {
  switch (err) {
    case RD_KAFKA_RESP_ERR__AUTO_OFFSET_RESET:
    case RD_KAFKA_RESP_ERR_OFFSET_OUT_OF_RANGE:
    case RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART:
    case RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC:
    case RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION:
    case RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED:
    case RD_KAFKA_RESP_ERR_GROUP_AUTHORIZATION_FAILED:
    case RD_KAFKA_RESP_ERR__FATAL:
      return true;
    default:
      return false;
  }
}

const char* state_word(PartitionState s) {
  return s == PartitionState::Open ? "" : s == PartitionState::Idle ? " idle" : " end";
}

}  // namespace

KafkaTransport::KafkaTransport(KafkaSourceSettings settings)
    : settings_(std::move(settings)),
      consumer_(nullptr),
      names_(std::make_shared<const std::vector<std::string>>()) {
  STREAMML_CHECK(!settings_.endpoint.topics.empty(), InvalidInput, "a Kafka source needs at least one topic");
  STREAMML_CHECK(settings_.max_messages_per_chunk > 0, InvalidInput, "kafka: max_messages_per_chunk must be >= 1, got 0");
  STREAMML_CHECK(settings_.idle_timeout_ms >= 0, InvalidInput,
                 "kafka: idle timeout must be >= 0 ms, got " << settings_.idle_timeout_ms);
  // The checkpoint holds the offsets: nothing is committed or stored behind its back, and an
  // offset that is gone from the topic stops the stream instead of jumping.
  std::vector<std::pair<std::string, std::string>> defaults = {
      {"enable.auto.commit", "false"},
      {"enable.auto.offset.store", "false"},
      {"auto.offset.reset", "error"},
      {"enable.partition.eof", "false"},
      {"client.id", "streamml"},
      {"log_level", "3"},
  };
  // librdkafka's assign() wants a group.id even when no group is joined (nothing is committed
  // to it without --group).
  defaults.emplace_back("group.id", settings_.group.empty() ? "streamml-unjoined" : settings_.group);
  consumer_ = make_kafka_client(KafkaClient::Consumer, settings_.endpoint, defaults, KafkaCallbacks::setup, this);
  rd_kafka_poll_set_consumer(consumer_.get());
  queue_ = rd_kafka_queue_get_consumer(consumer_.get());
  buffer_.resize(settings_.max_messages_per_chunk);
}

KafkaTransport::~KafkaTransport() {
  // The last checkpoint's offsets once more, waiting for the answer: an asynchronous commit
  // that failed (or was still queued for a coordinator) would leave the group behind.
  // A retried older commit may land after newer ones: they are all answered first, then this
  // one goes last (a few tries).
  const auto deadline = Clock::now() + std::chrono::seconds(10);
  while (started_ && commits_in_flight_.load() > 0 && Clock::now() < deadline)
    if (rd_kafka_message_t* m = rd_kafka_consumer_poll(consumer_.get(), 50)) rd_kafka_message_destroy(m);
  for (int attempt = 0; attempt < 3 && last_checkpoint_ && started_; ++attempt)
    if (commit(*last_checkpoint_, false)) break;
  if (queue_) rd_kafka_queue_destroy(queue_);
  if (consumer_ && started_) rd_kafka_consumer_close(consumer_.get());
}

std::string KafkaTransport::name() const {
  std::string n = "kafka:";
  for (std::size_t i = 0; i < settings_.endpoint.topics.size(); ++i) n += (i ? "," : "") + settings_.endpoint.topics[i];
  return n;
}

std::size_t KafkaTransport::partition_index(const std::string& topic, int number) {
  const std::string name = partition_name(topic, number);
  if (auto it = index_.find(name); it != index_.end()) return it->second;
  Partition p;
  p.topic = topic;
  p.number = number;
  p.last_activity = Clock::now();
  partitions_.push_back(p);
  auto names = std::make_shared<std::vector<std::string>>(*names_);  // chunks handed out keep theirs
  names->push_back(name);
  names_ = std::move(names);
  return index_[name] = partitions_.size() - 1;
}

std::vector<std::pair<std::string, int>> KafkaTransport::topic_partitions() {
  const rd_kafka_metadata_t* md = nullptr;
  const auto deadline = Clock::now() + std::chrono::milliseconds(settings_.metadata_timeout_ms);
  std::vector<std::pair<std::string, int>> out;
  std::string problem;
  // Brokers that are starting or briefly down answer later: ask again until the deadline.
  while (true) {
    out.clear();
    problem.clear();
    const rd_kafka_resp_err_t err = rd_kafka_metadata(consumer_.get(), 1, nullptr, &md, 2000);
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      problem = rd_kafka_err2str(err);
    } else {
      for (const auto& topic : settings_.endpoint.topics) {
        const rd_kafka_metadata_topic_t* found = nullptr;
        for (int t = 0; t < md->topic_cnt; ++t)
          if (topic == md->topics[t].topic) found = &md->topics[t];
        if (!found || found->err != RD_KAFKA_RESP_ERR_NO_ERROR || found->partition_cnt == 0) {
          problem = "topic '" + topic + "' " +
                    (found && found->err != RD_KAFKA_RESP_ERR_NO_ERROR ? rd_kafka_err2str(found->err) : "does not exist");
          break;
        }
        for (int p = 0; p < found->partition_cnt; ++p) out.emplace_back(topic, found->partitions[p].id);
      }
      rd_kafka_metadata_destroy(md);
      if (problem.empty()) break;
    }
    STREAMML_CHECK(Clock::now() < deadline, InvalidInput,
                   "kafka: cannot read " << name() << " from '" << settings_.endpoint.brokers << "': " << problem);
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::int64_t KafkaTransport::start_offset(const Partition& p) const {
  if (p.next >= 0) return p.next;
  if (p.first >= 0) return p.first;
  return RD_KAFKA_OFFSET_BEGINNING;
}

void KafkaTransport::fix_ends() {
  ends_fixed_ = true;
  for (Partition& p : partitions_) {
    std::int64_t lo = 0, hi = 0;
    const rd_kafka_resp_err_t err = rd_kafka_query_watermark_offsets(consumer_.get(), p.topic.c_str(), p.number, &lo, &hi,
                                                                     settings_.metadata_timeout_ms);
    STREAMML_CHECK(err == RD_KAFKA_RESP_ERR_NO_ERROR, InvalidInput,
                   "kafka: --until-end cannot learn where " << partition_name(p.topic, p.number) << " ends: " << rd_kafka_err2str(err));
    p.end = hi;
    p.low = lo;
    STREAMML_CHECK(p.next <= hi, InvalidInput,
                   "kafka: the position of " << partition_name(p.topic, p.number) << " is offset " << p.next
                                             << ", past its end " << hi << ": is this the topic the checkpoint read?");
  }
}

void KafkaTransport::start() {
  if (started_) return;
  started_ = true;
  for (const auto& [topic, number] : topic_partitions()) partition_index(topic, number);
  if (settings_.until_end && (!settings_.end_known || settings_.end_known->load())) fix_ends();
  if (settings_.group.empty()) {
    assign_all();
  } else {
    auto list = new_list(int(settings_.endpoint.topics.size()));
    for (const auto& topic : settings_.endpoint.topics)
      rd_kafka_topic_partition_list_add(list.get(), topic.c_str(), RD_KAFKA_PARTITION_UA);
    const rd_kafka_resp_err_t err = rd_kafka_subscribe(consumer_.get(), list.get());
    STREAMML_CHECK(err == RD_KAFKA_RESP_ERR_NO_ERROR, InvalidInput,
                   "kafka: cannot subscribe to " << name() << ": " << rd_kafka_err2str(err));
  }
  sent_states_.assign(partitions_.size(), PartitionState::Open);
}

void KafkaTransport::assign_all() {
  auto list = new_list(int(partitions_.size()));
  for (Partition& p : partitions_) {
    rd_kafka_topic_partition_list_add(list.get(), p.topic.c_str(), p.number)->offset = start_offset(p);
    p.assigned = true;
    p.last_activity = Clock::now();
  }
  const rd_kafka_resp_err_t err = rd_kafka_assign(consumer_.get(), list.get());
  STREAMML_CHECK(err == RD_KAFKA_RESP_ERR_NO_ERROR, Runtime, "kafka: cannot assign the partitions of " << name() << ": "
                                                                                                     << rd_kafka_err2str(err));
}

// The group gives or takes partitions: given ones start at the offset held here (the
// checkpoint's, or where this process last read), whatever the group has committed.
void KafkaTransport::on_rebalance(int code, rd_kafka_topic_partition_list_t* parts) {
  const auto err = rd_kafka_resp_err_t(code);
  const bool coop = cooperative(consumer_.get());
  if (err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
    for (int i = 0; i < parts->cnt; ++i) {
      auto& tp = parts->elems[i];
      Partition& p = partitions_[partition_index(tp.topic, tp.partition)];
      tp.offset = start_offset(p);
      p.assigned = true;
      p.last_activity = Clock::now();
    }
    if (coop)
      rd_kafka_error_destroy(rd_kafka_incremental_assign(consumer_.get(), parts));
    else
      rd_kafka_assign(consumer_.get(), parts);
  } else {
    for (int i = 0; i < parts->cnt; ++i) {
      Partition& p = partitions_[partition_index(parts->elems[i].topic, parts->elems[i].partition)];
      p.assigned = false;
      p.paused = false;
      p.last_activity = Clock::now();  // it holds the merge for the idle timeout, then is passed over
    }
    if (coop)
      rd_kafka_error_destroy(rd_kafka_incremental_unassign(consumer_.get(), parts));
    else
      rd_kafka_assign(consumer_.get(), nullptr);
  }
}

void KafkaTransport::on_error(int code, const char* reason) {
  const auto err = rd_kafka_resp_err_t(code);
  if (err == RD_KAFKA_RESP_ERR__FATAL) {
    char text[512];
    rd_kafka_fatal_error(consumer_.get(), text, sizeof text);
    fatal_ = text;
    return;
  }
  ++transient_errors_;  // librdkafka retries: brokers down, connections refused, timeouts
  (void)reason;
}

void KafkaTransport::take(const rd_kafka_message_t* m, Chunk& c) {
  const char* topic = m->rkt ? rd_kafka_topic_name(m->rkt) : "?";
  if (m->err) {
    if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) return;
    STREAMML_CHECK(!stops_the_stream(m->err), InvalidInput,
                   "kafka: " << partition_name(topic, m->partition) << " at offset " << m->offset << ": "
                             << rd_kafka_message_errstr(m));
    ++transient_errors_;
    return;
  }
  // Messages come in runs of one partition: its index is looked up once per run.
  if (m->rkt != last_topic_ || m->partition != last_partition_) {
    last_index_ = partition_index(topic, m->partition);
    last_topic_ = m->rkt;
    last_partition_ = m->partition;
  }
  const std::size_t pi = last_index_;
  Partition& p = partitions_[pi];
  if (p.next >= 0 && m->offset < p.next) return;  // read already (a fetch from before a seek)
  if (p.end >= 0 && m->offset >= p.end) {         // past --until-end
    if (!p.paused) {
      auto list = new_list(1);
      rd_kafka_topic_partition_list_add(list.get(), topic, m->partition);
      rd_kafka_pause_partitions(consumer_.get(), list.get());
      p.paused = true;
    }
    return;
  }
  Message out;
  out.begin = std::uint32_t(c.bytes.size());
  out.size = std::uint32_t(m->len);
  out.partition = std::int32_t(pi);
  out.offset = m->offset;
  rd_kafka_timestamp_type_t type;
  const std::int64_t ms = rd_kafka_message_timestamp(m, &type);
  out.timestamp = ms < 0 || type == RD_KAFKA_TIMESTAMP_NOT_AVAILABLE ? kNoTimestamp : ms * 1000;
  if (m->key) {
    out.has_key = true;
    out.key_begin = std::uint32_t(c.keys.size());
    out.key_size = std::uint32_t(m->key_len);
    c.keys.append(static_cast<const char*>(m->key), m->key_len);
  }
  if (m->len) c.bytes.append(static_cast<const char*>(m->payload), m->len);
  c.bytes += '\n';  // a record ends with a line end, as a format expects of any record
  c.messages.push_back(out);
  p.next = m->offset + 1;
  p.last_activity = Clock::now();
  p.state = PartitionState::Open;
  if (c.partition_ends.size() < names_->size()) c.partition_ends.resize(names_->size(), -1);
  c.partition_ends[pi] = p.next;
}

bool KafkaTransport::update_states(Clock::time_point now) {
  bool changed = sent_states_.size() != partitions_.size();
  sent_states_.resize(partitions_.size(), PartitionState::Open);
  for (std::size_t i = 0; i < partitions_.size(); ++i) {
    Partition& p = partitions_[i];
    if (p.end >= 0 && (p.next >= 0 ? p.next : std::max(p.first, p.low)) >= p.end) {
      p.state = PartitionState::Finished;
    } else if (p.state == PartitionState::Open && settings_.idle_timeout_ms > 0 &&
               now - p.last_activity >= std::chrono::milliseconds(settings_.idle_timeout_ms)) {
      bool caught_up = !p.assigned;
      if (p.assigned) {
        std::int64_t lo = -1, hi = -1;
        rd_kafka_get_watermark_offsets(consumer_.get(), p.topic.c_str(), p.number, &lo, &hi);
        const std::int64_t at = p.next >= 0 ? p.next : std::max(p.first, lo);
        caught_up = hi >= 0 && at >= hi;
      }
      if (caught_up) {
        p.state = PartitionState::Idle;
        ++idle_reports_;
      }
    }
    changed |= p.state != sent_states_[i];
    sent_states_[i] = p.state;
  }
  return changed;
}

bool KafkaTransport::all_finished() const {
  if (!settings_.until_end || !ends_fixed_ || partitions_.empty()) return false;
  for (const Partition& p : partitions_)
    if (p.state != PartitionState::Finished) return false;
  return true;
}

std::optional<Chunk> KafkaTransport::read_chunk() {
  start();
  while (true) {
    STREAMML_CHECK(fatal_.empty(), Runtime, "kafka: the consumer of " << name() << " failed: " << fatal_);
    if (settings_.stop && settings_.stop->load()) {
      stopped_ = true;
      return std::nullopt;
    }
    if (settings_.until_end && !ends_fixed_ && settings_.end_known && settings_.end_known->load()) fix_ends();
    update_states(Clock::now());
    if (all_finished()) return std::nullopt;
    const ssize_t n = rd_kafka_consume_batch_queue(queue_, settings_.chunk_wait_ms, buffer_.data(), buffer_.size());
    Chunk c;
    c.sequence = sequence_;
    c.begin_record = records_;
    // One allocation each for the chunk's payloads, keys and messages, not a growing copy.
    std::size_t bytes = simdjson::SIMDJSON_PADDING, keys = 0;
    for (ssize_t i = 0; i < n; ++i) {
      bytes += buffer_[std::size_t(i)]->len + 1;
      keys += buffer_[std::size_t(i)]->key_len;
    }
    c.bytes.reserve(bytes);
    c.keys.reserve(keys);
    c.messages.reserve(std::size_t(std::max<ssize_t>(n, 0)));
    try {
      for (ssize_t i = 0; i < n; ++i) take(buffer_[std::size_t(i)], c);
    } catch (...) {
      for (ssize_t i = 0; i < n; ++i) rd_kafka_message_destroy(buffer_[std::size_t(i)]);
      throw;
    }
    for (ssize_t i = 0; i < n; ++i) rd_kafka_message_destroy(buffer_[std::size_t(i)]);
    const bool changed = update_states(Clock::now());
    publish_lag(changed);
    if (c.messages.empty() && !changed) continue;
    records_ += std::int64_t(c.messages.size());
    c.end_record = records_;
    c.partitions = names_;
    c.partition_ends.resize(names_->size(), -1);
    c.partition_states = sent_states_;
    c.bytes.reserve(c.bytes.size() + simdjson::SIMDJSON_PADDING);
    ++sequence_;
    return c;
  }
}

std::optional<FirstRecord> KafkaTransport::first_record(bool consume) {
  STREAMML_CHECK(!started_, Runtime, "kafka: the first record is read before the stream starts");
  const std::string& topic = settings_.endpoint.topics.front();
  std::int64_t lo = 0, hi = 0;
  const rd_kafka_resp_err_t err =
      rd_kafka_query_watermark_offsets(consumer_.get(), topic.c_str(), 0, &lo, &hi, settings_.metadata_timeout_ms);
  STREAMML_CHECK(err == RD_KAFKA_RESP_ERR_NO_ERROR, InvalidInput,
                 "kafka: cannot read the first message of " << partition_name(topic, 0) << " (its header) from '"
                                                            << settings_.endpoint.brokers << "': " << rd_kafka_err2str(err));
  if (lo >= hi) return std::nullopt;
  auto list = new_list(1);
  rd_kafka_topic_partition_list_add(list.get(), topic.c_str(), 0)->offset = lo;
  rd_kafka_assign(consumer_.get(), list.get());
  std::optional<FirstRecord> first;
  const auto deadline = Clock::now() + std::chrono::milliseconds(settings_.metadata_timeout_ms);
  while (!first && Clock::now() < deadline) {
    rd_kafka_message_t* m = rd_kafka_consumer_poll(consumer_.get(), 100);
    if (!m) continue;
    if (!m->err && m->partition == 0 && m->offset == lo)
      first = FirstRecord{std::string(static_cast<const char*>(m->payload), m->len), 0};
    rd_kafka_message_destroy(m);
  }
  rd_kafka_assign(consumer_.get(), nullptr);
  STREAMML_CHECK(first.has_value(), InvalidInput,
                 "kafka: the first message of " << partition_name(topic, 0) << " (offset " << lo << ") did not come within "
                                                << settings_.metadata_timeout_ms << " ms");
  while (!first->text.empty() && (first->text.back() == '\n' || first->text.back() == '\r')) first->text.pop_back();
  if (consume) {
    Partition& p = partitions_[partition_index(topic, 0)];
    p.first = lo + 1;
    if (p.next >= 0 && p.next < p.first) p.next = p.first;
  }
  return first;
}

Position KafkaTransport::position() const {
  Position pos;
  pos.records = records_;
  for (const Partition& p : partitions_) {
    const std::int64_t at = p.next >= 0 ? p.next : p.first;
    if (at >= 0) pos.partitions[partition_name(p.topic, p.number)] = at;
  }
  return pos;
}

void KafkaTransport::seek(const Position& position) {
  STREAMML_CHECK(position.offset == 0 && position.line == 0, InvalidInput,
                 "position of '" << name() << "' has a byte offset or a line; a Kafka topic has partitions");
  for (Partition& p : partitions_) p.next = -1;
  for (const auto& [pname, offset] : position.partitions) {
    const auto slash = pname.rfind('/');
    const std::string topic = pname.substr(0, slash == std::string::npos ? 0 : slash);
    int number = -1;
    if (slash != std::string::npos) {
      try {
        number = std::stoi(pname.substr(slash + 1));
      } catch (const std::exception&) {
        number = -1;
      }
    }
    const auto& topics = settings_.endpoint.topics;
    STREAMML_CHECK(number >= 0 && std::find(topics.begin(), topics.end(), topic) != topics.end(), InvalidInput,
                   "position names partition '" << pname << "', which is not a partition of " << name());
    STREAMML_CHECK(offset >= 0, InvalidInput, "position offset of '" << pname << "' must be >= 0, got " << offset);
    Partition& p = partitions_[partition_index(topic, number)];
    p.next = std::max(offset, p.first);
  }
  records_ = position.records;
  sequence_ = 0;
  if (!started_) return;
  // Reading already: the assigned partitions move to the new offsets.
  auto list = new_list(int(partitions_.size()));
  for (const Partition& p : partitions_)
    if (p.assigned) rd_kafka_topic_partition_list_add(list.get(), p.topic.c_str(), p.number)->offset = start_offset(p);
  if (list->cnt == 0) return;
  rd_kafka_error_t* error = rd_kafka_seek_partitions(consumer_.get(), list.get(), settings_.metadata_timeout_ms);
  const std::string problem = error ? rd_kafka_error_string(error) : "";
  if (error) rd_kafka_error_destroy(error);
  STREAMML_CHECK(problem.empty(), Runtime, "kafka: seeking " << name() << ": " << problem);
}

void KafkaTransport::checkpointed(const Position& position) {
  if (settings_.group.empty() || position.partitions.empty()) return;
  last_checkpoint_ = position;
  commit(position, true);
}

bool KafkaTransport::commit(const Position& position, bool async) {
  auto list = new_list(int(position.partitions.size()));
  for (const auto& [pname, offset] : position.partitions) {
    const auto slash = pname.rfind('/');
    rd_kafka_topic_partition_list_add(list.get(), pname.substr(0, slash).c_str(), std::stoi(pname.substr(slash + 1)))
        ->offset = offset;
  }
  // Asynchronous: a failed commit (counted) costs monitoring a little freshness, nothing more.
  if (async) ++commits_in_flight_;
  if (rd_kafka_commit(consumer_.get(), list.get(), async ? 1 : 0) == RD_KAFKA_RESP_ERR_NO_ERROR) return true;
  if (async) --commits_in_flight_;
  ++commit_failures_;
  return false;
}

void KafkaTransport::publish_lag(bool now_please) {
  const auto now = Clock::now();
  if (!now_please && now - lag_time_ < std::chrono::milliseconds(200)) return;
  lag_time_ = now;
  std::vector<KafkaPartitionLag> lag;
  for (const Partition& p : partitions_) {
    KafkaPartitionLag l;
    l.name = partition_name(p.topic, p.number);
    l.next = p.next >= 0 ? p.next : p.first;
    std::int64_t lo = -1;
    rd_kafka_get_watermark_offsets(consumer_.get(), p.topic.c_str(), p.number, &lo, &l.high);
    l.state = p.state;
    l.assigned = p.assigned;
    lag.push_back(std::move(l));
  }
  std::lock_guard<std::mutex> lock(lag_mutex_);
  lag_ = std::move(lag);
}

std::vector<KafkaPartitionLag> KafkaTransport::lag() const {
  std::lock_guard<std::mutex> lock(lag_mutex_);
  return lag_;
}

std::string KafkaTransport::progress() const {
  const auto lag = this->lag();
  if (lag.empty()) return {};
  std::string out = "lag";
  std::int64_t total = 0;
  char part[160];
  for (const auto& l : lag) {
    const std::int64_t behind = l.high >= 0 ? std::max<std::int64_t>(0, l.high - std::max<std::int64_t>(0, l.next)) : -1;
    total += std::max<std::int64_t>(0, behind);
    if (lag.size() <= 8) {
      std::snprintf(part, sizeof part, " %s %s%s%s", l.name.c_str(), behind >= 0 ? std::to_string(behind).c_str() : "?",
                    state_word(l.state), l.assigned ? "" : " (not assigned)");
      out += part;
    }
  }
  if (lag.size() > 8) out += " " + std::to_string(total) + " over " + std::to_string(lag.size()) + " partitions";
  return out;
}

std::unique_ptr<Source> open_kafka_source(KafkaSourceSettings settings, FileFormat format, const FormatOptions& options) {
  STREAMML_CHECK(format != FileFormat::Auto, InvalidInput,
                 "a Kafka topic has no file extension: say how its messages are written (format csv or jsonl)");
  return open_record_source(std::make_unique<KafkaTransport>(std::move(settings)), format, options);
}

}  // namespace streamml
