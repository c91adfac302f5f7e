# Every dependency is a Debian package (scripts/setup installs them); nothing is downloaded.
find_package(Eigen3 3.4 REQUIRED NO_MODULE)
find_package(TBB REQUIRED)
find_package(HDF5 REQUIRED COMPONENTS C)
find_package(simdjson REQUIRED)
find_package(FastFloat REQUIRED)
find_package(CLI11 REQUIRED)
find_package(Threads REQUIRED)
find_package(nanoflann REQUIRED)

find_package(PkgConfig REQUIRED)
pkg_check_modules(RDKAFKA REQUIRED IMPORTED_TARGET rdkafka)
pkg_check_modules(RDKAFKAXX REQUIRED IMPORTED_TARGET rdkafka++)
pkg_check_modules(ARMADILLO REQUIRED IMPORTED_TARGET armadillo)
# COIN-OR CLP (LP) and CBC (MIP, with CGL's cut generators); only streamml_algorithms links them.
pkg_check_modules(COINOR REQUIRED IMPORTED_TARGET cbc cgl osi-clp clp coinutils)
# CoinUtils' sample models (netlib afiro, brandy, ...; MIPLIB p0033, ...): the LP tests' oracles.
pkg_get_variable(STREAMML_COIN_SAMPLE_DIR coindatasample datadir)

if(STREAMML_BUILD_PYTHON)
  find_package(Python REQUIRED COMPONENTS Interpreter Development.Module NumPy)
  find_package(pybind11 CONFIG REQUIRED)
endif()
if(STREAMML_BUILD_TESTS)
  find_package(GTest CONFIG REQUIRED)
endif()
if(STREAMML_BUILD_BENCH)
  find_package(benchmark REQUIRED)
endif()
