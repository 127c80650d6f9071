# Authentication-Results parser and forged-header remover (RFC 8601).
postern_fuzzer(authres_parse ${CMAKE_CURRENT_SOURCE_DIR}/authres_parse.cpp postern_authres postern_dmarc)
