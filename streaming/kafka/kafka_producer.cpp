#include "streaming/kafka/kafka_producer.h"

#include <librdkafka/rdkafka.h>

#include <algorithm>

#include "core/error.h"

namespace streamml {

struct KafkaProducerCallbacks {
  static void delivered(rd_kafka_t*, const rd_kafka_message_t* m, void* opaque) {
    auto* self = static_cast<KafkaProducer*>(opaque);
    const std::string topic = m->rkt ? rd_kafka_topic_name(m->rkt) : "?";
    if (m->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
      ++self->delivered_;
      std::int64_t& end = self->ends_[{topic, int(m->partition)}];
      end = std::max(end, std::int64_t(m->offset) + 1);
    } else if (self->failed_++ == 0) {
      self->first_failure_ = partition_name(topic, int(m->partition)) + ": " + rd_kafka_err2str(m->err);
    }
  }
  static void setup(rd_kafka_conf_t* conf, void* opaque) {
    rd_kafka_conf_set_dr_msg_cb(conf, delivered);
    rd_kafka_conf_set_opaque(conf, opaque);
  }
};

KafkaProducer::KafkaProducer(const KafkaEndpoint& endpoint, std::vector<std::pair<std::string, std::string>> defaults) {
  defaults.insert(defaults.begin(), {{"enable.idempotence", "true"}, {"client.id", "streamml"}, {"log_level", "3"}});
  producer_ = make_kafka_client(KafkaClient::Producer, endpoint, defaults, KafkaProducerCallbacks::setup, this);
}

KafkaProducer::~KafkaProducer() {
  if (producer_) rd_kafka_flush(producer_.get(), 5000);
}

void KafkaProducer::send(const std::string& topic, int partition, std::string_view value,
                         std::optional<std::string_view> key, std::optional<EventTime> timestamp,
                         const Headers& headers) {
  // Kafka keeps milliseconds: floor, so a time and its millisecond agree before 1970 too.
  const std::int64_t ms = timestamp ? (*timestamp >= 0 ? *timestamp / 1000 : -((-*timestamp + 999) / 1000)) : 0;
  const void* key_data = key ? static_cast<const void*>(key->data()) : nullptr;
  const std::size_t key_size = key ? key->size() : 0;
  void* value_data = const_cast<char*>(value.data());
  // librdkafka owns the headers once a message is accepted, and leaves them to us otherwise.
  rd_kafka_headers_t* hdrs = nullptr;
  if (!headers.empty()) {
    hdrs = rd_kafka_headers_new(headers.size());
    for (const auto& [name, v] : headers) rd_kafka_header_add(hdrs, name.data(), ssize_t(name.size()), v.data(), ssize_t(v.size()));
  }
  while (true) {
    const rd_kafka_resp_err_t err =
        hdrs ? rd_kafka_producev(producer_.get(), RD_KAFKA_V_TOPIC(topic.c_str()), RD_KAFKA_V_PARTITION(partition),
                                 RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_VALUE(value_data, value.size()),
                                 RD_KAFKA_V_KEY(key_data, key_size), RD_KAFKA_V_TIMESTAMP(ms), RD_KAFKA_V_HEADERS(hdrs),
                                 RD_KAFKA_V_END)
             : rd_kafka_producev(producer_.get(), RD_KAFKA_V_TOPIC(topic.c_str()), RD_KAFKA_V_PARTITION(partition),
                                 RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_VALUE(value_data, value.size()),
                                 RD_KAFKA_V_KEY(key_data, key_size), RD_KAFKA_V_TIMESTAMP(ms), RD_KAFKA_V_END);
    if (err == RD_KAFKA_RESP_ERR_NO_ERROR) break;
    if (err != RD_KAFKA_RESP_ERR__QUEUE_FULL) {
      if (hdrs) rd_kafka_headers_destroy(hdrs);
      STREAMML_FAIL(Io, "kafka: cannot send to '" << topic << "': " << rd_kafka_err2str(err));
    }
    rd_kafka_poll(producer_.get(), 10);  // room comes as deliveries are confirmed
  }
  rd_kafka_poll(producer_.get(), 0);
}

void KafkaProducer::flush(int timeout_ms) {
  const rd_kafka_resp_err_t err = rd_kafka_flush(producer_.get(), timeout_ms);
  STREAMML_CHECK(err == RD_KAFKA_RESP_ERR_NO_ERROR, Io,
                 "kafka: " << rd_kafka_outq_len(producer_.get()) << " messages not delivered within " << timeout_ms
                           << " ms: " << rd_kafka_err2str(err));
  STREAMML_CHECK(failed_.load() == 0, Io,
                 "kafka: " << failed_.load() << " messages were not delivered; the first: " << first_failure_);
}

std::pair<std::int64_t, std::int64_t> KafkaProducer::watermarks(const std::string& topic, int partition, int timeout_ms) {
  int64_t low = -1, high = -1;
  const rd_kafka_resp_err_t err =
      rd_kafka_query_watermark_offsets(producer_.get(), topic.c_str(), partition, &low, &high, timeout_ms);
  STREAMML_CHECK(err == RD_KAFKA_RESP_ERR_NO_ERROR, Io,
                 "kafka: cannot read the end offset of " << partition_name(topic, partition) << ": " << rd_kafka_err2str(err));
  return {low, high};
}

int KafkaProducer::partitions(const std::string& topic, int timeout_ms) {
  rd_kafka_topic_t* handle = rd_kafka_topic_new(producer_.get(), topic.c_str(), nullptr);
  STREAMML_CHECK(handle, Io, "kafka: cannot name topic '" << topic << "': " << rd_kafka_err2str(rd_kafka_last_error()));
  const rd_kafka_metadata_t* metadata = nullptr;
  const rd_kafka_resp_err_t err = rd_kafka_metadata(producer_.get(), 0, handle, &metadata, timeout_ms);
  rd_kafka_topic_destroy(handle);
  STREAMML_CHECK(err == RD_KAFKA_RESP_ERR_NO_ERROR, Io, "kafka: cannot read the metadata of topic '" << topic << "': " << rd_kafka_err2str(err));
  const int count = metadata->topic_cnt == 1 && !metadata->topics[0].err ? metadata->topics[0].partition_cnt : -1;
  const rd_kafka_resp_err_t topic_err = metadata->topic_cnt == 1 ? metadata->topics[0].err : RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART;
  rd_kafka_metadata_destroy(metadata);
  STREAMML_CHECK(count > 0, InvalidInput, "kafka: topic '" << topic << "' is not there: " << rd_kafka_err2str(topic_err));
  return count;
}

}  // namespace streamml
