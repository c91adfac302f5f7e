// Message payloads, as a broker (Kafka) hands them: each message one CSV or JSON Lines record,
// with a key and a timestamp, in partitions, read in chunks of messages by the memory transport
// (the shape of chunk streaming/kafka hands too) and parsed one record per message.
// Input: seven control bytes (record_harness.h), then one byte: format (bit 0), partitions
// (bits 1-2, 1 to 4), messages per chunk (bits 3-5, 1 to 8); then messages separated by
// '\x1e' (ASCII record separator), each "key\x1fpayload" when it holds a '\x1f' (no key
// otherwise); a message's timestamp is its length in seconds.
#include "fuzz/record_harness.h"
#include "streaming/transports/memory_transport.h"

using namespace streamml;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  fuzz::FuzzInput in(data, size);
  const auto choices = fuzz::RecordChoices::read(in);
  const std::uint8_t shape = in.byte();
  const FileFormat format = (shape & 1) ? FileFormat::JsonLines : FileFormat::Csv;
  const std::size_t partitions = 1 + ((shape >> 1) & 3), per_chunk = 1 + ((shape >> 3) & 7);

  std::vector<std::vector<MemoryMessage>> messages(partitions);
  std::string_view rest = in.rest();
  for (std::size_t i = 0; !rest.empty(); ++i) {
    const std::size_t cut = std::min(rest.find('\x1e'), rest.size());
    std::string_view text = rest.substr(0, cut);
    rest.remove_prefix(std::min(cut + 1, rest.size()));
    MemoryMessage m;
    if (const std::size_t k = text.find('\x1f'); k != std::string_view::npos) {
      m.key = std::string(text.substr(0, k));
      text.remove_prefix(k + 1);
    }
    m.value = std::string(text);
    m.timestamp = EventTime(text.size()) * kMicrosPerSecond;
    messages[i % partitions].push_back(std::move(m));
  }
  const auto open = [&](const FormatOptions& options) {
    return open_record_source(std::make_unique<MemoryTransport>("fuzz", messages, per_chunk), format, options);
  };
  fuzz::expect_refusal_or_success([&] {
    auto source = open(choices.base());
    if (choices.any_role()) source = open(choices.with_roles(source->schema()));
    fuzz::drain(*source);
  });
  return 0;
}
