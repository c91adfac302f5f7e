# Sanitizer and fuzzing builds (opt-in; the normal build is untouched). Each goes in its own
# build folder, configured by the Makefile (`make test-sanitize`, `make fuzz`):
#   STREAMML_SANITIZE=address,undefined  or  thread: every streamml target is compiled with it,
#     at -O1 -g with frame pointers, and stops at the first report (no recovery).
#   STREAMML_FUZZ=ON: also builds the libFuzzer targets in fuzz/ (clang only); the libraries get
#     libFuzzer's coverage instrumentation (fuzzer-no-link) so the fuzzers see inside them.
# Flags go on this directory's targets only (add_compile_options), never on the dependencies.
set(STREAMML_SANITIZE "" CACHE STRING "Sanitizers for every streamml target: address,undefined or thread")
option(STREAMML_FUZZ "Build the libFuzzer targets in fuzz/ (clang; ASan + UBSan)" OFF)

if(STREAMML_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    message(FATAL_ERROR "STREAMML_FUZZ needs clang (libFuzzer), got ${CMAKE_CXX_COMPILER_ID}")
  endif()
  if(STREAMML_SANITIZE STREQUAL "")
    set(STREAMML_SANITIZE "address,undefined" CACHE STRING "" FORCE)
  endif()
  add_compile_options(-fsanitize=fuzzer-no-link)
endif()

if(NOT STREAMML_SANITIZE STREQUAL "")
  add_compile_options(-fsanitize=${STREAMML_SANITIZE} -fno-sanitize-recover=all
                      -O1 -g -fno-omit-frame-pointer)
  add_link_options(-fsanitize=${STREAMML_SANITIZE})
endif()
