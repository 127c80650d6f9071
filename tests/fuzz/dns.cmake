# DNS fuzz targets (common/dns). The rdata decoder is pure code: the target
# compiles just that source, without Asio or libunbound.
postern_fuzzer(dns_rdata ${CMAKE_CURRENT_LIST_DIR}/dns_rdata.cpp)
target_sources(dns_rdata PRIVATE ${PROJECT_SOURCE_DIR}/common/dns/wire.cpp)
target_include_directories(dns_rdata PRIVATE ${PROJECT_SOURCE_DIR})
