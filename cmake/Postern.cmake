# Project-wide compile flags and the helper every folder uses to declare a library.
add_compile_options(-Wall -Wextra -Werror -Wno-missing-field-initializers)
# g++ 12 at -O2 reports false positives: -Wmismatched-new-delete on every
# coroutine frame, and -Wrestrict inside std::string (GCC bug 105329).
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
  add_compile_options(-Wno-mismatched-new-delete -Wno-restrict)
endif()
if(POSTERN_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
  add_link_options(-fsanitize=address,undefined)
endif()
if(POSTERN_FUZZ)
  add_compile_options(-fsanitize=fuzzer-no-link,address,undefined)
  add_link_options(-fsanitize=address,undefined)
endif()

# postern_library(NAME DIR LIBS...): a static library from every .cpp in DIR
# (not recursive), public include root = repository root.
function(postern_library name dir)
  file(GLOB _srcs CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/${dir}/*.cpp)
  if(_srcs)
    add_library(${name} STATIC ${_srcs})
    target_include_directories(${name} PUBLIC ${PROJECT_SOURCE_DIR})
    target_link_libraries(${name} PUBLIC ${ARGN})
  else()
    add_library(${name} INTERFACE)
    target_include_directories(${name} INTERFACE ${PROJECT_SOURCE_DIR})
    target_link_libraries(${name} INTERFACE ${ARGN})
  endif()
endfunction()

# postern_test(NAME LIBS...): a GoogleTest binary from every .cpp in the
# current source dir, registered with ctest.
include(GoogleTest)
function(postern_test name)
  file(GLOB _srcs CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/*.cpp)
  add_executable(${name} ${_srcs})
  target_link_libraries(${name} PRIVATE ${ARGN} GTest::gtest GTest::gtest_main GTest::gmock)
  target_compile_definitions(${name} PRIVATE
    POSTERN_SOURCE_DIR="${PROJECT_SOURCE_DIR}" POSTERN_BINARY_DIR="${PROJECT_BINARY_DIR}")
  gtest_discover_tests(${name} DISCOVERY_TIMEOUT 60 PROPERTIES LABELS unit)
endfunction()

# postern_fuzzer(NAME SOURCE LIBS...): a libFuzzer target when POSTERN_FUZZ is on;
# otherwise the same source is linked with a driver that replays the corpus
# directory tests/fuzz/corpus/NAME (so every fuzzer compiles and runs in CI).
function(postern_fuzzer name src)
  if(POSTERN_FUZZ)
    add_executable(${name} ${src})
    target_link_options(${name} PRIVATE -fsanitize=fuzzer)
  else()
    add_executable(${name} ${src} ${PROJECT_SOURCE_DIR}/tests/fuzz/replay_main.cpp)
    set(_corpus ${PROJECT_SOURCE_DIR}/tests/fuzz/corpus/${name})
    add_test(NAME fuzz_replay_${name} COMMAND ${name} ${_corpus})
    set_tests_properties(fuzz_replay_${name} PROPERTIES LABELS fuzz)
  endif()
  target_link_libraries(${name} PRIVATE ${ARGN})
endfunction()
