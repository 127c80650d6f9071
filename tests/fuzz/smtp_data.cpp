// Fuzz target: the DATA reader (RFC 5321 4.1.1.4, 4.5.2, 2.3.8). The first
// byte chooses a split size; the result must equal the one-shot result, and
// an accepted message must never contain a bare CR or LF.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "smtp/data_reader.hpp"

using namespace postern::smtp;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  size_t step = 1 + data[0] % 16;
  std::string_view in(reinterpret_cast<const char*>(data) + 1, size - 1);
  DataReader whole(4096, 256);
  size_t used_whole = 0;
  whole.feed(in, &used_whole);
  DataReader split(4096, 256);
  size_t used = 0;
  for (size_t pos = 0; pos < in.size() && split.status() == DataReader::Status::need_more; pos += step) {
    size_t u = 0;
    split.feed(in.substr(pos, step), &u);
    used += u;
  }
  if (whole.status() != split.status() || whole.error() != split.error() || whole.message() != split.message() ||
      used != used_whole)
    std::abort();
  if (whole.status() == DataReader::Status::done) {
    const std::string& m = whole.message();
    for (size_t i = 0; i < m.size(); ++i) {
      if (m[i] == '\r' && (i + 1 >= m.size() || m[i + 1] != '\n')) std::abort();
      if (m[i] == '\n' && (i == 0 || m[i - 1] != '\r')) std::abort();
    }
    if (m.size() > 4096) std::abort();
  }
  return 0;
}
