// LP and MIP models from MPS files (algorithms/optimize/model_io.h): read_mps through CoinMpsIO,
// then streamml's own checks (OBJSENSE, validate()). Input: the file.
//
// CPLEX LP files (read_lp) are left out: CoinLpIO 2.11 corrupts memory on malformed LP text it
// is handed (found here within a minute, e.g. "Minimize\n obj: +\nSubject To\n  To\n c: x >= nd\n":
// a memcpy of negative size in CoinLpIO::fscanfLpIO), which read_lp cannot prevent while it
// passes unchecked text to CoinLpIO; see the report on issue 17.
#include "algorithms/optimize/model_io.h"
#include "fuzz/fuzz_input.h"

using namespace streamml;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string& path = fuzz::write_scratch({reinterpret_cast<const char*>(data), size}, ".mps");
  fuzz::expect_refusal_or_success([&] {
    const LpModel m = read_mps(path);
    m.validate();
  });
  return 0;
}
