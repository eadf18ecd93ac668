#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "signalr/result.hpp"

namespace signalr::detail {

/// `{"protocol":"<name>","version":<v>}` followed by 0x1E.
std::string writeHandshakeRequest(std::string_view protocol, int version);

/// The result of reading the server's handshake reply from the start of a buffer.
struct HandshakeReply {
    /// Bytes consumed, including the 0x1E; 0 when the reply is not complete yet.
    std::size_t consumed = 0;
    /// The server's "error" text when it refused the handshake.
    std::optional<std::string> error;
};

/// Reads the handshake reply at the start of `data` (what follows the 0x1E belongs to the hub
/// protocol). A reply that is not a JSON object, or whose error is not a string, is a
/// ProtocolError; so is a reply that reaches 64 KiB without a 0x1E.
Result<HandshakeReply> parseHandshakeReply(std::string_view data);

} // namespace signalr::detail
