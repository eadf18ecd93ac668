#pragma once

#include <memory>

#include "hub_protocol.hpp"

namespace signalr::detail {

/// Limits that protect the parser from hostile input.
struct JsonLimits {
    /// Deepest nesting of arrays/objects accepted inside one message.
    std::size_t maxDepth = 64;
    /// Largest single message (bytes between record separators) kept while waiting for its end.
    std::size_t maxMessageSize = 16 * 1024 * 1024;
};

/// The JSON hub protocol, version 1: messages are JSON objects terminated by 0x1E.
std::unique_ptr<HubProtocol> makeJsonHubProtocol(JsonLimits limits = {});

} // namespace signalr::detail
