#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "signalr/error.hpp"
#include "signalr/http_headers.hpp"

namespace signalr {

/// How frames go on the wire: Text for JSON, Binary for MessagePack.
enum class TransferFormat { Text, Binary };

/// Where and how to open a transport.
struct TransportRequest {
    /// ws:// or wss:// URL including the query (id=, access_token= when headers are unsupported).
    std::string url;
    /// Sent on the upgrade request when supportsHeaders() is true.
    HttpHeaders headers;
    TransferFormat format = TransferFormat::Text;
    std::chrono::milliseconds connectTimeout{30'000};
    /// A larger incoming message closes the transport with ProtocolError, so a hostile or broken
    /// server cannot make the client buffer without bound.
    std::size_t maxMessageSize = 64 * 1024 * 1024;
};

/// What a transport reports. Every handler runs on the executor, never inside a call of the
/// transport's own methods.
struct TransportHandlers {
    /// The connection is open; send() may be called.
    std::function<void()> onOpen;
    /// One complete WebSocket message. `data` is valid only during the call.
    std::function<void(std::string_view data)> onMessage;
    /// Exactly once per open(): after a failed open, a drop, or close(). nullopt means a clean
    /// close (WebSocket code 1000 or our own close()).
    std::function<void(std::optional<Error>)> onClose;
};

/// A message-oriented duplex connection (a WebSocket). One instance per connection attempt.
class Transport {
public:
    virtual ~Transport() = default;

    /// Executor thread only; called once.
    virtual void open(TransportRequest request, TransportHandlers handlers) = 0;
    /// Executor thread only. Queues one WebSocket message; a failure arrives through onClose.
    /// Returns an empty buffer for the caller's next message: the storage of a message sent
    /// earlier when the transport has one to spare, so that steady sending allocates nothing.
    virtual std::string send(std::string data, TransferFormat format) = 0;
    /// Executor thread only. Starts a clean close (code 1000); onClose follows unless it already
    /// fired. Destroying the transport afterwards (or instead) cancels every further callback.
    virtual void close() = 0;
    /// False in browsers: the token must then travel in the access_token query parameter.
    virtual bool supportsHeaders() const = 0;
};

} // namespace signalr
