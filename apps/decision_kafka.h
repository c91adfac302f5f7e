// The decision system's Kafka mode (`streamml demo --kafka mock|HOST:PORT`, `make demo-kafka`):
// each lane reads its recorded stream from a topic named after the lane instead of the file,
// and writes its decisions to a topic named after their file (clicks_scores, ...) as well as to
// the file.
//
// The recorded file is produced into the topic (message = the CSV line, key = the lane's key
// column, timestamp = its event time) by the same code as `streamml kafka produce`: all of it
// before the lane starts (speed 0), or beside the running lane at X times the recorded pace,
// the lane then reading live until the producer has flushed its last message and it has read
// up to there (KafkaSourceSettings::end_known). The lanes merge partitions by event time, so
// their batches, decisions and checkpoints depend on the topics' contents alone: a paced run,
// an unpaced one and a resumed one write the same decisions.
//
// "mock" starts librdkafka's mock cluster in this process (the real protocol on loopback; the
// topics are created here, 4 partitions for clicks and 2 for the other streams, so the lanes
// really merge partitions). Its topics end with the process, so --resume refuses it. Against another
// cluster (`streamml kafka mock` run apart, or real brokers) the topics must exist: a fresh run
// produces the streams into them and refuses a topic that already holds messages; --resume
// produces what an interrupted run's producer had not (a record's partition is a function of its
// key, and each partition holds a prefix of the records bound for it: file_producer.h), so the
// topics end holding the whole streams and the lanes go on from their checkpoints' offsets.
#pragma once

#include <atomic>
#include <exception>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "streaming/file_source.h"
#include "streaming/sinks/sink.h"

namespace streamml {

class KafkaMockCluster;

class DecisionKafka {
 public:
  // kafka: "mock" or bootstrap servers. speed: the producers' pace (0: produce first).
  DecisionKafka(const std::string& kafka, double speed, bool resume);
  ~DecisionKafka();  // stops and joins the producers
  DecisionKafka(const DecisionKafka&) = delete;
  DecisionKafka& operator=(const DecisionKafka&) = delete;

  const std::string& bootstrap() const { return bootstrap_; }
  // The lane's source: topic `lane`, CSV messages with the file's columns, parsed as `in` says,
  // each record naming the message it came from (source partition and offset, so a consumer of
  // the decisions' topic drops what a resumed run sends again: kafka_sink.h). With speed 0 the
  // file is produced into the topic here; else by start().
  std::unique_ptr<Source> source(const std::string& lane, const std::string& file, FileSourceOptions in);
  // Decisions as JSON Lines on `topic` (KafkaSink): the records' rows, or a result table's.
  std::unique_ptr<Sink> sink(const std::string& topic, std::vector<std::string> columns, std::string table = {}) const;
  // Starts the paced producers (speed > 0), one thread per lane.
  void start();
  // Joins the producers (stopped first when the lanes failed); rethrows the first one's error.
  void finish(bool lanes_failed);

 private:
  struct Feed;
  void produce(Feed& feed);
  // Per partition, the messages the topic holds (its end offsets); sets its partition count.
  std::vector<std::int64_t> held(const std::string& topic, int& partitions) const;

  std::unique_ptr<KafkaMockCluster> mock_;
  std::string bootstrap_;
  double speed_;
  bool resume_;
  std::vector<std::unique_ptr<Feed>> feeds_;
  std::vector<std::thread> producers_;
  std::atomic<bool> stop_{false};
};

}  // namespace streamml
