// The 256-bit secret keys banditore uses (AES-256-GCM, HMAC-SHA256), as a
// type of its own header so code that only passes keys around needs neither
// OpenSSL nor the hash functions.
#pragma once

#include <array>
#include <cstdint>

namespace banditore::crypto {

using key = std::array<std::uint8_t, 32>;

}  // namespace banditore::crypto
