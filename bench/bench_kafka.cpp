// Kafka on librdkafka's mock cluster, in one process and one run:
//   BareConsume         a bare librdkafka consume loop over the topic: batches off the consumer
//                       queue as the transport takes them
//   BarePoll            the same with rd_kafka_consumer_poll, one message a call (librdkafka's
//                       examples); the faster of the two is the practical limit
//   ConsumeParseBatch   streamml's Kafka transport + CSV format + micro-batcher (the pipeline,
//                       no stages) over the same topic: records/s and MB/s
//   Latency             produce -> learned at --speed 1 (a logistic learner on each batch):
//                       median and p99 in microseconds, as counters
//   CheckpointOffsets   a checkpoint after every batch: the pipeline's checkpoint seconds per
//                       checkpoint (the learner's state plus the offsets of 4 partitions)
// The topic: 20-column CSV messages in 4 partitions (kept under the mock's per-partition cap).
// bench/compare_kafka.py runs this and prints the medians and the ratio to the bare loop.
#include <benchmark/benchmark.h>
#include <librdkafka/rdkafka.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <thread>

#include "algorithms/registry.h"
#include "core/learner_registry.h"
#include "streaming/kafka/kafka_mock.h"
#include "streaming/kafka/kafka_producer.h"
#include "streaming/kafka/kafka_transport.h"
#include "streaming/pipeline.h"
#include "streaming/record_source.h"

namespace streamml {
namespace {

constexpr int kPartitions = 4;
constexpr int kPerPartition = 25'000;
constexpr int kColumns = 20;

struct Topic {
  KafkaMockCluster cluster{1};
  std::int64_t messages = 0, bytes = 0;
  std::vector<std::string> columns;

  Topic() {
    cluster.create_topic("wide", kPartitions, 1);
    for (int c = 0; c < kColumns - 2; ++c) columns.push_back("f" + std::to_string(c));
    columns.push_back("t");
    columns.push_back("y");
    KafkaEndpoint e;
    e.brokers = cluster.bootstraps();
    KafkaProducer producer(e, {{"linger.ms", "20"}, {"batch.num.messages", "10000"}});
    std::uint64_t state = 42;
    char field[32];
    for (int p = 0; p < kPartitions; ++p)
      for (int i = 0; i < kPerPartition; ++i) {
        std::string line;
        for (int c = 0; c < kColumns - 2; ++c) {
          state = state * 6364136223846793005ULL + 1442695040888963407ULL;
          std::snprintf(field, sizeof field, "%.6f,", double(state >> 11) / double(1ULL << 53));
          line += field;
        }
        const EventTime t = 1'700'000'000'000'000 + EventTime(i) * 1000;
        // The time column in epoch seconds (how the formats read a number), to the millisecond.
        std::snprintf(field, sizeof field, "%lld.%03lld,", (long long)(t / 1'000'000), (long long)(t / 1000 % 1000));
        line += field + std::to_string(i % 2);
        bytes += std::int64_t(line.size());
        producer.send("wide", p, line, std::nullopt, t);
        ++messages;
      }
    producer.flush();
  }
  KafkaEndpoint endpoint() const {
    KafkaEndpoint e;
    e.brokers = cluster.bootstraps();
    e.topics = {"wide"};
    return e;
  }
};

Topic& topic() {
  static Topic t;
  return t;
}

// The bare loop: every partition assigned from its beginning, messages taken off the consumer
// queue in batches until all are read, only their count and bytes kept. wait_ms: how long a
// batch call waits to fill up (librdkafka returns early only once the buffer is full).
void bare_consume(benchmark::State& state, int wait_ms) {
  Topic& t = topic();
  for (auto _ : state) {
    // A group.id, unjoined: librdkafka keeps a consumer queue only for a consumer with one.
    auto rk = make_kafka_client(KafkaClient::Consumer, t.endpoint(),
                                {{"log_level", "3"}, {"enable.auto.commit", "false"}, {"group.id", "bench-bare"}});
    auto* list = rd_kafka_topic_partition_list_new(kPartitions);
    for (int p = 0; p < kPartitions; ++p)
      rd_kafka_topic_partition_list_add(list, "wide", p)->offset = RD_KAFKA_OFFSET_BEGINNING;
    rd_kafka_assign(rk.get(), list);
    rd_kafka_topic_partition_list_destroy(list);
    rd_kafka_queue_t* q = rd_kafka_queue_get_consumer(rk.get());
    std::vector<rd_kafka_message_t*> buf(10000);
    std::int64_t n = 0, bytes = 0;
    while (n < t.messages) {
      const ssize_t got = rd_kafka_consume_batch_queue(q, wait_ms, buf.data(), buf.size());
      for (ssize_t i = 0; i < got; ++i) {
        if (!buf[std::size_t(i)]->err) {
          ++n;
          bytes += std::int64_t(buf[std::size_t(i)]->len);
        }
        rd_kafka_message_destroy(buf[std::size_t(i)]);
      }
    }
    benchmark::DoNotOptimize(bytes);
    rd_kafka_queue_destroy(q);
  }
  state.SetItemsProcessed(state.iterations() * t.messages);
  state.SetBytesProcessed(state.iterations() * t.bytes);
}

// With the wait of streamml's transport (KafkaSourceSettings::chunk_wait_ms).
void BareConsume(benchmark::State& state) { bare_consume(state, KafkaSourceSettings{}.chunk_wait_ms); }

// The canonical loop of librdkafka's examples: one message per rd_kafka_consumer_poll.
void BarePoll(benchmark::State& state) {
  Topic& t = topic();
  for (auto _ : state) {
    auto rk = make_kafka_client(KafkaClient::Consumer, t.endpoint(),
                                {{"log_level", "3"}, {"enable.auto.commit", "false"}, {"group.id", "bench-poll"}});
    auto* list = rd_kafka_topic_partition_list_new(kPartitions);
    for (int p = 0; p < kPartitions; ++p)
      rd_kafka_topic_partition_list_add(list, "wide", p)->offset = RD_KAFKA_OFFSET_BEGINNING;
    rd_kafka_assign(rk.get(), list);
    rd_kafka_topic_partition_list_destroy(list);
    std::int64_t n = 0, bytes = 0;
    while (n < t.messages) {
      rd_kafka_message_t* m = rd_kafka_consumer_poll(rk.get(), 100);
      if (!m) continue;
      if (!m->err) {
        ++n;
        bytes += std::int64_t(m->len);
      }
      rd_kafka_message_destroy(m);
    }
    benchmark::DoNotOptimize(bytes);
  }
  state.SetItemsProcessed(state.iterations() * t.messages);
  state.SetBytesProcessed(state.iterations() * t.bytes);
}

std::unique_ptr<Source> wide_source(bool until_end) {
  Topic& t = topic();
  KafkaSourceSettings s;
  s.endpoint = t.endpoint();
  s.until_end = until_end;
  FormatOptions f;
  f.header = false;
  f.column_names = t.columns;
  f.schema.label = "y";
  f.schema.time = "t";
  return open_record_source(std::make_unique<KafkaTransport>(s), FileFormat::Csv, f);
}

void ConsumeParseBatch(benchmark::State& state) {
  Topic& t = topic();
  std::int64_t records = 0;
  for (auto _ : state) {
    PipelineSettings ps;
    ps.batching.interval_us = 1'000'000;
    ps.threads = 2;
    Pipeline pipeline(wide_source(true), ps);
    const PipelineReport r = pipeline.run();
    records = r.records;
  }
  if (records != t.messages) state.SkipWithError("not every message was read");
  state.SetItemsProcessed(state.iterations() * t.messages);
  state.SetBytesProcessed(state.iterations() * t.bytes);
}

// Messages produced at a steady pace (1000 a second, their own time: as --speed 1), stamped
// with their send time; a stage after the learner measures now - send time for every record of
// every batch. The first half second is the consumer starting up, not counted.
void Latency(benchmark::State& state) {
  Topic& t = topic();
  constexpr int kWarmUp = 500;
  std::vector<double> latencies;
  for (auto _ : state) {
    static int run = 0;
    const std::string topic_name = "lat" + std::to_string(run++);
    t.cluster.create_topic(topic_name, kPartitions, 1);
    KafkaSourceSettings s;
    s.endpoint = t.endpoint();
    s.endpoint.topics = {topic_name};
    s.chunk_wait_ms = 5;
    // The mock broker holds a fetch for its whole max wait even when messages arrive meanwhile
    // (500 ms by default: a median latency near 300 ms here); a real broker answers as soon as
    // fetch.min.bytes arrive. A short wait stands for that.
    s.endpoint.config = {{"fetch.wait.max.ms", "10"}};
    std::atomic<bool> stop{false};
    s.stop = &stop;
    FormatOptions f;
    f.header = false;
    f.column_names = {"x", "sent", "y"};
    f.schema.features = {"x"};
    f.schema.label = "y";
    f.schema.ignore = {"sent"};
    f.schema.time = "@timestamp";
    PipelineSettings ps;
    ps.batching.batch_size = 1;  // count batches of one record: latency without batching delay
    ps.threads = 2;
    Pipeline pipeline(open_record_source(std::make_unique<KafkaTransport>(s), FileFormat::Csv, f), ps);
    pipeline.add_learner("logreg", learner_registry().make_learner("logreg", {}));
    std::vector<std::int64_t> sent;  // by x
    const int n = 2000;
    sent.resize(n);
    pipeline.add_stage(
        "clock",
        [&](Batch& b) {
          const auto now = std::chrono::steady_clock::now().time_since_epoch();
          for (std::size_t r = 0; r < b.rows; ++r) {
            const auto x = std::size_t(b.features[r]);
            if (x >= std::size_t(kWarmUp))
              latencies.push_back(double(std::chrono::duration_cast<std::chrono::microseconds>(now).count() - sent[x]));
          }
          if (latencies.size() >= std::size_t(n - kWarmUp)) stop = true;
        },
        StageState::Stateless);
    std::thread producer_thread([&] {
      KafkaEndpoint e = t.endpoint();
      KafkaProducer producer(e, {{"linger.ms", "0"}});
      const auto t0 = std::chrono::steady_clock::now();
      for (int i = 0; i < n; ++i) {
        std::this_thread::sleep_until(t0 + std::chrono::microseconds(1000 * i));  // 1000 messages/s
        const auto now = std::chrono::steady_clock::now().time_since_epoch();
        sent[std::size_t(i)] = std::chrono::duration_cast<std::chrono::microseconds>(now).count();
        const std::string v = std::to_string(i) + ",0," + std::to_string(i % 2);
        producer.send(topic_name, i % kPartitions, v, std::nullopt, std::nullopt);
      }
      producer.flush();
    });
    pipeline.run();
    producer_thread.join();
  }
  std::sort(latencies.begin(), latencies.end());
  state.counters["median_us"] = latencies[latencies.size() / 2];
  state.counters["p99_us"] = latencies[latencies.size() * 99 / 100];
}

void CheckpointOffsets(benchmark::State& state) {
  const auto dir = std::filesystem::temp_directory_path() / "streamml_bench_kafka_ckpt";
  double seconds = 0;
  std::int64_t written = 0;
  for (auto _ : state) {
    std::filesystem::remove_all(dir);
    PipelineSettings ps;
    ps.batching.interval_us = 1'000'000;
    ps.threads = 2;
    ps.checkpoint.dir = dir.string();
    ps.checkpoint.every_batches = 1;
    ps.checkpoint.background = false;
    Pipeline pipeline(wide_source(true), ps);
    pipeline.add_learner("logreg", learner_registry().make_learner("logreg", {}));
    const PipelineReport r = pipeline.run();
    seconds += r.checkpoint_seconds;
    written += r.checkpoints_written;
  }
  std::filesystem::remove_all(dir);
  state.counters["checkpoints"] = double(written) / double(state.iterations());
  state.counters["ms_per_checkpoint"] = 1000 * seconds / double(std::max<std::int64_t>(written, 1));
}

// Three reads of the topic each (a read takes under a second on the mock cluster).
BENCHMARK(BareConsume)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(3);
BENCHMARK(BarePoll)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(3);
BENCHMARK(ConsumeParseBatch)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(3);
BENCHMARK(Latency)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(1);
BENCHMARK(CheckpointOffsets)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(1);

}  // namespace
}  // namespace streamml

BENCHMARK_MAIN();
