#pragma once

#include <memory>

#include "signalr/executor.hpp"
#include "signalr/transport.hpp"

namespace signalr::detail {

/// Transport over the browser's WebSocket (emscripten/websocket.h). Browsers cannot set headers
/// on the upgrade request, so supportsHeaders() is false and the core sends the access token in
/// the access_token query parameter.
class BrowserWebSocketTransport final : public Transport {
public:
    explicit BrowserWebSocketTransport(std::shared_ptr<Executor> executor);
    /// Closes the socket (if open) and cancels every further callback.
    ~BrowserWebSocketTransport() override;

    void open(TransportRequest request, TransportHandlers handlers) override;
    std::string send(std::string data, TransferFormat format) override;
    void close() override;
    bool supportsHeaders() const override { return false; }

    class Socket;

private:
    std::shared_ptr<Socket> socket_;
};

} // namespace signalr::detail
