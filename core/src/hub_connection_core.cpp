#include "hub_connection_core.hpp"

#include <utility>

#include "handshake.hpp"

namespace signalr::detail {

namespace {

template <class... F>
struct Overloaded : F... {
    using F::operator()...;
};
template <class... F>
Overloaded(F...) -> Overloaded<F...>;

Error notConnected(std::string_view operation, std::string_view method, ConnectionState state) {
    return fail(ErrorCode::InvalidState,
                fmt::format("cannot {} '{}': the connection is {}, not Connected", operation,
                            method, toString(state)));
}

Error stoppedError() {
    return fail(ErrorCode::Cancelled, "the connection was stopped before the call completed");
}

/// A frame as text for trace logs: record separators shown as a visible mark.
std::string printable(std::string_view frame) {
    std::string out;
    out.reserve(frame.size());
    for (char c : frame) {
        if (c == '\x1e') {
            out += "<RS>";
        } else {
            out += c;
        }
    }
    return out;
}

std::string seconds(std::chrono::milliseconds ms) {
    return fmt::format("{:g} s", static_cast<double>(ms.count()) / 1000.0);
}

} // namespace

template <class F>
auto HubConnectionCore::guarded(F&& f) {
    return [weak = weak_from_this(), attempt = attempt_,
            f = std::forward<F>(f)](auto&&... args) mutable {
        auto self = weak.lock();
        if (!self || self->attempt_ != attempt) {
            return;
        }
        f(*self, std::forward<decltype(args)>(args)...);
    };
}

HubConnectionCore::HubConnectionCore(ConnectionOptions options,
                                     std::unique_ptr<HubProtocol> protocol)
    : options_(std::move(options)), executor_(options_.platform.executor),
      protocol_(std::move(protocol)), logger_(options_.logLevel, options_.logSink) {}

HubConnectionCore::~HubConnectionCore() = default;

// ---- Entry points (any thread) -------------------------------------------------------------

void HubConnectionCore::runOnExecutor(std::function<void(HubConnectionCore&)> task) {
    executor_->post([self = shared_from_this(), task = std::move(task)] { task(*self); });
}

void HubConnectionCore::start(Completion done) {
    runOnExecutor([done = std::move(done)](HubConnectionCore& self) mutable {
        self.doStart(std::move(done));
    });
}

void HubConnectionCore::stop(Completion done) {
    runOnExecutor([done = std::move(done)](HubConnectionCore& self) mutable {
        self.doStop(std::move(done), false);
    });
}

void HubConnectionCore::reconnect(Completion done) {
    runOnExecutor([done = std::move(done)](HubConnectionCore& self) mutable {
        if (done) {
            done(fail(
                ErrorCode::InvalidState,
                fmt::format("reconnect() needs a Connected or Reconnecting connection; it is {}",
                            toString(self.state()))));
        }
    });
}

void HubConnectionCore::shutdown() {
    // Handlers often capture their owner, which is being destroyed: none may run from now on.
    if (executor_->isExecutorThread()) {
        forgetUserHandlers();
    }
    runOnExecutor([](HubConnectionCore& self) {
        self.forgetUserHandlers();
        self.doStop({}, true);
    });
}

void HubConnectionCore::forgetUserHandlers() {
    handleGone_ = true;
    handlers_.clear();
    responders_.clear();
    closedHandlers_.clear();
    events_.clear();
}

void HubConnectionCore::invoke(std::string method, Arguments args,
                               std::function<void(Result<Value>)> done) {
    runOnExecutor([method = std::move(method), args = std::move(args),
                   done = std::move(done)](HubConnectionCore& self) mutable {
        if (self.state() != ConnectionState::Connected) {
            if (done) {
                done(notConnected("invoke", method, self.state()));
            }
            return;
        }
        auto id = self.invocations_.nextId();
        InvocationMessage message{{}, id, method, std::move(args), {}};
        auto sent = self.sendMessage(message);
        if (!sent) {
            if (done) {
                done(std::move(sent).error());
            }
            return;
        }
        self.invocations_.add(id, PendingCall{std::move(method), std::move(done), {}, {}});
    });
}

void HubConnectionCore::send(std::string method, Arguments args, Completion done) {
    runOnExecutor([method = std::move(method), args = std::move(args),
                   done = std::move(done)](HubConnectionCore& self) mutable {
        if (self.state() != ConnectionState::Connected) {
            if (done) {
                done(notConnected("send", method, self.state()));
            }
            return;
        }
        InvocationMessage message{{}, std::nullopt, std::move(method), std::move(args), {}};
        auto sent = self.sendMessage(message, done);
        if (!sent && done) {
            done(std::move(sent).error());
        }
    });
}

std::function<void()> HubConnectionCore::stream(std::string method, Arguments args,
                                                std::function<Result<void>(const Value&)> onItem,
                                                Completion onComplete) {
    // The id is only known on the executor; cancel() reaches it through this shared slot.
    auto streamId = std::make_shared<std::string>();
    runOnExecutor([method = std::move(method), args = std::move(args), onItem = std::move(onItem),
                   onComplete = std::move(onComplete), streamId](HubConnectionCore& self) mutable {
        if (self.state() != ConnectionState::Connected) {
            if (onComplete) {
                onComplete(notConnected("stream", method, self.state()));
            }
            return;
        }
        auto id = self.invocations_.nextId();
        StreamInvocationMessage message{{}, id, method, std::move(args), {}};
        auto sent = self.sendMessage(message);
        if (!sent) {
            if (onComplete) {
                onComplete(std::move(sent).error());
            }
            return;
        }
        *streamId = id;
        self.invocations_.add(
            id, PendingCall{std::move(method), {}, std::move(onItem), std::move(onComplete)});
    });
    std::weak_ptr<HubConnectionCore> weak = weak_from_this();
    return [weak, streamId] {
        if (auto self = weak.lock()) {
            self->runOnExecutor([streamId](HubConnectionCore& core) {
                if (streamId->empty()) {
                    return;
                }
                auto call = core.invocations_.take(*streamId);
                if (!call) {
                    return;
                }
                if (core.state() == ConnectionState::Connected) {
                    (void)core.sendMessage(CancelInvocationMessage{{}, *streamId});
                    core.cancelledStreams_.insert(*streamId);
                }
                call->fail(fail(ErrorCode::Cancelled, "the stream was cancelled"));
            });
        }
    };
}

HandlerId HubConnectionCore::on(std::string method, HandlerRegistry::Handler handler) {
    const HandlerId id = nextHandlerId_.fetch_add(1, std::memory_order_relaxed);
    if (executor_->isExecutorThread()) {
        handlers_.add(id, std::move(method), std::move(handler));
    } else {
        runOnExecutor([id, method = std::move(method),
                       handler = std::move(handler)](HubConnectionCore& self) mutable {
            self.handlers_.add(id, std::move(method), std::move(handler));
        });
    }
    return id;
}

void HubConnectionCore::off(HandlerId id) {
    if (executor_->isExecutorThread()) {
        handlers_.remove(id);
    } else {
        runOnExecutor([id](HubConnectionCore& self) { self.handlers_.remove(id); });
    }
}

void HubConnectionCore::off(std::string method) {
    if (executor_->isExecutorThread()) {
        handlers_.remove(method);
    } else {
        runOnExecutor([method = std::move(method)](HubConnectionCore& self) {
            self.handlers_.remove(method);
        });
    }
}

void HubConnectionCore::onInvocation(std::string method, Responder responder) {
    auto shared = std::make_shared<const Responder>(std::move(responder));
    if (executor_->isExecutorThread()) {
        responders_[std::move(method)] = std::move(shared);
    } else {
        runOnExecutor([method = std::move(method), shared](HubConnectionCore& self) mutable {
            self.responders_[std::move(method)] = std::move(shared);
        });
    }
}

void HubConnectionCore::onClosed(ClosedHandler handler) {
    if (executor_->isExecutorThread()) {
        closedHandlers_.push_back(std::move(handler));
    } else {
        runOnExecutor([handler = std::move(handler)](HubConnectionCore& self) mutable {
            self.closedHandlers_.push_back(std::move(handler));
        });
    }
}

EventSubscription
HubConnectionCore::addEventHandler(std::shared_ptr<ConnectionEventHandler> handler) {
    if (!handler) {
        return 0;
    }
    const EventSubscription id = nextSubscription_.fetch_add(1, std::memory_order_relaxed);
    if (executor_->isExecutorThread()) {
        events_.add(id, std::move(handler));
    } else {
        runOnExecutor([id, handler = std::move(handler)](HubConnectionCore& self) mutable {
            self.events_.add(id, std::move(handler));
        });
    }
    return id;
}

void HubConnectionCore::removeEventHandler(EventSubscription id) {
    if (executor_->isExecutorThread()) {
        events_.remove(id);
    } else {
        runOnExecutor([id](HubConnectionCore& self) { self.events_.remove(id); });
    }
}

ConnectionStateSnapshot HubConnectionCore::snapshot() const {
    SpinGuard guard(snapshotLock_);
    return snapshot_;
}

std::optional<std::string> HubConnectionCore::connectionId() const {
    SpinGuard guard(connectionIdLock_);
    return connectionId_;
}

void HubConnectionCore::reportHandlerError(const std::string& method, const Error& error) const {
    logger_.log(LogLevel::Error, "a call to client method '{}' was skipped: {}", method,
                error.message);
}

// ---- Start ---------------------------------------------------------------------------------

void HubConnectionCore::setState(ConnectionState state) {
    const auto now = executor_->now();
    {
        SpinGuard guard(snapshotLock_);
        snapshot_ = ConnectionStateSnapshot{state, now, 0, std::nullopt, std::nullopt};
    }
    metrics_.stateChanged(state, now);
    const auto old = state_.exchange(state, std::memory_order_acq_rel);
    if (old != state) {
        logger_.log(LogLevel::Debug, "state: {} -> {}", toString(old), toString(state));
    }
}

void HubConnectionCore::setConnectionId(std::optional<std::string> id) {
    SpinGuard guard(connectionIdLock_);
    connectionId_ = std::move(id);
}

void HubConnectionCore::doStart(Completion done) {
    if (state() != ConnectionState::Disconnected && state() != ConnectionState::Failed) {
        if (done) {
            done(fail(ErrorCode::InvalidState,
                      fmt::format("start() needs a Disconnected connection; it is {}",
                                  toString(state()))));
        }
        return;
    }
    ++attempt_;
    startCallback_ = std::move(done);
    handshakeDone_ = false;
    statefulNegotiated_ = false;
    handshakeBuffer_.clear();
    protocol_->reset();
    setState(ConnectionState::Connecting);

    std::optional<std::string> token;
    if (options_.accessTokenProvider) {
        auto provided = options_.accessTokenProvider();
        if (!provided) {
            Error error = std::move(provided).error();
            error.message = "the access token provider failed: " + error.message;
            failStart(std::move(error));
            return;
        }
        if (!provided->empty()) {
            token = std::move(provided).value();
        }
    }
    auto url = parseUrl(options_.url);
    if (!url) {
        failStart(url.error());
        return;
    }
    if (options_.skipNegotiation) {
        openTransport(toWebSocketUrl(std::move(url).value()), std::move(token), std::nullopt);
        return;
    }
    NegotiateRequest request{std::move(url).value(), options_.headers, std::move(token),
                             options_.negotiateTimeout, options_.statefulReconnect};
    auto abandoned = [weak = weak_from_this(), attempt = attempt_] {
        auto self = weak.lock();
        return !self || self->attempt_ != attempt;
    };
    negotiate(options_.platform.httpClient, std::move(request), logger_, std::move(abandoned),
              guarded([](HubConnectionCore& self, Result<NegotiateOutcome> outcome) {
                  if (self.state() != ConnectionState::Connecting) {
                      return;
                  }
                  if (!outcome) {
                      self.failStart(std::move(outcome).error());
                      return;
                  }
                  auto& o = outcome.value();
                  self.statefulNegotiated_ = o.useStatefulReconnect;
                  self.openTransport(std::move(o.transportUrl), std::move(o.accessToken),
                                     std::move(o.connectionId));
              }));
}

void HubConnectionCore::openTransport(Url url, std::optional<std::string> token,
                                      std::optional<std::string> connectionId) {
    transport_ = options_.platform.makeTransport();
    if (!transport_) {
        failStart(
            fail(ErrorCode::InvalidArgument, "the platform's transport factory made no transport"));
        return;
    }
    pendingConnectionId_ = std::move(connectionId);
    TransportRequest request;
    request.headers = options_.headers;
    if (token) {
        if (transport_->supportsHeaders()) {
            request.headers["Authorization"] = "Bearer " + *token;
        } else {
            url = appendQuery(std::move(url), "access_token", *token);
        }
    }
    request.url = url.toString();
    request.format = protocol_->transferFormat();
    logger_.log(LogLevel::Debug, "opening the transport to {}", redactUrl(request.url));
    transportRequest_ = request;
    transport_->open(std::move(request), transportHandlers());
}

TransportHandlers HubConnectionCore::transportHandlers() {
    TransportHandlers handlers;
    handlers.onOpen = guarded([](HubConnectionCore& self) { self.onTransportOpen(); });
    handlers.onMessage = guarded(
        [](HubConnectionCore& self, std::string_view data) { self.onTransportMessage(data); });
    handlers.onClose = guarded([](HubConnectionCore& self, std::optional<Error> error) {
        self.onTransportClose(std::move(error));
    });
    return handlers;
}

void HubConnectionCore::onTransportOpen() {
    if (session_ && session_->resuming()) {
        onResumeOpen();
        return;
    }
    if (state() != ConnectionState::Connecting || !transport_) {
        return;
    }
    // Version 2 announces stateful reconnect; older servers only know 1.
    auto request =
        writeHandshakeRequest(protocol_->name(), statefulNegotiated_ ? 2 : protocol_->version());
    logger_.log(LogLevel::Trace, "send: {}", printable(request));
    transport_->send(std::move(request), TransferFormat::Text);
    lastSend_ = executor_->now();
    if (options_.handshakeTimeout.count() > 0) {
        handshakeTimer_ = executor_->schedule(
            options_.handshakeTimeout,
            guarded([](HubConnectionCore& self) { self.onHandshakeTimeout(); }));
    }
}

void HubConnectionCore::onHandshakeTimeout() {
    handshakeTimer_ = 0;
    if (state() == ConnectionState::Connecting && !handshakeDone_) {
        failStart(fail(ErrorCode::Timeout, "the server did not answer the handshake within " +
                                               seconds(options_.handshakeTimeout)));
    }
}

void HubConnectionCore::completeHandshake(std::string_view rest) {
    if (handshakeTimer_ != 0) {
        executor_->cancel(handshakeTimer_);
        handshakeTimer_ = 0;
    }
    handshakeDone_ = true;
    if (statefulNegotiated_) {
        beginSession();
    }
    setConnectionId(pendingConnectionId_);
    setState(ConnectionState::Connected);
    logger_.log(LogLevel::Information, "connected{}",
                pendingConnectionId_ ? " as " + *pendingConnectionId_ : std::string());
    lastReceive_ = executor_->now();
    armPingTimer(options_.keepAliveInterval);
    armServerTimeout(options_.serverTimeout);

    const auto attempt = attempt_;
    auto done = std::move(startCallback_);
    startCallback_ = nullptr;
    if (done) {
        done(Result<void>());
    }
    // Messages may share the handshake's frame; they belong to this connection.
    if (!rest.empty() && attempt_ == attempt && state() == ConnectionState::Connected) {
        processFrame(rest);
    }
}

void HubConnectionCore::failStart(Error error) {
    endSession(error);
    cancelTimers();
    dropTransport();
    ++attempt_;
    handshakeDone_ = false;
    handshakeBuffer_.clear();
    setConnectionId(std::nullopt);
    setState(ConnectionState::Disconnected);
    // The start callback reports the failure; a start the user cancelled is no error at all.
    logger_.log(error.code == ErrorCode::Cancelled ? LogLevel::Debug : LogLevel::Error,
                "start failed: {}", error.message);
    auto done = std::move(startCallback_);
    startCallback_ = nullptr;
    if (done) {
        done(std::move(error));
    }
}

// ---- Transport events ----------------------------------------------------------------------

void HubConnectionCore::onTransportMessage(std::string_view data) {
    lastReceive_ = executor_->now();
    if (logger_.enabled(LogLevel::Trace)) {
        logger_.log(LogLevel::Trace, "recv: {}", printable(data));
    }
    const auto current = state();
    if (current == ConnectionState::Connecting) {
        if (handshakeDone_) {
            return;
        }
        handshakeBuffer_.append(data);
        auto reply = parseHandshakeReply(handshakeBuffer_);
        if (!reply) {
            failStart(fail(ErrorCode::HandshakeFailed,
                           "the server's handshake reply is invalid: " + reply.error().message));
            return;
        }
        if (reply->consumed == 0) {
            return;
        }
        if (reply->error) {
            failStart(fail(ErrorCode::HandshakeFailed,
                           "the server rejected the handshake: " + *reply->error, *reply->error));
            return;
        }
        std::string rest = handshakeBuffer_.substr(reply->consumed);
        handshakeBuffer_.clear();
        completeHandshake(rest);
        return;
    }
    if (current == ConnectionState::Connected || current == ConnectionState::Disconnecting) {
        processFrame(data);
    }
}

void HubConnectionCore::onTransportClose(std::optional<Error> error) {
    switch (state()) {
    case ConnectionState::Connecting: {
        Error reason = error ? std::move(*error)
                             : fail(ErrorCode::ConnectionLost,
                                    "the server closed the connection during the handshake");
        failStart(std::move(reason));
        return;
    }
    case ConnectionState::Connected: {
        if (session_ && resumeAfterDrop(error)) {
            return;
        }
        Error pending = fail(ErrorCode::ConnectionLost,
                             error ? "the connection was lost: " + error->message
                                   : std::string("the server closed the connection"));
        // An established connection that fails is lost; other reasons (ProtocolError for an
        // oversized message, Timeout) keep their code.
        if (error && error->code == ErrorCode::TransportFailed) {
            error->code = ErrorCode::ConnectionLost;
        }
        connectionLost(std::move(error), std::move(pending));
        return;
    }
    case ConnectionState::Disconnecting: finishClose(std::nullopt, stoppedError()); return;
    default: return;
    }
}

// ---- Messages ------------------------------------------------------------------------------

void HubConnectionCore::processFrame(std::string_view data) {
    std::vector<HubMessage> messages;
    messages.swap(inbox_);
    messages.clear();
    const auto skippedBefore = protocol_->skippedMessages();
    auto parsed = protocol_->parse(data, messages);
    if (protocol_->skippedMessages() != skippedBefore) {
        logger_.log(LogLevel::Warning, "skipped {} message(s) of unknown type",
                    protocol_->skippedMessages() - skippedBefore);
    }
    const auto attempt = attempt_;
    for (auto& message : messages) {
        if (attempt_ != attempt || handleGone_) {
            break;
        }
        if (session_ && !acceptIncoming(message)) {
            continue;
        }
        dispatch(message);
    }
    messages.clear();
    inbox_.swap(messages);
    if (!parsed && attempt_ == attempt) {
        const Error& error = parsed.error();
        connectionLost(
            fail(ErrorCode::ProtocolError, "the server sent an invalid message: " + error.message),
            fail(ErrorCode::ConnectionLost,
                 "the connection was closed after a protocol error: " + error.message));
    }
}

void HubConnectionCore::dispatch(HubMessage& message) {
    std::visit(
        Overloaded{
            [this](InvocationMessage& m) { dispatchInvocation(m); },
            [this](StreamItemMessage& m) { dispatchStreamItem(m); },
            [this](CompletionMessage& m) { dispatchCompletion(m); },
            [this](StreamInvocationMessage& m) {
                logger_.log(LogLevel::Warning,
                            "ignored a stream invocation of '{}': clients do not serve streams",
                            m.target);
            },
            [this](CancelInvocationMessage& m) {
                logger_.log(LogLevel::Debug, "ignored a cancel for invocation {}", m.invocationId);
            },
            [](PingMessage&) {},
            [this](CloseMessage& m) {
                logger_.log(LogLevel::Information, "the server closed the connection{}{}",
                            m.error ? ": " : "", m.error.value_or(""));
                std::optional<Error> reason;
                Error pending = fail(ErrorCode::ConnectionLost, "the server closed the connection");
                if (m.error) {
                    reason = fail(ErrorCode::ServerClosed,
                                  "the server closed the connection: " + *m.error, *m.error);
                    pending.message += ": " + *m.error;
                    pending.serverMessage = *m.error;
                }
                connectionLost(std::move(reason), std::move(pending));
            },
            [this](AckMessage&) {
                logger_.log(LogLevel::Debug, "ignored an Ack: stateful reconnect is off");
            },
            [this](SequenceMessage&) {
                logger_.log(LogLevel::Debug, "ignored a Sequence: stateful reconnect is off");
            },
        },
        message);
}

void HubConnectionCore::dispatchInvocation(InvocationMessage& message) {
    auto handlers = handlers_.find(message.target);
    // A copy: handlers may register responders, which may rehash the map.
    std::shared_ptr<const Responder> responder;
    if (auto it = responders_.find(message.target); it != responders_.end()) {
        responder = it->second;
    }
    const bool hasResponder = responder != nullptr;
    if (handlers.empty() && !hasResponder) {
        logger_.log(LogLevel::Warning, "no client method with the name '{}' is registered",
                    message.target);
    }
    const auto attempt = attempt_;
    for (const auto& handler : handlers) {
        if (handleGone_) {
            return;
        }
        auto handled = (*handler)(message.arguments);
        if (!handled) {
            reportHandlerError(message.target, handled.error());
        }
    }
    if (!message.invocationId || attempt_ != attempt || handleGone_) {
        return;
    }
    const std::string id = *message.invocationId;
    if (!hasResponder) {
        respond(id, fail(ErrorCode::HubError, "Client didn't provide a result."));
        return;
    }
    auto answered = std::make_shared<std::atomic<bool>>(false);
    std::weak_ptr<HubConnectionCore> weak = weak_from_this();
    auto respondOnce = [weak, attempt, id, answered](Result<Value> result) {
        if (answered->exchange(true)) {
            return;
        }
        if (auto self = weak.lock()) {
            self->runOnExecutor(
                [attempt, id, result = std::move(result)](HubConnectionCore& core) mutable {
                    if (core.attempt_ == attempt) {
                        core.respond(id, std::move(result));
                    }
                });
        }
    };
    (*responder)(message.arguments, std::move(respondOnce));
}

void HubConnectionCore::respond(const std::string& invocationId, Result<Value> result) {
    if (state() != ConnectionState::Connected) {
        return;
    }
    CompletionMessage completion;
    completion.invocationId = invocationId;
    if (result) {
        completion.result = std::move(result).value();
    } else {
        completion.error = result.error().message;
    }
    auto sent = sendMessage(completion);
    if (!sent) {
        CompletionMessage failure;
        failure.invocationId = invocationId;
        failure.error = "the client's result could not be serialized: " + sent.error().message;
        (void)sendMessage(failure);
    }
}

void HubConnectionCore::dispatchStreamItem(StreamItemMessage& message) {
    PendingCall* call = invocations_.find(message.invocationId);
    if (call == nullptr) {
        const bool cancelled = cancelledStreams_.count(message.invocationId) != 0;
        logger_.log(cancelled ? LogLevel::Debug : LogLevel::Warning,
                    "ignored a stream item for {} invocation id '{}'",
                    cancelled ? "cancelled" : "unknown", message.invocationId);
        return;
    }
    if (!call->isStream()) {
        auto taken = invocations_.take(message.invocationId);
        taken->fail(fail(ErrorCode::ProtocolError,
                         "the server sent a stream item for the non-streaming call '" +
                             taken->method + "'"));
        return;
    }
    auto delivered = call->onItem(message.item);
    if (!delivered) {
        auto taken = invocations_.take(message.invocationId);
        if (state() == ConnectionState::Connected) {
            (void)sendMessage(CancelInvocationMessage{{}, message.invocationId});
            cancelledStreams_.insert(message.invocationId);
        }
        if (taken) {
            taken->fail(std::move(delivered).error());
        }
    }
}

void HubConnectionCore::dispatchCompletion(CompletionMessage& message) {
    auto call = invocations_.take(message.invocationId);
    if (!call) {
        const bool cancelled = cancelledStreams_.erase(message.invocationId) != 0;
        logger_.log(cancelled ? LogLevel::Debug : LogLevel::Warning,
                    "ignored a completion for {} invocation id '{}'",
                    cancelled ? "cancelled" : "unknown", message.invocationId);
        return;
    }
    if (message.error) {
        call->fail(fail(ErrorCode::HubError, *message.error, *message.error));
        return;
    }
    if (call->isStream()) {
        if (call->onComplete) {
            call->onComplete(Result<void>());
        }
    } else if (call->onResult) {
        call->onResult(message.result ? std::move(*message.result) : Value());
    }
}

Result<void> HubConnectionCore::sendMessage(const HubMessage& message, Completion whenSent) {
    if (session_) {
        if (isTrackable(message)) {
            return session_->buffer->send(message, std::move(whenSent));
        }
        if (session_->resuming()) {
            return {}; // a Ping or Close has no use on a transport that is not open yet
        }
    }
    if (!transport_) {
        return fail(ErrorCode::InvalidState, "the transport is not open");
    }
    outbox_.clear();
    auto written = protocol_->write(message, outbox_);
    if (!written) {
        return written;
    }
    writeFrame(std::move(outbox_));
    outbox_ = std::string();
    if (whenSent) {
        whenSent(Result<void>());
    }
    return {};
}

void HubConnectionCore::writeFrame(std::string frame) {
    if (!transport_) {
        return;
    }
    if (logger_.enabled(LogLevel::Trace)) {
        logger_.log(LogLevel::Trace, "send: {}", printable(frame));
    }
    transport_->send(std::move(frame), protocol_->transferFormat());
    lastSend_ = executor_->now();
}

// ---- Keep-alive and server timeout ---------------------------------------------------------

void HubConnectionCore::armPingTimer(std::chrono::milliseconds delay) {
    if (options_.keepAliveInterval.count() <= 0) {
        return;
    }
    pingTimer_ =
        executor_->schedule(delay, guarded([](HubConnectionCore& self) { self.onPingTimer(); }));
}

void HubConnectionCore::armServerTimeout(std::chrono::milliseconds delay) {
    if (options_.serverTimeout.count() <= 0) {
        return;
    }
    serverTimeoutTimer_ = executor_->schedule(
        delay, guarded([](HubConnectionCore& self) { self.onServerTimeoutTimer(); }));
}

// Both timers re-arm from the time of the last traffic instead of being reset on every message:
// one timer event per interval at most, and no work on the message path.
void HubConnectionCore::onPingTimer() {
    pingTimer_ = 0;
    if (state() != ConnectionState::Connected) {
        return;
    }
    const auto interval = options_.keepAliveInterval;
    const auto idle =
        std::chrono::duration_cast<std::chrono::milliseconds>(executor_->now() - lastSend_);
    if (idle >= interval) {
        (void)sendMessage(PingMessage{});
        armPingTimer(interval);
    } else {
        armPingTimer(interval - idle);
    }
}

void HubConnectionCore::onServerTimeoutTimer() {
    serverTimeoutTimer_ = 0;
    if (state() != ConnectionState::Connected) {
        return;
    }
    const auto timeout = options_.serverTimeout;
    const auto silent =
        std::chrono::duration_cast<std::chrono::milliseconds>(executor_->now() - lastReceive_);
    if (silent < timeout) {
        armServerTimeout(timeout - silent);
        return;
    }
    const auto text = "the server sent nothing for " + seconds(timeout) + " (server timeout)";
    connectionLost(fail(ErrorCode::Timeout, text),
                   fail(ErrorCode::ConnectionLost, "the connection was lost: " + text));
}

// ---- Stop and close ------------------------------------------------------------------------

void HubConnectionCore::doStop(Completion done, bool fromShutdown) {
    switch (state()) {
    case ConnectionState::Disconnected:
    case ConnectionState::Failed:
        if (done) {
            done(Result<void>());
        }
        return;
    case ConnectionState::Connecting:
    case ConnectionState::Reconnecting:
        failStart(fail(ErrorCode::Cancelled, "start() was cancelled by stop()"));
        if (done) {
            done(Result<void>());
        }
        return;
    case ConnectionState::Disconnecting:
        if (done) {
            stopCallbacks_.push_back(std::move(done));
        }
        return;
    case ConnectionState::Connected: break;
    }
    logger_.log(LogLevel::Debug, "stopping{}", fromShutdown ? " (connection destroyed)" : "");
    setState(ConnectionState::Disconnecting);
    if (done) {
        stopCallbacks_.push_back(std::move(done));
    }
    cancelTimers();
    // A courtesy to the server; the WebSocket close follows either way.
    (void)sendMessage(CloseMessage{});
    if (transport_) {
        transport_->close();
    }
    // Holds the core alive (even when its handle is gone) until the close is confirmed.
    const auto attempt = attempt_;
    closeTimer_ = executor_->schedule(options_.closeTimeout, [self = shared_from_this(), attempt] {
        self->closeTimer_ = 0;
        if (self->attempt_ == attempt && self->state() == ConnectionState::Disconnecting) {
            self->logger_.log(LogLevel::Warning, "the transport did not confirm the close in time");
            self->finishClose(std::nullopt, stoppedError());
        }
    });
}

void HubConnectionCore::connectionLost(std::optional<Error> closeReason, Error pendingError) {
    const auto current = state();
    if (current == ConnectionState::Disconnecting) {
        finishClose(std::nullopt, stoppedError());
        return;
    }
    // Whatever comes next (Disconnected, or a new connection by the reconnect policy), the
    // stateful session ends here.
    endSession(pendingError);
    if (current != ConnectionState::Connected) {
        return;
    }
    if (closeReason) {
        logger_.log(LogLevel::Error, "connection closed: {}", closeReason->message);
    }
    finishClose(closeReason, pendingError);
}

void HubConnectionCore::finishClose(const std::optional<Error>& closeReason,
                                    const Error& pendingError) {
    endSession(pendingError);
    cancelTimers();
    dropTransport();
    ++attempt_;
    handshakeDone_ = false;
    protocol_->reset();
    setConnectionId(std::nullopt);
    setState(ConnectionState::Disconnected);

    invocations_.failAll(pendingError);
    cancelledStreams_.clear();
    auto stops = std::move(stopCallbacks_);
    stopCallbacks_.clear();
    for (auto& done : stops) {
        done(Result<void>());
    }
    auto handlers = closedHandlers_;
    for (auto& handler : handlers) {
        if (handler) {
            handler(closeReason);
        }
    }
}

void HubConnectionCore::cancelTimers() {
    for (auto* timer : {&handshakeTimer_, &pingTimer_, &serverTimeoutTimer_, &closeTimer_}) {
        if (*timer != 0) {
            executor_->cancel(*timer);
            *timer = 0;
        }
    }
}

void HubConnectionCore::dropTransport() {
    if (!transport_) {
        return;
    }
    transport_->close();
    // Destroyed later: we may be inside one of its own callbacks.
    executor_->post([transport = std::shared_ptr<Transport>(std::move(transport_))] {});
}

} // namespace signalr::detail
