// Checkpoint files, through load_any_checkpoint (path): the file is read and checked a piece
// at a time, then opened by HDF5. Loaded as given and re-sealed, as fuzz_checkpoint_bytes.cpp.
#include "algorithms/registry.h"
#include "fuzz/checkpoint_harness.h"

using namespace streamml;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  fuzz::load_as_given_and_resealed(data, size, [](const char* bytes, std::size_t n) {
    load_any_checkpoint(fuzz::write_scratch({bytes, n}, ".h5"));
  });
  return 0;
}
