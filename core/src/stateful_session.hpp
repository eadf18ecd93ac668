#pragma once

#include <memory>
#include <optional>

#include "message_buffer.hpp"
#include "signalr/error.hpp"
#include "signalr/transport.hpp"

namespace signalr::detail {

/// What a connection with stateful reconnect keeps for the whole logical connection: the replay
/// buffer and the transport request to reopen after a drop (same URL, same connection token).
struct StatefulSession {
    StatefulSession(std::unique_ptr<MessageBuffer> b, TransportRequest r)
        : buffer(std::move(b)), request(std::move(r)) {}

    std::unique_ptr<MessageBuffer> buffer;
    TransportRequest request;
    /// Set from the drop until the new transport opens: the error the drop reported, given to
    /// the ordinary reconnect path if the resume fails.
    std::optional<Error> resumingAfter;

    bool resuming() const { return resumingAfter.has_value(); }
};

} // namespace signalr::detail
