#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "signalr/result.hpp"

namespace signalr::detail {

struct AvailableTransport {
    std::string transport;                    ///< "WebSockets", "ServerSentEvents", "LongPolling"
    std::vector<std::string> transferFormats; ///< "Text", "Binary"
};

/// A parsed negotiate reply: either a redirect (url set), a server error (error set), or a
/// connection description.
struct NegotiateResponse {
    std::optional<std::string> url;
    std::optional<std::string> accessToken;
    std::optional<std::string> error;
    std::string connectionId;
    /// Normalised: equals connectionId when the server speaks negotiate version 0.
    std::string connectionToken;
    int negotiateVersion = 0;
    std::vector<AvailableTransport> availableTransports;
    bool useStatefulReconnect = false;
};

/// Parses a negotiate response body; unknown properties are ignored. A body with
/// "ProtocolVersion" is the classic ASP.NET SignalR server, reported as NegotiateFailed.
/// Missing connectionId/availableTransports (without url or error) is NegotiateFailed.
Result<NegotiateResponse> parseNegotiateResponse(std::string_view body);

} // namespace signalr::detail
