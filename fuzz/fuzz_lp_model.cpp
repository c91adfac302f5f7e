// LP models in the CPLEX LP format through streamml's own reader (algorithms/optimize/lp_format.h),
// in memory: what read_lp does with a file's content. Every input is read or refused with
// Error(InvalidInput); a model that is read has passed validate().
#include "algorithms/optimize/lp_format.h"
#include "fuzz/fuzz_input.h"

using namespace streamml;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  fuzz::expect_refusal_or_success([&] {
    const LpModel m = parse_lp(text, "fuzz");
    STREAMML_FUZZ_ASSERT(m.cols() > 0, "a model read with %lld columns", static_cast<long long>(m.cols()));
  });
  return 0;
}
