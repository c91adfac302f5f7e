# find_package(streamml): the installed libraries as streamml::core, streamml::streaming,
# streamml::algorithms and streamml::datasets (also under their older names
# streamml::streamml_<module>), with the dependencies their static archives need at link time.
include(CMakeFindDependencyMacro)
find_dependency(Eigen3 3.4 NO_MODULE)
find_dependency(TBB)
find_dependency(simdjson)
find_dependency(FastFloat)
find_dependency(Threads)
find_dependency(nanoflann)
find_dependency(PkgConfig)
pkg_check_modules(COINOR REQUIRED IMPORTED_TARGET cbc cgl osi-clp clp coinutils)
pkg_check_modules(RDKAFKA REQUIRED IMPORTED_TARGET rdkafka)  # Kafka (streaming/kafka/)
# HDF5 through its pkg-config file rather than FindHDF5, which compiles a C test program and so
# fails in a project that enables only C++ (project(app CXX)). Only the library is needed:
# streamml's headers do not include HDF5's.
if(NOT TARGET HDF5::HDF5)
  pkg_check_modules(STREAMML_HDF5 REQUIRED IMPORTED_TARGET hdf5)
  add_library(HDF5::HDF5 INTERFACE IMPORTED)
  target_link_libraries(HDF5::HDF5 INTERFACE PkgConfig::STREAMML_HDF5)
endif()

include(${CMAKE_CURRENT_LIST_DIR}/streamml-targets.cmake)

foreach(_streamml_module core streaming algorithms datasets)
  if(NOT TARGET streamml::streamml_${_streamml_module})
    add_library(streamml::streamml_${_streamml_module} INTERFACE IMPORTED)
    target_link_libraries(streamml::streamml_${_streamml_module} INTERFACE streamml::${_streamml_module})
  endif()
endforeach()
unset(_streamml_module)
