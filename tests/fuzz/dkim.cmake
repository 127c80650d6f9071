# DKIM fuzz targets: the verifier over whole messages, and the tag-list /
# DKIM-Signature / key record parsers.
postern_fuzzer(dkim_verify_fuzz ${CMAKE_CURRENT_SOURCE_DIR}/dkim_verify_fuzz.cpp postern_dkim)
postern_fuzzer(dkim_tags_fuzz ${CMAKE_CURRENT_SOURCE_DIR}/dkim_tags_fuzz.cpp postern_dkim)
