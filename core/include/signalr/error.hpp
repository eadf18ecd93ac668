#pragma once

#include <string>
#include <string_view>

namespace signalr {

/// What went wrong, in categories an application can act on.
enum class ErrorCode {
    InvalidArgument, ///< A malformed URL, argument or option.
    InvalidState,    ///< The call is not allowed in the connection's current state.
    NegotiateFailed, ///< The negotiate request failed or the server refused it.
    Unauthorized,    ///< The server answered 401/403.
    TransportFailed, ///< The WebSocket (or HTTP connection) could not be opened.
    HandshakeFailed, ///< The server rejected the handshake or answered nonsense.
    Timeout,         ///< A handshake, server or call timeout elapsed.
    ConnectionLost,  ///< The connection ended while the operation was pending.
    ServerClosed,    ///< The server sent a Close message (its error, if any, is in serverMessage).
    ProtocolError,   ///< A message violated the SignalR protocol or could not be parsed.
    HubError,        ///< The hub method failed; serverMessage holds the server's text.
    TypeMismatch,    ///< A value could not be converted to the requested C++ type.
    Cancelled,       ///< stop() was called or the connection was destroyed first.
    NotConnected,    ///< A call made while the connection is reconnecting (or connecting).
    Dropped,         ///< A queued call was evicted or rejected by the full outgoing queue, or
                     ///< discarded because the connection ended for good before it was sent.
    Internal,        ///< A bug in signalr-cpp.
};

/// Human-readable name of an error code, e.g. "ConnectionLost".
std::string_view toString(ErrorCode code) noexcept;

/// The one error type of the library: delivered through Result<T> and callbacks, never thrown.
struct Error {
    ErrorCode code = ErrorCode::Internal;
    /// A complete sentence for logs and users.
    std::string message;
    /// The server's own text, when the error came from the server (HubError, ServerClosed,
    /// HandshakeFailed, NegotiateFailed); empty otherwise.
    std::string serverMessage;

    /// "Code: message".
    std::string toString() const;

    friend bool operator==(const Error&, const Error&) = default;
};

} // namespace signalr
