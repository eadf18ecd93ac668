#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "signalr/hub_connection.hpp"
#include "signalr/in_flight_options.hpp"
#include "signalr/logging.hpp"
#include "signalr/platform.hpp"
#include "signalr/reconnect_policy.hpp"
#include "signalr/result.hpp"

namespace signalr {

namespace detail {
struct ConnectionOptions;
} // namespace detail

/// Configures and builds a HubConnection, mirroring the JavaScript client's builder:
/// `HubConnectionBuilder().withUrl("http://host/hub").build()`.
class HubConnectionBuilder {
public:
    /// Returns a fresh access token; called on the executor before every negotiate and
    /// connection attempt. An error fails the start with that error.
    using AccessTokenProvider = std::function<Result<std::string>()>;

    /// Where build() gets whatever withPlatform() did not provide.
    using PlatformFactory = Platform (*)();

    /// A builder for this build's platform: defaultPlatform(), defined by the transport library
    /// that `signalr::client` links. The reference is made here, in the application's code, so
    /// the core library itself never depends on a transport.
    HubConnectionBuilder() : HubConnectionBuilder(&defaultPlatform) {}
    /// A builder whose fallback platform comes from `fallback` (called by build() only when
    /// withPlatform() left something out; may be null, then build() needs withPlatform()).
    explicit HubConnectionBuilder(PlatformFactory fallback);
    HubConnectionBuilder(HubConnectionBuilder&&) noexcept;
    HubConnectionBuilder& operator=(HubConnectionBuilder&&) noexcept;
    ~HubConnectionBuilder();

    /// The hub's http(s):// URL (ws(s):// with skipNegotiation). A query string is kept on
    /// every request.
    HubConnectionBuilder& withUrl(std::string url);
    /// Adds a header to negotiate and to the WebSocket upgrade (browsers cannot send it on the
    /// upgrade).
    HubConnectionBuilder& withHeader(std::string name, std::string value);
    /// Sends `Authorization: Bearer <token>` (or `access_token=` where headers are impossible).
    HubConnectionBuilder& withAccessTokenProvider(AccessTokenProvider provider);
    /// Connects the WebSocket directly, without negotiate (the server must allow it).
    HubConnectionBuilder& skipNegotiation(bool skip = true);
    /// How long the server may take to answer the handshake (default 15 s; zero disables).
    HubConnectionBuilder& withHandshakeTimeout(std::chrono::milliseconds timeout);
    /// Sends a Ping after this long without sending anything (default 15 s; zero disables).
    HubConnectionBuilder& withKeepAliveInterval(std::chrono::milliseconds interval);
    /// Closes the connection after this long without receiving anything (default 30 s; zero
    /// disables).
    HubConnectionBuilder& withServerTimeout(std::chrono::milliseconds timeout);
    /// Bounds each negotiate request (default 100 s, as the official clients; zero disables).
    HubConnectionBuilder& withNegotiateTimeout(std::chrono::milliseconds timeout);
    /// Asks the server for stateful reconnect (it must map the hub with AllowStatefulReconnects):
    /// after a network drop the same connection resumes on a new WebSocket, with its connection
    /// id, pending calls and streams, and no message lost or duplicated. Sent messages are kept
    /// until the server acknowledges them, at most `bufferBytes` of them: beyond that, sends wait
    /// (their completion comes later) instead of being dropped. If the resume fails, the
    /// automatic-reconnect policy, if any, takes over with a new connection.
    HubConnectionBuilder& withStatefulReconnect(std::size_t bufferBytes = 100'000);
    /// Reconnects a lost connection with ReconnectPolicy::defaultDelays() (0, 2, 10, 30 s).
    /// Without this (or the overload) a lost connection ends in Disconnected.
    HubConnectionBuilder& withAutomaticReconnect();
    /// Reconnects a lost connection as `policy` says; when it gives up the state is Failed.
    HubConnectionBuilder& withAutomaticReconnect(ReconnectPolicy policy);
    /// Whether the server's allowReconnect is honoured and whether start() is retried too.
    HubConnectionBuilder& withReconnectOptions(ReconnectOptions options);
    /// What happens to pending, streaming and new calls while the connection is lost.
    HubConnectionBuilder& withInFlightOptions(InFlightOptions options);
    /// Log lines at `level` and above go to `sink` (stderr when empty). Default: Warning.
    HubConnectionBuilder& configureLogging(LogLevel level, LogSink sink = {});
    /// Replaces the executor, HTTP client and transport (tests, custom event loops).
    HubConnectionBuilder& withPlatform(Platform platform);

    /// Builds the connection. The URL is checked here: a malformed one gives InvalidArgument.
    Result<HubConnection> build();

private:
    std::unique_ptr<detail::ConnectionOptions> options_;
    PlatformFactory fallbackPlatform_ = nullptr;
};

} // namespace signalr
