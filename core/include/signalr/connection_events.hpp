#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "signalr/error.hpp"

namespace signalr {

/// Why a live connection ended.
enum class DisconnectKind {
    UserRequested, ///< stop() (or the HubConnection was destroyed).
    ServerClosed,  ///< The server sent a Close message.
    NetworkError,  ///< The transport dropped, a protocol error, or reconnect() was called.
    Timeout,       ///< Nothing arrived within the server timeout.
};

/// What onDisconnected reports.
struct DisconnectReason {
    DisconnectKind kind = DisconnectKind::UserRequested;
    /// The error (the server's Close text, the network error...); nullopt for stop() and a
    /// server Close without an error.
    std::optional<Error> error;
    /// ServerClosed: the server allows the client to reconnect.
    bool allowReconnect = false;
};

/// Connection events as one interface: override what you need. Every method runs on the
/// connection's executor, after the state changed, outside any lock; it may call stop().
class ConnectionEventHandler {
public:
    virtual ~ConnectionEventHandler() = default;
    /// start() began (state Connecting).
    virtual void onConnecting() {}
    /// start() succeeded (state Connected).
    virtual void onConnected([[maybe_unused]] const std::optional<std::string>& connectionId) {}
    /// A live connection ended (before any reconnecting).
    virtual void onDisconnected([[maybe_unused]] const DisconnectReason& reason) {}
    /// Attempt `attempt` (1-based) is about to be made or waited for; `reason` is why the
    /// connection or the previous attempt failed.
    virtual void onReconnecting([[maybe_unused]] std::uint32_t attempt,
                                [[maybe_unused]] const Error& reason) {}
    /// Attempt `attempt` succeeded (state Connected).
    virtual void onReconnected([[maybe_unused]] std::uint32_t attempt,
                               [[maybe_unused]] const std::optional<std::string>& connectionId) {}
    /// The policy gave up (state Failed); onClosed follows.
    virtual void onReconnectFailed([[maybe_unused]] const Error& error) {}
};

/// Identifies one handler added with HubConnection::addEventHandler() or an on*() event method.
using EventSubscription = std::uint64_t;

} // namespace signalr
