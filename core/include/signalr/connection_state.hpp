#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "signalr/error.hpp"
#include "signalr/executor.hpp"

namespace signalr {

/// Where a HubConnection is in its life. Failed means automatic reconnection gave up; it is
/// terminal until start() is called again.
enum class ConnectionState {
    Disconnected,
    Connecting,
    Connected,
    Reconnecting,
    Disconnecting,
    Failed
};

std::string_view toString(ConnectionState state) noexcept;

/// The connection's state and what goes with it, as returned by HubConnection::state(). A copy:
/// it does not change when the connection does.
struct ConnectionStateSnapshot {
    ConnectionState state = ConnectionState::Disconnected;
    /// When the state was entered, on the executor's clock.
    Executor::Clock::time_point since{};
    /// Reconnecting: the 1-based number of the attempt under way or waited for; 0 otherwise.
    std::uint32_t attempt = 0;
    /// Reconnecting while waiting for the policy's delay: when the next attempt starts.
    std::optional<Executor::Clock::time_point> nextRetryAt;
    /// Failed: the error that ended the connection for good.
    std::optional<Error> error;

    /// `conn.state() == ConnectionState::Connected`.
    friend bool operator==(const ConnectionStateSnapshot& s, ConnectionState c) {
        return s.state == c;
    }
};

} // namespace signalr
