#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>

#include "signalr/hub_connection_builder.hpp"
#include "signalr/in_flight_options.hpp"
#include "signalr/logging.hpp"
#include "signalr/platform.hpp"
#include "url.hpp"

namespace signalr::detail {

/// Everything HubConnectionBuilder collects; the defaults are the official clients'.
struct ConnectionOptions {
    std::string url;
    HttpHeaders headers;
    HubConnectionBuilder::AccessTokenProvider accessTokenProvider;
    bool skipNegotiation = false;
    std::chrono::milliseconds handshakeTimeout{15'000};
    std::chrono::milliseconds keepAliveInterval{15'000};
    std::chrono::milliseconds serverTimeout{30'000};
    std::chrono::milliseconds negotiateTimeout{100'000};
    /// How long stop() waits for the transport to confirm the close before dropping it.
    std::chrono::milliseconds closeTimeout{5'000};
    /// Stateful reconnect: asked for in negotiate; the replay buffer's bound in bytes.
    bool statefulReconnect = false;
    std::size_t statefulReconnectBufferBytes = 100'000;
    /// Automatic reconnection is off without a policy.
    std::optional<ReconnectPolicy> reconnectPolicy;
    ReconnectOptions reconnectOptions;
    InFlightOptions inFlight;
    LogLevel logLevel = LogLevel::Warning;
    LogSink logSink;
    Platform platform;
};

} // namespace signalr::detail
