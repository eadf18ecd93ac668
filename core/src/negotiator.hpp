#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "logger.hpp"
#include "signalr/http_client.hpp"
#include "signalr/result.hpp"
#include "url.hpp"

namespace signalr::detail {

/// Where negotiation starts.
struct NegotiateRequest {
    Url base;
    HttpHeaders headers;
    std::optional<std::string> accessToken;
    std::chrono::milliseconds timeout{100'000};
    /// Adds useStatefulReconnect=true to the request.
    bool statefulReconnect = false;
};

/// Where the transport must connect after negotiation.
struct NegotiateOutcome {
    /// ws(s):// URL of the final hub with `id=<connectionToken>`.
    Url transportUrl;
    std::string connectionId;
    /// The token for the transport: a redirect's accessToken replaces the caller's.
    std::optional<std::string> accessToken;
    /// Both sides opted in to stateful reconnect.
    bool useStatefulReconnect = false;
};

/// The official clients' redirect limit.
inline constexpr int kMaxNegotiateRedirects = 100;

/// Runs negotiate, following redirects, and calls `done` once on the executor. Once
/// `abandoned()` returns true, no further request goes out and `done` is not called.
void negotiate(std::shared_ptr<HttpClient> http, NegotiateRequest request, Logger logger,
               std::function<bool()> abandoned, std::function<void(Result<NegotiateOutcome>)> done);

} // namespace signalr::detail
