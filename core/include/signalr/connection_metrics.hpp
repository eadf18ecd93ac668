#pragma once

#include <chrono>
#include <cstdint>

#include "signalr/connection_state.hpp"

namespace signalr {

/// Round-trip times of completed invocations (sent to result received).
struct RttSummary {
    /// Invocations completed with a result or a hub error since the connection was built; the
    /// percentiles cover the most recent 1024 of them.
    std::uint64_t count = 0;
    std::chrono::microseconds p50{0};
    std::chrono::microseconds p99{0};
};

/// Counters of a HubConnection, read with HubConnection::metrics().
struct ConnectionMetrics {
    /// Frames handed to and received from the transport (the handshake included).
    std::uint64_t messagesSent = 0;
    std::uint64_t messagesReceived = 0;
    std::uint64_t bytesSent = 0;
    std::uint64_t bytesReceived = 0;
    /// Successful reconnects (by the policy, reconnect() or stateful reconnect).
    std::uint64_t reconnections = 0;
    ConnectionState state = ConnectionState::Disconnected;
    std::chrono::nanoseconds timeInState{0};
    /// Over the most recent 1024 completed invocations.
    RttSummary invocationRtt;
};

} // namespace signalr
