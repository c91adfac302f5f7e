// Checkpoint images in memory (what a pickle holds), through load_any_checkpoint_bytes: the type
// is read from the image and a fresh object of it restored.
// Each input is loaded twice: as given (mostly refused by the user block's length and
// Fletcher-32 checksum before HDF5 reads a byte), and, when it has a user block, re-sealed
// with the length and checksum of what follows it, so altered HDF5 metadata and altered
// attributes and datasets reach HDF5's own checks and the loader's checks of every attribute
// and shape. Property: no HDF5 object stays open afterwards.
#include "algorithms/registry.h"
#include "fuzz/checkpoint_harness.h"

using namespace streamml;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  fuzz::load_as_given_and_resealed(data, size, [](const char* bytes, std::size_t n) {
    load_any_checkpoint_bytes(bytes, n, "fuzz");
  });
  return 0;
}
