// LP and MIP models from MPS files (algorithms/optimize/model_io.h): read_mps through CoinMpsIO,
// then streamml's own checks (OBJSENSE, validate()). Input: the file.
// (LP files: fuzz_lp_model. CoinLpIO 2.11 corrupted memory on malformed LP text found here,
// "Minimize\n obj: +\nSubject To\n  To\n c: x >= nd\n", a memcpy of negative size in
// CoinLpIO::fscanfLpIO, so read_lp now uses streamml's own reader; test_lp_format.cpp.)
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
