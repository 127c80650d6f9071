# DMARC record parser (RFC 7489 6.4) and RFC5322.From extraction.
postern_fuzzer(dmarc_record ${CMAKE_CURRENT_SOURCE_DIR}/dmarc_record.cpp postern_dmarc)
postern_fuzzer(dmarc_from ${CMAKE_CURRENT_SOURCE_DIR}/dmarc_from.cpp postern_dmarc)
