// Small string helpers shared by every protocol. Pure functions, no I/O.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace postern::util {

bool iequals(std::string_view a, std::string_view b);
bool istarts_with(std::string_view s, std::string_view prefix);
std::string to_lower(std::string_view s);
std::string to_upper(std::string_view s);
std::string_view trim(std::string_view s);  // ASCII space and tab
std::vector<std::string_view> split(std::string_view s, char sep);
// RFC 4648 base64. decode returns nullopt on any invalid character or padding.
std::string base64_encode(std::string_view data);
std::optional<std::string> base64_decode(std::string_view text);
// Hex of bytes, lowercase.
std::string hex(std::string_view bytes);

}  // namespace postern::util
