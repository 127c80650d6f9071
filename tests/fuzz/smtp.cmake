# SMTP fuzz targets: command lines through the protocol, and the DATA reader.
postern_fuzzer(smtp_command ${CMAKE_CURRENT_SOURCE_DIR}/smtp_command.cpp postern_smtp_core)
postern_fuzzer(smtp_data ${CMAKE_CURRENT_SOURCE_DIR}/smtp_data.cpp postern_smtp_core)
postern_fuzzer(smtp_aliases ${CMAKE_CURRENT_SOURCE_DIR}/smtp_aliases.cpp postern_smtp_core)
