#pragma once

#include <memory>

#include "signalr/transport.hpp"

namespace signalr::detail {

class LoopCore;
class WebSocketSession;

/// The native Transport: a libwebsockets client WebSocket (ws:// and wss://) on a LoopCore.
///
/// The object is only a handle: the connection's state lives in a WebSocketSession that lws
/// reaches through the wsi's opaque user data. Destroying the transport detaches the session
/// (no handler runs afterwards) and closes the socket cleanly in the background.
class WebSocketTransport final : public Transport {
public:
    explicit WebSocketTransport(std::shared_ptr<LoopCore> loop);
    ~WebSocketTransport() override;

    WebSocketTransport(const WebSocketTransport&) = delete;
    WebSocketTransport& operator=(const WebSocketTransport&) = delete;

    void open(TransportRequest request, TransportHandlers handlers) override;
    std::string send(std::string data, TransferFormat format) override;
    void close() override;
    bool supportsHeaders() const override { return true; }

private:
    std::shared_ptr<LoopCore> loop_;
    std::shared_ptr<WebSocketSession> session_;
};

} // namespace signalr::detail
