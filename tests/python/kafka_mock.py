"""What the Kafka tests share: `streamml kafka mock` (librdkafka's mock cluster on loopback) as a
running process with its bootstrap address, and a topic read back whole by confluent-kafka."""
import signal
import subprocess
import time

from sigkill import streamml_bin


def start_mock(*topics, brokers=3):
    """Starts the mock cluster with topics "NAME:PARTITIONS"; returns (process, bootstrap)."""
    args = [streamml_bin(), "kafka", "mock", "--brokers", str(brokers)]
    for t in topics:
        args += ["--topic", t]
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, text=True)
    for line in proc.stdout:
        if line.startswith("bootstrap: "):
            return proc, line.split()[1]
    raise AssertionError("streamml kafka mock printed no bootstrap address")


def stop_mock(proc):
    proc.send_signal(signal.SIGTERM)
    proc.wait(timeout=20)


def consume_all(bootstrap, topic, partitions, timeout=60):
    """Every message of the topic from the start to its end, by confluent-kafka: a list of
    (partition, offset, key, value, headers as a dict)."""
    import confluent_kafka
    consumer = confluent_kafka.Consumer({"bootstrap.servers": bootstrap, "group.id": f"read-{topic}",
                                         "auto.offset.reset": "earliest", "enable.partition.eof": True,
                                         "enable.auto.commit": False})
    consumer.assign([confluent_kafka.TopicPartition(topic, p, confluent_kafka.OFFSET_BEGINNING)
                     for p in range(partitions)])
    out, eof = [], set()
    deadline = time.monotonic() + timeout
    while len(eof) < partitions and time.monotonic() < deadline:
        m = consumer.poll(0.5)
        if m is None:
            continue
        if m.error():
            if m.error().code() == confluent_kafka.KafkaError._PARTITION_EOF:
                eof.add(m.partition())
            continue
        headers = {k: v.decode() for k, v in (m.headers() or [])}
        out.append((m.partition(), m.offset(), m.key().decode() if m.key() else None, m.value().decode(), headers))
    consumer.close()
    assert len(eof) == partitions, f"{topic}: only partitions {sorted(eof)} reached their end"
    return out
