// CSV records from a file, cut into chunks by the file transport and parsed by CsvFormat.
// Input: seven control bytes (record_harness.h), one for the chunk size, then the file.
#include "fuzz/record_harness.h"
#include "streaming/transports/file_transport.h"

using namespace streamml;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  fuzz::FuzzInput in(data, size);
  const auto choices = fuzz::RecordChoices::read(in);
  const std::size_t chunk_bytes = 16 + 16 * std::size_t(in.byte());  // small: many chunk cuts
  const std::string& path = fuzz::write_scratch(in.rest(), ".csv");
  const auto open = [&](const FormatOptions& options) {
    return open_record_source(std::make_unique<FileTransport>(path, Framing::QuotedLines, chunk_bytes),
                              FileFormat::Csv, options);
  };
  fuzz::expect_refusal_or_success([&] {
    auto source = open(choices.base());
    if (choices.any_role()) source = open(choices.with_roles(source->schema()));
    fuzz::drain(*source);
  });
  return 0;
}
