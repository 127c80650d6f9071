# authd protocol fuzzer (server request parser, SASL, client reply parser).
# Built from the pure sources only, so the fuzzing toolchain (clang) never
# has to compile the coroutine code of the daemon.
postern_fuzzer(auth_protocol ${CMAKE_CURRENT_SOURCE_DIR}/auth_protocol.cpp postern_util)
target_sources(auth_protocol PRIVATE ${PROJECT_SOURCE_DIR}/auth/protocol.cpp ${PROJECT_SOURCE_DIR}/auth/sasl.cpp
  ${PROJECT_SOURCE_DIR}/common/authclient/wire.cpp)
target_include_directories(auth_protocol PRIVATE ${PROJECT_SOURCE_DIR})
