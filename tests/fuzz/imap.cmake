# IMAP fuzz targets (pure protocol code only).
if(TARGET postern_imap_proto)
  postern_fuzzer(imap_command ${CMAKE_CURRENT_SOURCE_DIR}/imap_command.cpp postern_imap_proto)
endif()
if(TARGET postern_mime)
  postern_fuzzer(imap_mime ${CMAKE_CURRENT_SOURCE_DIR}/imap_mime.cpp postern_mime)
endif()
