#include "websocket_transport.hpp"

#include <algorithm>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "loop_core.hpp"
#include "lws_client.hpp"
#include "lws_limits.hpp"
#include "url.hpp"

namespace signalr::detail {

namespace {

/// Spare buffers of written messages kept per connection, and the largest one kept: enough for
/// a stream of small messages without holding much memory on an idle connection.
constexpr std::size_t kSpareBuffers = 4;
constexpr std::size_t kSpareCapacity = 4 * 1024;
/// The receive buffer is released once delivered if it grew beyond this.
constexpr std::size_t kRetainedReceived = 16 * 1024;
/// Queue slots kept once a burst of sends has been written.
constexpr std::size_t kRetainedOutgoing = 64;
/// A frame buffer above this size is released once the queue is empty.
constexpr std::size_t kRetainedFrameCapacity = 4 * 1024;

/// A whole text message that ends with the SignalR record separator (0x1E) carries its own
/// boundary, so several of them may share one WebSocket frame: the hub splits them again. That
/// saves a frame, a writeable callback and a send() per message when calls are pipelined.
bool selfDelimited(const std::string& data, bool binary) {
    return !binary && !data.empty() && data.back() == '\x1e';
}

} // namespace

/// The state of one WebSocket connection attempt, shared by the WebSocketTransport handle, the
/// wsi (through its opaque user data) and the tasks that deliver events. Loop thread only.
class WebSocketSession final : public LwsConnection {
public:
    explicit WebSocketSession(std::weak_ptr<LoopCore> loop) : loop_(std::move(loop)) {}

    void open(TransportRequest request, TransportHandlers handlers);
    std::string send(std::string data, TransferFormat format);
    void close();
    /// The transport is gone: no handler runs from now on; an open socket closes cleanly.
    void detach();

    int onLwsCallback(lws* wsi, lws_callback_reasons reason, void* user, void* in,
                      std::size_t len) override;

private:
    enum class State { Idle, Connecting, Open, Closing, Closed };

    /// One outgoing message, as the caller handed it over (no copy when queued). Written in
    /// pieces (WebSocket fragments) of at most kWriteChunkSize through frame_.
    struct Outgoing {
        std::string data;
        std::size_t offset = 0; ///< payload bytes written so far
        bool binary = false;
    };

    std::shared_ptr<WebSocketSession> self() {
        return std::static_pointer_cast<WebSocketSession>(shared_from_this());
    }

    void finish(std::optional<Error> error);
    void startClose();
    void onTimer();
    void killSocket();
    void cancelTimer();
    void releaseHandlersIfIdle();
    int writeNext(lws* wsi);
    void queueReceived();
    void deliverReceived();
    /// Where the message being reassembled starts in received_.
    std::size_t receivedComplete() const {
        return receivedEnds_.empty() ? 0 : receivedEnds_.back();
    }
    std::string spareBuffer();
    /// Keeps an emptied message buffer (received or sent) for reuse, if small and few are kept.
    void recycle(std::string buffer);
    Error connectError(lws* wsi, const void* in, std::size_t len) const;
    std::optional<Error> closeResult() const;

    /// Runs `call(handlers)` as a task on the loop unless the transport is gone by then.
    /// `last` marks the onClose task, after which the handlers are released.
    template <class F>
    void deliver(F call, bool last = false);

    std::weak_ptr<LoopCore> loop_;
    State state_ = State::Idle;
    lws* wsi_ = nullptr;
    TransportHandlers handlers_;
    bool detached_ = false;
    bool closeDelivered_ = false;
    int handlerDepth_ = 0;

    ClientEndpoint endpoint_;
    HttpHeaders headers_;
    std::string displayUrl_; ///< for messages, with access_token redacted
    std::chrono::milliseconds connectTimeout_{0};
    Executor::TimerId timer_ = 0;

    /// Messages not yet written, oldest first from outgoingHead_. A vector emptied once all are
    /// written keeps its storage (a deque allocates a node every few messages).
    std::vector<Outgoing> outgoing_;
    std::size_t outgoingHead_ = 0;
    /// LWS_PRE bytes of headroom, then the piece being written (lws masks it in place).
    /// Reused from write to write.
    std::string frame_;
    /// Received bytes: whole messages waiting for the task that hands them to onMessage (each
    /// ends at the next offset in receivedEnds_), then the message being reassembled. One
    /// buffer for any number of messages, kept from batch to batch: receiving allocates nothing
    /// in steady state, however many messages one service round reads.
    std::string received_;
    std::vector<std::size_t> receivedEnds_;
    bool receivedTaskPosted_ = false;
    /// Emptied buffers of written messages, kept for the caller's next ones (send() returns one).
    std::vector<std::string> spare_;
    std::size_t maxMessageSize_ = 0;
    bool receiving_ = false;

    std::optional<int> peerCloseCode_;
    std::string peerCloseReason_;
    std::string certificateError_;
    int upgradeStatus_ = 0;
    bool headersTooLarge_ = false;
    bool closeFrameQueued_ = false;
};

// ---- WebSocketSession: the calls of the transport --------------------------------------------

void WebSocketSession::open(TransportRequest request, TransportHandlers handlers) {
    if (state_ != State::Idle) {
        return;
    }
    handlers_ = std::move(handlers);
    state_ = State::Connecting;

    auto loop = loop_.lock();
    if (!loop || loop->context() == nullptr) {
        finish(fail(ErrorCode::TransportFailed, "the event loop has stopped"));
        return;
    }
    maxMessageSize_ = request.maxMessageSize;
    auto url = parseUrl(request.url);
    if (!url) {
        finish(url.error());
        return;
    }
    auto wsUrl = toWebSocketUrl(std::move(url).value());
    displayUrl_ = redactUrl(wsUrl.toString());
    if (auto invalid = validateHeaders(request.headers)) {
        finish(std::move(*invalid));
        return;
    }
    endpoint_ = makeEndpoint(std::move(wsUrl));
    headers_ = std::move(request.headers);
    connectTimeout_ = request.connectTimeout;

    std::weak_ptr<WebSocketSession> weak = self();
    timer_ = loop->schedule(connectTimeout_, [weak] {
        if (auto session = weak.lock()) {
            session->timer_ = 0;
            session->onTimer();
        }
    });

    lws_client_connect_info info;
    fillConnectInfo(info, loop->context(), endpoint_,
                    static_cast<void*>(static_cast<LwsConnection*>(this)));
    retainForLws();
    lws* wsi = lws_client_connect_via_info(&info);
    if (wsi == nullptr) {
        // lws freed the wsi (and suppressed CONNECTION_ERROR) before returning.
        wsi_ = nullptr;
        releaseFromLws();
        finish(fail(ErrorCode::TransportFailed,
                    "WebSocket connection to " + displayUrl_ +
                        " failed: the connection could not be started (address resolution "
                        "or socket setup failed)"));
        return;
    }
    wsi_ = wsi;
}

std::string WebSocketSession::send(std::string data, TransferFormat format) {
    if (state_ == State::Closing || state_ == State::Closed) {
        data.clear();
        return data; // the failure, if any, arrives through onClose
    }
    outgoing_.push_back(Outgoing{std::move(data), 0, format == TransferFormat::Binary});
    if (state_ == State::Open && wsi_ != nullptr) {
        lws_callback_on_writable(wsi_);
    }
    return spareBuffer();
}

void WebSocketSession::close() {
    switch (state_) {
    case State::Connecting:
        finish(std::nullopt);
        killSocket();
        break;
    case State::Open: startClose(); break;
    case State::Idle:
    case State::Closing:
    case State::Closed: break;
    }
}

void WebSocketSession::detach() {
    detached_ = true;
    releaseHandlersIfIdle();
    switch (state_) {
    case State::Idle: state_ = State::Closed; break;
    case State::Connecting:
        state_ = State::Closed;
        cancelTimer();
        killSocket();
        break;
    case State::Open: startClose(); break;
    case State::Closing:
    case State::Closed: break;
    }
}

// ---- WebSocketSession: internals -------------------------------------------------------------

template <class F>
void WebSocketSession::deliver(F call, bool last) {
    auto loop = loop_.lock();
    if (!loop) {
        return;
    }
    // Always through the queue: handlers never run inside open()/send()/close() or inside an
    // lws callback, so they may call back into the transport or destroy it.
    loop->post([session = self(), call = std::move(call), last]() mutable {
        if (!session->detached_) {
            ++session->handlerDepth_;
            call(session->handlers_);
            --session->handlerDepth_;
        }
        if (last) {
            session->closeDelivered_ = true;
        }
        session->releaseHandlersIfIdle();
    });
}

void WebSocketSession::releaseHandlersIfIdle() {
    if ((detached_ || closeDelivered_) && handlerDepth_ == 0) {
        // Their destruction may destroy the transport and re-enter detach(): move them out first.
        TransportHandlers dead = std::move(handlers_);
        handlers_ = TransportHandlers{};
    }
}

void WebSocketSession::queueReceived() {
    receivedEnds_.push_back(received_.size());
    if (receivedTaskPosted_) {
        return;
    }
    auto loop = loop_.lock();
    if (!loop) {
        return;
    }
    receivedTaskPosted_ = true;
    // Like deliver(): through the queue, in order with the other events of this session.
    // The loop holds the reference, so the task is a bare pointer and is not allocated.
    loop->postFor(self(), [this] { deliverReceived(); });
}

void WebSocketSession::deliverReceived() {
    receivedTaskPosted_ = false;
    // Handlers run on this thread and lws callbacks cannot run inside them, so nothing is
    // appended while this loop runs.
    std::size_t start = 0;
    for (std::size_t i = 0; i < receivedEnds_.size() && !detached_; ++i) {
        const std::string_view message(received_.data() + start, receivedEnds_[i] - start);
        start = receivedEnds_[i];
        ++handlerDepth_;
        if (handlers_.onMessage) {
            handlers_.onMessage(message);
        }
        --handlerDepth_;
    }
    // Only the tail of a message still being reassembled stays.
    received_.erase(0, receivedComplete());
    receivedEnds_.clear();
    if (received_.empty() && received_.capacity() > kRetainedReceived) {
        std::string().swap(received_);
    }
    releaseHandlersIfIdle();
}

void WebSocketSession::recycle(std::string buffer) {
    if (buffer.capacity() <= kSpareCapacity && spare_.size() < kSpareBuffers) {
        buffer.clear();
        spare_.push_back(std::move(buffer));
    }
}

std::string WebSocketSession::spareBuffer() {
    if (spare_.empty()) {
        return {};
    }
    std::string buffer = std::move(spare_.back());
    spare_.pop_back();
    return buffer;
}

void WebSocketSession::finish(std::optional<Error> error) {
    if (state_ == State::Closed) {
        return;
    }
    state_ = State::Closed;
    cancelTimer();
    outgoing_.clear();
    outgoingHead_ = 0;
    deliver(
        [error = std::move(error)](TransportHandlers& handlers) mutable {
            if (handlers.onClose) {
                handlers.onClose(std::move(error));
            }
        },
        /*last=*/true);
}

void WebSocketSession::startClose() {
    state_ = State::Closing;
    cancelTimer();
    receiving_ = false;
    received_.resize(receivedComplete());
    if (auto loop = loop_.lock()) {
        std::weak_ptr<WebSocketSession> weak = self();
        timer_ = loop->schedule(std::chrono::milliseconds(kCloseTimeoutMs), [weak] {
            if (auto session = weak.lock()) {
                session->timer_ = 0;
                session->onTimer();
            }
        });
    }
    if (wsi_ != nullptr) {
        lws_callback_on_writable(wsi_);
    }
}

void WebSocketSession::onTimer() {
    if (state_ == State::Connecting) {
        finish(fail(ErrorCode::TransportFailed,
                    "WebSocket connection to " + displayUrl_ + " timed out after " +
                        std::to_string(connectTimeout_.count()) + " ms"));
        killSocket();
    } else if (state_ == State::Closing) {
        // The peer never completed the close handshake; our side is closed all the same.
        finish(std::nullopt);
        killSocket();
    }
}

void WebSocketSession::killSocket() {
    if (wsi_ != nullptr) {
        lws_set_timeout(wsi_, PENDING_TIMEOUT_USER_OK, LWS_TO_KILL_ASYNC);
    }
}

void WebSocketSession::cancelTimer() {
    if (timer_ == 0) {
        return;
    }
    if (auto loop = loop_.lock()) {
        loop->cancel(timer_);
    }
    timer_ = 0;
}

int WebSocketSession::writeNext(lws* wsi) {
    if (state_ != State::Open && state_ != State::Closing) {
        return 0;
    }
    if (outgoingHead_ < outgoing_.size()) {
        Outgoing& message = outgoing_[outgoingHead_];
        const std::size_t remaining = message.data.size() - message.offset;
        const std::size_t chunk = std::min(remaining, kWriteChunkSize);
        const bool last = chunk == remaining;
        int flags = message.offset == 0 ? (message.binary ? LWS_WRITE_BINARY : LWS_WRITE_TEXT)
                                        : LWS_WRITE_CONTINUATION;
        if (!last) {
            flags |= LWS_WRITE_NO_FIN;
        }
        frame_.resize(LWS_PRE);
        frame_.append(message.data, message.offset, chunk);
        std::size_t messages = 1;
        if (message.offset == 0 && last && selfDelimited(message.data, message.binary)) {
            for (std::size_t i = outgoingHead_ + 1; i < outgoing_.size(); ++i) {
                const Outgoing& next = outgoing_[i];
                if (!selfDelimited(next.data, next.binary) ||
                    frame_.size() - LWS_PRE + next.data.size() > kWriteChunkSize) {
                    break;
                }
                frame_.append(next.data);
                ++messages;
            }
        }
        // lws writes the frame header into the LWS_PRE bytes before the payload.
        auto* data = reinterpret_cast<unsigned char*>(frame_.data()) + LWS_PRE;
        if (lws_write(wsi, data, frame_.size() - LWS_PRE, static_cast<lws_write_protocol>(flags)) <
            0) {
            return -1; // CLIENT_CLOSED follows and reports the loss
        }
        if (last) {
            for (std::size_t i = 0; i < messages; ++i) {
                recycle(std::move(outgoing_[outgoingHead_++].data));
            }
            if (outgoingHead_ == outgoing_.size()) {
                outgoing_.clear();
                outgoingHead_ = 0;
                if (outgoing_.capacity() > kRetainedOutgoing) {
                    std::vector<Outgoing>().swap(outgoing_);
                }
            }
        } else {
            message.offset += chunk;
        }
        if (!outgoing_.empty() || state_ == State::Closing) {
            lws_callback_on_writable(wsi);
        } else if (frame_.capacity() > kRetainedFrameCapacity) {
            std::string().swap(frame_);
        }
        return 0;
    }
    if (state_ == State::Closing && !closeFrameQueued_) {
        // Once only: a second -1 while lws awaits the peer's close frame would make it drop
        // the socket at once, and unread data would turn that into a reset that can destroy
        // what the peer has not read yet.
        closeFrameQueued_ = true;
        lws_close_reason(wsi, LWS_CLOSE_STATUS_NORMAL, nullptr, 0);
        return -1; // lws sends the close frame and waits for the peer's
    }
    return 0;
}

Error WebSocketSession::connectError(lws* wsi, const void* in, std::size_t len) const {
    int status = upgradeStatus_;
    if (status == 0 && wsi != nullptr) {
        status = static_cast<int>(lws_http_client_http_response(wsi));
    }
    if (status != 0 && status != 101) {
        return fail(ErrorCode::TransportFailed, "WebSocket upgrade failed: HTTP " +
                                                    std::to_string(status) + " from " +
                                                    displayUrl_);
    }
    if (!certificateError_.empty()) {
        return fail(ErrorCode::TransportFailed,
                    "WebSocket connection to " + displayUrl_ +
                        " failed: the server's TLS certificate was rejected: " + certificateError_);
    }
    if (headersTooLarge_) {
        return fail(ErrorCode::TransportFailed,
                    "WebSocket connection to " + displayUrl_ +
                        " failed: the request headers do not fit in the request buffer");
    }
    return fail(ErrorCode::TransportFailed, "WebSocket connection to " + displayUrl_ +
                                                " failed: " + connectionErrorText(in, len));
}

std::optional<Error> WebSocketSession::closeResult() const {
    if (state_ == State::Closing) {
        return std::nullopt; // our own close()
    }
    if (peerCloseCode_) {
        if (*peerCloseCode_ == LWS_CLOSE_STATUS_NORMAL) {
            return std::nullopt;
        }
        std::string message =
            "the server closed the WebSocket with code " + std::to_string(*peerCloseCode_);
        if (!peerCloseReason_.empty()) {
            message += ": " + peerCloseReason_;
        }
        return fail(ErrorCode::ConnectionLost, std::move(message));
    }
    return fail(ErrorCode::ConnectionLost,
                "the WebSocket connection to " + displayUrl_ + " was lost");
}

// ---- WebSocketSession: lws callbacks ---------------------------------------------------------

int WebSocketSession::onLwsCallback(lws* wsi, lws_callback_reasons reason, void* user, void* in,
                                    std::size_t len) {
    switch (reason) {
    case LWS_CALLBACK_CLIENT_APPEND_HANDSHAKE_HEADER:
        if (!appendHeaders(in, len, headers_)) {
            headersTooLarge_ = true;
            return -1;
        }
        return 0;

    case LWS_CALLBACK_OPENSSL_PERFORM_SERVER_CERT_VERIFICATION:
        if (auto failure = certificateFailure(user, len); failure && certificateError_.empty()) {
            certificateError_ = std::move(*failure);
        }
        return 0; // keep OpenSSL's verdict

    case LWS_CALLBACK_ESTABLISHED_CLIENT_HTTP:
        // The upgrade response arrived; lws checks for 101 right after this.
        upgradeStatus_ = static_cast<int>(lws_http_client_http_response(wsi));
        return 0;

    case LWS_CALLBACK_CLIENT_ESTABLISHED:
        wsi_ = wsi;
        if (state_ != State::Connecting) {
            return -1; // closed or timed out meanwhile
        }
        state_ = State::Open;
        cancelTimer();
        deliver([](TransportHandlers& handlers) {
            if (handlers.onOpen) {
                handlers.onOpen();
            }
        });
        if (!outgoing_.empty()) {
            lws_callback_on_writable(wsi);
        }
        return 0;

    case LWS_CALLBACK_CLIENT_RECEIVE:
        if (state_ != State::Open) {
            return 0;
        }
        if (!receiving_) {
            receiving_ = true;
            received_.resize(receivedComplete());
        }
        if (received_.size() - receivedComplete() + len > maxMessageSize_) {
            finish(
                fail(ErrorCode::ProtocolError, "the server sent a WebSocket message larger than " +
                                                   std::to_string(maxMessageSize_) + " bytes"));
            return -1;
        }
        received_.append(static_cast<const char*>(in), len);
        // lws hands a message over in pieces: across fragments (continuation frames) and
        // within a frame larger than the receive buffer. This is the last piece of the last one.
        if (lws_is_final_fragment(wsi) && lws_remaining_packet_payload(wsi) == 0) {
            receiving_ = false;
            queueReceived();
        }
        return 0;

    case LWS_CALLBACK_CLIENT_WRITEABLE: return writeNext(wsi);

    case LWS_CALLBACK_WS_PEER_INITIATED_CLOSE:
        if (len >= 2 && in != nullptr) {
            const auto* bytes = static_cast<const unsigned char*>(in);
            peerCloseCode_ = (bytes[0] << 8) | bytes[1];
            peerCloseReason_.assign(reinterpret_cast<const char*>(bytes) + 2, len - 2);
        } else {
            peerCloseCode_ = LWS_CLOSE_STATUS_NO_STATUS;
        }
        return 0; // lws answers the close and then closes the socket

    case LWS_CALLBACK_CLIENT_CONNECTION_ERROR: finish(connectError(wsi, in, len)); return 0;

    case LWS_CALLBACK_CLIENT_CLOSED: finish(closeResult()); return 0;

    case LWS_CALLBACK_WSI_DESTROY:
        wsi_ = nullptr;
        if (state_ == State::Connecting) {
            finish(fail(ErrorCode::TransportFailed,
                        "WebSocket connection to " + displayUrl_ + " closed before it opened"));
        } else if (state_ != State::Closed) {
            finish(closeResult());
        }
        return 0;

    default: return 0;
    }
}

// ---- WebSocketTransport ----------------------------------------------------------------------

WebSocketTransport::WebSocketTransport(std::shared_ptr<LoopCore> loop)
    : loop_(std::move(loop)), session_(std::make_shared<WebSocketSession>(loop_)) {}

WebSocketTransport::~WebSocketTransport() {
    if (loop_->isExecutorThread() || loop_->hasStopped()) {
        session_->detach();
    } else {
        // Off the loop thread (against the contract): detach there, in order with this
        // thread's earlier calls.
        loop_->post([session = session_] { session->detach(); });
    }
}

void WebSocketTransport::open(TransportRequest request, TransportHandlers handlers) {
    if (loop_->isExecutorThread()) {
        session_->open(std::move(request), std::move(handlers));
    } else {
        loop_->post([session = session_, request = std::move(request),
                     handlers = std::move(handlers)]() mutable {
            session->open(std::move(request), std::move(handlers));
        });
    }
}

std::string WebSocketTransport::send(std::string data, TransferFormat format) {
    if (loop_->isExecutorThread()) {
        return session_->send(std::move(data), format);
    }
    loop_->post([session = session_, data = std::move(data), format]() mutable {
        (void)session->send(std::move(data), format);
    });
    return {};
}

void WebSocketTransport::close() {
    if (loop_->isExecutorThread()) {
        session_->close();
    } else {
        loop_->post([session = session_] { session->close(); });
    }
}

} // namespace signalr::detail
