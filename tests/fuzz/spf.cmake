# SPF fuzz targets (mailauth/spf). The parser and macro expander are pure
# code: the target compiles just those sources, not the coroutine evaluator.
postern_fuzzer(spf_record ${CMAKE_CURRENT_LIST_DIR}/spf_record.cpp)
target_sources(spf_record PRIVATE ${PROJECT_SOURCE_DIR}/mailauth/spf/record.cpp
                                  ${PROJECT_SOURCE_DIR}/mailauth/spf/macro.cpp)
target_include_directories(spf_record PRIVATE ${PROJECT_SOURCE_DIR})
