#include "browser_websocket_transport.hpp"

#include <emscripten/websocket.h>

#include "signalr/result.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>

extern "C" {
// transport-wasm/src/signalr_browser.js
void signalr_websocket_forget(int socket);
int signalr_websocket_send_text(int socket, const char* data, std::size_t length);
void signalr_websocket_receive(int socket, void (*callback)(void*, const char*, std::uint32_t, int),
                               void* data);
}

namespace signalr::detail {

/// One WebSocket and its handlers. The browser's callbacks reach it through a raw pointer that
/// stays valid because teardown() deletes the browser object (and so its handlers) before this
/// object can die; each callback holds a strong reference while it runs, so a handler may
/// destroy the transport.
class BrowserWebSocketTransport::Socket : public std::enable_shared_from_this<Socket> {
public:
    explicit Socket(std::shared_ptr<Executor> executor) : executor_(std::move(executor)) {}
    ~Socket() { teardown(); }

    void open(TransportRequest request, TransportHandlers handlers);
    void send(const std::string& data, TransferFormat format);
    void close();
    /// The transport is going away: no callback from now on.
    void detach();

private:
    void teardown();

    enum class State { Idle, Connecting, Open, Closing, Closed };

    static EM_BOOL onOpen(int, const EmscriptenWebSocketOpenEvent*, void* self);
    static void onMessage(void* self, const char* bytes, std::uint32_t length, int isText);
    static EM_BOOL onError(int, const EmscriptenWebSocketErrorEvent*, void* self);
    static EM_BOOL onClose(int, const EmscriptenWebSocketCloseEvent* event, void* self);

    /// Reports the close (once) and lets the browser's WebSocket go.
    void finish(std::optional<Error> error);
    /// finish() from a later executor turn: for failures found inside our own methods.
    void finishSoon(Error error);
    std::optional<Error> closeResult(const EmscriptenWebSocketCloseEvent& event) const;

    std::shared_ptr<Executor> executor_;
    TransportHandlers handlers_;
    std::string url_;
    std::size_t maxMessageSize_ = 0;
    EMSCRIPTEN_WEBSOCKET_T socket_ = 0;
    State state_ = State::Idle;
    bool sawError_ = false;
    Executor::TimerId connectTimer_ = 0;
};

void BrowserWebSocketTransport::Socket::open(TransportRequest request, TransportHandlers handlers) {
    handlers_ = std::move(handlers);
    url_ = std::move(request.url);
    maxMessageSize_ = request.maxMessageSize;
    state_ = State::Connecting;

    EmscriptenWebSocketCreateAttributes attributes;
    emscripten_websocket_init_create_attributes(&attributes);
    attributes.url = url_.c_str();
    attributes.protocols = nullptr;
    attributes.createOnMainThread = EM_TRUE;
    const EMSCRIPTEN_WEBSOCKET_T socket = emscripten_websocket_new(&attributes);
    if (socket <= 0) {
        // The WebSocket constructor threw (a malformed URL, a blocked port) or there is none.
        finishSoon(fail(ErrorCode::TransportFailed,
                        "cannot open a WebSocket to " + url_ +
                            " (emscripten_websocket_new: " + std::to_string(socket) + ")"));
        return;
    }
    socket_ = socket;
    emscripten_websocket_set_onopen_callback(socket_, this, &Socket::onOpen);
    signalr_websocket_receive(socket_, &Socket::onMessage, this);
    emscripten_websocket_set_onerror_callback(socket_, this, &Socket::onError);
    emscripten_websocket_set_onclose_callback(socket_, this, &Socket::onClose);

    if (request.connectTimeout.count() > 0) {
        std::weak_ptr<Socket> weak = weak_from_this();
        const auto timeout = request.connectTimeout;
        connectTimer_ = executor_->schedule(timeout, [weak, timeout] {
            auto self = weak.lock();
            if (!self || self->state_ != State::Connecting) {
                return;
            }
            self->connectTimer_ = 0;
            self->finish(fail(ErrorCode::TransportFailed, "the WebSocket connection to " +
                                                              self->url_ + " did not open within " +
                                                              std::to_string(timeout.count()) +
                                                              " ms"));
        });
    }
}

void BrowserWebSocketTransport::Socket::send(const std::string& data, TransferFormat format) {
    if (state_ != State::Open) {
        return; // the close is reported (or already was) through onClose
    }
    EMSCRIPTEN_RESULT result = EMSCRIPTEN_RESULT_SUCCESS;
    if (format == TransferFormat::Text) {
        if (signalr_websocket_send_text(socket_, data.data(), data.size()) == 0) {
            result = EMSCRIPTEN_RESULT_FAILED;
        }
    } else {
        result = emscripten_websocket_send_binary(socket_, const_cast<char*>(data.data()),
                                                  static_cast<std::uint32_t>(data.size()));
    }
    if (result != EMSCRIPTEN_RESULT_SUCCESS) {
        finishSoon(fail(ErrorCode::ConnectionLost, "sending on the WebSocket to " + url_ +
                                                       " failed (" + std::to_string(result) + ")"));
    }
}

void BrowserWebSocketTransport::Socket::close() {
    if (state_ == State::Connecting || state_ == State::Open) {
        state_ = State::Closing;
        emscripten_websocket_close(socket_, 1000, "");
    }
}

void BrowserWebSocketTransport::Socket::teardown() {
    if (connectTimer_ != 0) {
        executor_->cancel(connectTimer_);
        connectTimer_ = 0;
    }
    if (socket_ > 0) {
        unsigned short readyState = 0;
        emscripten_websocket_get_ready_state(socket_, &readyState);
        if (readyState == 0 || readyState == 1) { // CONNECTING or OPEN
            emscripten_websocket_close(socket_, 1000, "");
        }
        emscripten_websocket_delete(socket_);
        signalr_websocket_forget(socket_);
        socket_ = 0;
    }
    // handlers_ stay: one of them may be running right now (and destroying the transport).
}

void BrowserWebSocketTransport::Socket::detach() {
    state_ = State::Closed;
    teardown();
}

void BrowserWebSocketTransport::Socket::finish(std::optional<Error> error) {
    if (state_ == State::Closed) {
        return;
    }
    state_ = State::Closed;
    auto onClose = std::move(handlers_.onClose);
    teardown();
    if (onClose) {
        onClose(std::move(error));
    }
}

void BrowserWebSocketTransport::Socket::finishSoon(Error error) {
    std::weak_ptr<Socket> weak = weak_from_this();
    executor_->post([weak, error = std::move(error)]() mutable {
        if (auto self = weak.lock()) {
            self->finish(std::move(error));
        }
    });
}

EM_BOOL BrowserWebSocketTransport::Socket::onOpen(int, const EmscriptenWebSocketOpenEvent*,
                                                  void* data) {
    auto self = static_cast<Socket*>(data)->shared_from_this();
    if (self->state_ != State::Connecting) {
        return EM_TRUE;
    }
    if (self->connectTimer_ != 0) {
        self->executor_->cancel(self->connectTimer_);
        self->connectTimer_ = 0;
    }
    self->state_ = State::Open;
    if (self->handlers_.onOpen) {
        self->handlers_.onOpen();
    }
    return EM_TRUE;
}

void BrowserWebSocketTransport::Socket::onMessage(void* data, const char* bytes,
                                                  std::uint32_t length, int) {
    auto self = static_cast<Socket*>(data)->shared_from_this();
    if (self->state_ != State::Open) {
        return;
    }
    if (length > self->maxMessageSize_) {
        self->finish(
            fail(ErrorCode::ProtocolError, "the server sent a WebSocket message larger than " +
                                               std::to_string(self->maxMessageSize_) + " bytes"));
        return;
    }
    if (self->handlers_.onMessage) {
        self->handlers_.onMessage(std::string_view(bytes, length));
    }
}

EM_BOOL BrowserWebSocketTransport::Socket::onError(int, const EmscriptenWebSocketErrorEvent*,
                                                   void* data) {
    // The browser tells nothing more; onclose follows with the code.
    static_cast<Socket*>(data)->sawError_ = true;
    return EM_TRUE;
}

EM_BOOL BrowserWebSocketTransport::Socket::onClose(int, const EmscriptenWebSocketCloseEvent* event,
                                                   void* data) {
    auto self = static_cast<Socket*>(data)->shared_from_this();
    self->finish(self->closeResult(*event));
    return EM_TRUE;
}

std::optional<Error>
BrowserWebSocketTransport::Socket::closeResult(const EmscriptenWebSocketCloseEvent& event) const {
    if (state_ == State::Closing) {
        return std::nullopt; // our own close()
    }
    if (state_ == State::Connecting) {
        // Browsers hide why (refused, DNS, TLS, HTTP status of the upgrade): code 1006.
        return fail(ErrorCode::TransportFailed, "the WebSocket connection to " + url_ +
                                                    " could not be opened (code " +
                                                    std::to_string(event.code) + ")");
    }
    if (event.code == 1000 && !sawError_) {
        return std::nullopt;
    }
    std::string message = "the server closed the WebSocket with code " + std::to_string(event.code);
    if (event.code == 1006) {
        message = "the WebSocket connection to " + url_ + " was lost";
    }
    if (event.reason[0] != '\0') {
        message += ": ";
        message += event.reason;
    }
    return fail(ErrorCode::ConnectionLost, std::move(message));
}

BrowserWebSocketTransport::BrowserWebSocketTransport(std::shared_ptr<Executor> executor)
    : socket_(std::make_shared<Socket>(std::move(executor))) {}

BrowserWebSocketTransport::~BrowserWebSocketTransport() {
    socket_->detach();
}

void BrowserWebSocketTransport::open(TransportRequest request, TransportHandlers handlers) {
    socket_->open(std::move(request), std::move(handlers));
}

std::string BrowserWebSocketTransport::send(std::string data, TransferFormat format) {
    socket_->send(data, format);
    // The browser copied the bytes: the storage goes back to the caller for its next message.
    data.clear();
    return data;
}

void BrowserWebSocketTransport::close() {
    socket_->close();
}

} // namespace signalr::detail
