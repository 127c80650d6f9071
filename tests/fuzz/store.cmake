# Store fuzz targets (common/store).
postern_fuzzer(store_maildir_name ${CMAKE_CURRENT_SOURCE_DIR}/store_maildir_name.cpp postern_store)
