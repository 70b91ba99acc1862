// Internal: SHA-256 of a byte string, as lowercase hex (OpenSSL's EVP digest).
#pragma once

#include <string>
#include <string_view>

namespace semblend {

std::string sha256_hex(std::string_view bytes);

}  // namespace semblend
