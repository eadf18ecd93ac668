#pragma once

#include <string_view>

namespace signalr {

/// Where a HubConnection is in its life.
enum class ConnectionState { Disconnected, Connecting, Connected, Reconnecting, Disconnecting };

std::string_view toString(ConnectionState state) noexcept;

} // namespace signalr
