// Test helpers for the store: a temporary store root removed on destruction.
#pragma once

#include <stdlib.h>

#include <filesystem>
#include <string>

namespace postern::store::test {

struct TempRoot {
  std::string path;
  TempRoot() {
    char tmpl[] = "/tmp/postern-store-XXXXXX";
    char* p = ::mkdtemp(tmpl);
    if (!p) throw std::runtime_error("mkdtemp failed");
    path = p;
  }
  ~TempRoot() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
  std::string home(const std::string& user = "alice") const { return path + "/" + user; }
};

}  // namespace postern::store::test
