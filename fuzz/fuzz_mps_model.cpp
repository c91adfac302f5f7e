// LP and MIP models in the MPS format through streamml's own reader
// (algorithms/optimize/mps_format.h), in memory: what read_mps does with a file's content. Every
// input is read or refused with Error(InvalidInput); a model that is read has passed validate().
// (Until issue 17 read_mps handed files to CoinUtils 2.11's CoinMpsIO, whose card reader
// dereferenced a null pointer on damaged MARKER, RHS and BOUNDS cards found here; the inputs
// are kept in corpus/fuzz_mps_model/crash-*.)
#include "algorithms/optimize/mps_format.h"
#include "fuzz/fuzz_input.h"

using namespace streamml;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  fuzz::expect_refusal_or_success([&] {
    const LpModel m = parse_mps(text, "fuzz");
    STREAMML_FUZZ_ASSERT(m.cols() > 0 && m.col_names.size() == std::size_t(m.cols()) &&
                             m.row_names.size() == std::size_t(m.rows()),
                         "a model read with %lld columns, %zu column and %zu row names", static_cast<long long>(m.cols()),
                         m.col_names.size(), m.row_names.size());
  });
  return 0;
}
