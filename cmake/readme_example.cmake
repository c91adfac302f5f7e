# streamml_readme_example(TARGET TEST START PASS): the program TARGET made of the README.md code
# block that begins with START (e.g. "```cpp\n" for the first C++ block), extracted at
# configure time and built against streamml_app; the test TEST runs it from the source folder
# and its output must match PASS (a regular expression).
function(streamml_readme_example target test start pass)
  file(READ ${PROJECT_SOURCE_DIR}/README.md readme)
  string(FIND "${readme}" "${start}" begin)
  if(begin EQUAL -1)
    message(FATAL_ERROR "README.md has no code block starting '${start}'")
  endif()
  math(EXPR begin "${begin} + 7")  # past "```cpp\n"
  string(SUBSTRING "${readme}" ${begin} -1 code)
  string(FIND "${code}" "\n```" end)
  string(SUBSTRING "${code}" 0 ${end} code)
  file(GENERATE OUTPUT ${CMAKE_CURRENT_BINARY_DIR}/${target}.cpp CONTENT "${code}\n")
  set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/README.md)
  add_executable(${target} ${CMAKE_CURRENT_BINARY_DIR}/${target}.cpp)
  target_link_libraries(${target} PRIVATE streamml_app)
  add_test(NAME ${test} COMMAND ${target} WORKING_DIRECTORY ${PROJECT_SOURCE_DIR})
  set_tests_properties(${test} PROPERTIES PASS_REGULAR_EXPRESSION "${pass}")
endfunction()
