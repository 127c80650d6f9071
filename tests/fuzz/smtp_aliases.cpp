// Fuzz target: the aliases file parser (smtp/aliases.cpp). Any input must
// either parse or throw std::runtime_error with a "file:line:" message; a
// parsed table must expand every key without crashing, and expansions stay
// bounded (no loops survive parsing).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <stdexcept>
#include <string>
#include <string_view>

#include "smtp/aliases.hpp"

using postern::smtp::AliasTable;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    AliasTable t = AliasTable::parse(text, "aliases");
    // Expand every name that appears before a colon on some line.
    size_t pos = 0;
    while (pos < text.size()) {
      size_t nl = text.find('\n', pos);
      std::string_view line = text.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos);
      size_t colon = line.find(':');
      if (colon != std::string_view::npos) {
        auto users = t.expand(line.substr(0, colon));
        if (users.size() > AliasTable::kMaxEntries * AliasTable::kMaxTargets) std::abort();
      }
      if (nl == std::string_view::npos) break;
      pos = nl + 1;
    }
    t.expand("postmaster");
  } catch (const std::runtime_error& e) {
    if (std::string_view(e.what()).rfind("aliases", 0) != 0) std::abort();  // errors name the file
  }
  return 0;
}
