#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "signalr/value.hpp"

namespace signalr::detail {

/// Standard Base64 with padding, as .NET writes byte[] in JSON.
std::string base64Encode(const Bytes& bytes);
/// Accepts standard Base64 with or without padding; nullopt on any invalid character or length.
std::optional<Bytes> base64Decode(std::string_view text);

} // namespace signalr::detail
