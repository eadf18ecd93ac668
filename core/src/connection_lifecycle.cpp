#include <optional>
#include <utility>
#include <vector>

#include "handshake.hpp"
#include "hub_connection_core.hpp"
#include "log_text.hpp"

// The connection's state machine: start, the transport's open and close, stop, and the loss of
// a live connection.

namespace signalr::detail {

namespace {

Error stoppedError() {
    return fail(ErrorCode::Cancelled, "the connection was stopped before the call completed");
}

// The reconnect() completions, and start()'s when the retries were its own, taken out before any
// of them runs: a start() or reconnect() inside one must not take over these completions.
template <class Completion>
std::pair<std::vector<Completion>, Completion> takeCompletions(std::vector<Completion>& reconnects,
                                                               Completion& start, bool takeStart) {
    std::pair<std::vector<Completion>, Completion> taken{std::move(reconnects), nullptr};
    reconnects.clear();
    if (takeStart) {
        taken.second = std::move(start);
        start = nullptr;
    }
    return taken;
}

// A closed handler may stop, restart or destroy the connection: the handlers after it are told
// only while `current()` says this close is still the connection's latest news.
template <class Current>
void notifyClosed(std::vector<HubConnectionCore::ClosedHandler> handlers,
                  const std::optional<Error>& reason, const Current& current) {
    for (auto& handler : handlers) {
        if (!current()) {
            return;
        }
        if (handler) {
            handler(reason);
        }
    }
}

} // namespace

// ---- State ---------------------------------------------------------------------------------

void HubConnectionCore::setState(ConnectionState state, std::optional<Error> error) {
    const auto now = executor_->now();
    {
        SpinGuard guard(snapshotLock_);
        snapshot_ = ConnectionStateSnapshot{state, now, 0, std::nullopt, std::move(error)};
    }
    metrics_.stateChanged(state, now);
    const auto old = state_.exchange(state, std::memory_order_acq_rel);
    if (old != state) {
        logger_.log(LogLevel::Debug, "state: {} -> {}", toString(old), toString(state));
    }
}

void HubConnectionCore::setRetrySnapshot(std::uint32_t attempt,
                                         std::optional<Executor::Clock::time_point> nextRetryAt) {
    SpinGuard guard(snapshotLock_);
    snapshot_.attempt = attempt;
    snapshot_.nextRetryAt = nextRetryAt;
}

void HubConnectionCore::setConnectionId(std::optional<std::string> id) {
    SpinGuard guard(connectionIdLock_);
    connectionId_ = std::move(id);
}

// ---- Start ---------------------------------------------------------------------------------

void HubConnectionCore::doStart(Completion done) {
    if (state() != ConnectionState::Disconnected && state() != ConnectionState::Failed) {
        if (done) {
            done(fail(ErrorCode::InvalidState,
                      detail::format("start() needs a Disconnected connection; it is {}",
                                     toString(state()))));
        }
        return;
    }
    ++attempt_;
    startCallback_ = std::move(done);
    retryingStart_ = false;
    setState(ConnectionState::Connecting);
    if (!fireEvent([](ConnectionEventHandler& h) { h.onConnecting(); })) {
        return;
    }
    beginAttempt();
}

void HubConnectionCore::beginAttempt() {
    ++attempt_;
    attemptRunning_ = true;
    handshakeDone_ = false;
    statefulNegotiated_ = false;
    handshakeBuffer_.clear();
    protocol_->reset();

    // Tokens may be single-use or expire: every attempt asks for a fresh one.
    std::optional<std::string> token;
    if (options_.accessTokenProvider) {
        const auto attempt = attempt_;
        auto provided = options_.accessTokenProvider();
        if (attempt_ != attempt) {
            return;
        }
        if (!provided) {
            Error error = std::move(provided).error();
            error.message = "the access token provider failed: " + error.message;
            attemptFailed(std::move(error));
            return;
        }
        if (!provided->empty()) {
            token = std::move(provided).value();
        }
    }
    auto url = parseUrl(options_.url);
    if (!url) {
        attemptFailed(url.error());
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
                  if (!self.attemptRunning_) {
                      return;
                  }
                  if (!outcome) {
                      self.attemptFailed(std::move(outcome).error());
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
        attemptFailed(
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
    if (logger_.enabled(LogLevel::Debug)) {
        logger_.log(LogLevel::Debug, "opening the transport to {}", redactUrl(request.url));
    }
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
    if (!attemptRunning_ || !transport_) {
        return;
    }
    // Version 2 announces stateful reconnect; older servers only know 1.
    auto request =
        writeHandshakeRequest(protocol_->name(), statefulNegotiated_ ? 2 : protocol_->version());
    logger_.log(LogLevel::Trace, "send: {}", printable(request));
    metrics_.messageSent(request.size());
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
    if (attemptRunning_ && !handshakeDone_) {
        attemptFailed(fail(ErrorCode::Timeout, "the server did not answer the handshake within " +
                                                   seconds(options_.handshakeTimeout)));
    }
}

void HubConnectionCore::completeHandshake(std::string_view rest) {
    if (handshakeTimer_ != 0) {
        executor_->cancel(handshakeTimer_);
        handshakeTimer_ = 0;
    }
    handshakeDone_ = true;
    attemptRunning_ = false;
    if (statefulNegotiated_) {
        beginSession();
    }
    const bool reconnected = state() == ConnectionState::Reconnecting && !retryingStart_;
    const auto retryAttempt = retryAttempt_;
    retryAttempt_ = 0;
    retryingStart_ = false;
    singleRetry_ = false;
    immediateRetry_ = false;
    if (resendTimer_ != 0) {
        executor_->cancel(resendTimer_);
        resendTimer_ = 0;
    }
    setConnectionId(pendingConnectionId_);
    setState(ConnectionState::Connected);
    logger_.log(LogLevel::Information, "{}{}", reconnected ? "reconnected" : "connected",
                pendingConnectionId_ ? " as " + *pendingConnectionId_ : std::string());
    lastReceive_ = executor_->now();
    armPingTimer(options_.keepAliveInterval);
    armServerTimeout(options_.serverTimeout);

    const auto attempt = attempt_;
    // What waited for this connection goes out before anything the events may send.
    resendPending();
    if (attempt_ == attempt) {
        flushDeferred();
    }
    if (attempt_ != attempt) {
        return;
    }
    const auto id = pendingConnectionId_;
    // Taken before the event: a reconnect() or start() inside it belongs to what comes next.
    auto reconnectCallbacks = std::move(reconnectCallbacks_);
    reconnectCallbacks_.clear();
    auto startCallback = std::move(startCallback_);
    startCallback_ = nullptr;
    if (reconnected) {
        metrics_.reconnected();
        fireEvent([&](ConnectionEventHandler& h) { h.onReconnected(retryAttempt, id); });
    } else {
        fireEvent([&](ConnectionEventHandler& h) { h.onConnected(id); });
    }
    // Completions run even if an event handler stopped or dropped the connection: they
    // report that this attempt succeeded.
    for (auto& done : reconnectCallbacks) {
        if (done) {
            done(Result<void>());
        }
    }
    if (startCallback) {
        startCallback(Result<void>());
    }
    // Messages may share the handshake's frame; they belong to this connection.
    if (!rest.empty() && attempt_ == attempt && state() == ConnectionState::Connected) {
        processFrame(rest);
    }
}

void HubConnectionCore::attemptFailed(Error error) {
    endSession(error);
    cancelTimers();
    dropTransport();
    ++attempt_;
    attemptRunning_ = false;
    handshakeDone_ = false;
    handshakeBuffer_.clear();
    setConnectionId(std::nullopt);
    const bool cancelled = error.code == ErrorCode::Cancelled;
    if (state() == ConnectionState::Reconnecting && !cancelled) {
        logger_.log(LogLevel::Warning, "reconnect attempt {} failed: {}", retryAttempt_,
                    error.message);
        scheduleRetry(std::move(error));
        return;
    }
    if (state() == ConnectionState::Connecting && !cancelled && options_.reconnectPolicy &&
        options_.reconnectOptions.retryInitialStart) {
        logger_.log(LogLevel::Warning, "start failed, retrying: {}", error.message);
        retryingStart_ = true;
        retryAttempt_ = 0;
        singleRetry_ = false;
        immediateRetry_ = false;
        cycleStart_ = executor_->now();
        setState(ConnectionState::Reconnecting);
        scheduleRetry(std::move(error));
        return;
    }
    setState(ConnectionState::Disconnected);
    // The start callback reports the failure; a start the user cancelled is no error at all.
    logger_.log(cancelled ? LogLevel::Debug : LogLevel::Error, "start failed: {}", error.message);
    auto done = std::move(startCallback_);
    startCallback_ = nullptr;
    dropDeferred("start() failed: " + error.message);
    if (done) {
        done(std::move(error));
    }
}

// ---- Transport events ----------------------------------------------------------------------

void HubConnectionCore::onTransportMessage(std::string_view data) {
    lastReceive_ = executor_->now();
    metrics_.messageReceived(data.size());
    if (logger_.enabled(LogLevel::Trace)) {
        logger_.log(LogLevel::Trace, "recv: {}", printable(data));
    }
    if (attemptRunning_) {
        if (handshakeDone_) {
            return;
        }
        handshakeBuffer_.append(data);
        auto reply = parseHandshakeReply(handshakeBuffer_);
        if (!reply) {
            attemptFailed(
                fail(ErrorCode::HandshakeFailed,
                     "the server's handshake reply is invalid: " + reply.error().message));
            return;
        }
        if (reply->consumed == 0) {
            return;
        }
        if (reply->error) {
            attemptFailed(fail(ErrorCode::HandshakeFailed,
                               "the server rejected the handshake: " + *reply->error,
                               *reply->error));
            return;
        }
        std::string rest = handshakeBuffer_.substr(reply->consumed);
        handshakeBuffer_.clear();
        completeHandshake(rest);
        return;
    }
    const auto current = state();
    if (current == ConnectionState::Connected || current == ConnectionState::Disconnecting) {
        processFrame(data);
    }
}

void HubConnectionCore::onTransportClose(std::optional<Error> error) {
    if (attemptRunning_) {
        Error reason = error ? std::move(*error)
                             : fail(ErrorCode::ConnectionLost,
                                    "the server closed the connection during the handshake");
        attemptFailed(std::move(reason));
        return;
    }
    switch (state()) {
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
        DisconnectReason reason{DisconnectKind::NetworkError, error, false};
        connectionLost(std::move(error), std::move(pending), std::move(reason));
        return;
    }
    case ConnectionState::Disconnecting:
        finishClose(std::nullopt, stoppedError(), DisconnectReason{});
        return;
    default: return;
    }
}

// ---- Stop ----------------------------------------------------------------------------------

void HubConnectionCore::doStop(Completion done, bool fromShutdown) {
    switch (state()) {
    case ConnectionState::Disconnected:
    case ConnectionState::Failed:
        if (done) {
            done(Result<void>());
        }
        return;
    case ConnectionState::Connecting:
        attemptFailed(fail(ErrorCode::Cancelled, "start() was cancelled by stop()"));
        if (done) {
            done(Result<void>());
        }
        return;
    case ConnectionState::Reconnecting:
        stopReconnecting(fromShutdown);
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
            self->finishClose(std::nullopt, stoppedError(), DisconnectReason{});
        }
    });
}

void HubConnectionCore::stopReconnecting(bool fromShutdown) {
    logger_.log(LogLevel::Debug, "stopping while reconnecting{}",
                fromShutdown ? " (connection destroyed)" : "");
    cancelTimers();
    cancelCycleTimers();
    dropTransport();
    ++attempt_;
    attemptRunning_ = false;
    handshakeDone_ = false;
    const bool wasStart = retryingStart_;
    retryAttempt_ = 0;
    retryingStart_ = false;
    setConnectionId(std::nullopt);
    setState(ConnectionState::Disconnected);

    auto [callbacks, startCallback] =
        takeCompletions(reconnectCallbacks_, startCallback_, wasStart);
    const auto attempt = attempt_;
    const Error cancelled = fail(ErrorCode::Cancelled, "stop() was called while reconnecting");
    invocations_.failAll(stoppedError());
    cancelledStreams_.clear();
    dropDeferred("the connection was stopped");
    for (auto& done : callbacks) {
        if (done) {
            done(cancelled);
        }
    }
    if (startCallback) {
        startCallback(fail(ErrorCode::Cancelled, "start() was cancelled by stop()"));
    }
    if (wasStart) {
        return;
    }
    // onDisconnected fired when the connection was lost; the close is what is left to report.
    notifyClosed(closedHandlers_, std::nullopt,
                 [this, attempt] { return attempt_ == attempt && !handleGone_; });
}

// ---- Loss of a live connection -------------------------------------------------------------

void HubConnectionCore::connectionLost(std::optional<Error> closeReason, Error pendingError,
                                       DisconnectReason reason, bool forced) {
    const auto current = state();
    if (current == ConnectionState::Disconnecting) {
        finishClose(std::nullopt, stoppedError(), DisconnectReason{});
        return;
    }
    // Whatever comes next (Disconnected, or a new connection by the reconnect policy), the
    // stateful session ends here.
    endSession(pendingError);
    if (current != ConnectionState::Connected) {
        return;
    }
    if (closeReason) {
        logger_.log(forced ? LogLevel::Information : LogLevel::Error, "connection closed: {}",
                    closeReason->message);
    }
    if (forced || shouldReconnect(reason)) {
        singleRetry_ = forced && !options_.reconnectPolicy;
        beginReconnecting(std::move(reason), std::move(pendingError), forced);
        return;
    }
    finishClose(closeReason, pendingError, reason);
}

bool HubConnectionCore::shouldReconnect(const DisconnectReason& reason) const {
    if (!options_.reconnectPolicy) {
        return false;
    }
    if (reason.kind == DisconnectKind::ServerClosed && !reason.allowReconnect &&
        options_.reconnectOptions.honourAllowReconnect) {
        return false;
    }
    return true;
}

void HubConnectionCore::endConnectionAttempt() {
    dropTransport();
    ++attempt_; // callbacks of the dropped attempt find a newer attempt and do nothing
    attemptRunning_ = false;
    handshakeDone_ = false;
    protocol_->reset();
    setConnectionId(std::nullopt);
}

void HubConnectionCore::beginReconnecting(DisconnectReason reason, Error pendingError,
                                          bool immediate) {
    cancelTimers();
    endConnectionAttempt();
    retryAttempt_ = 0;
    retryingStart_ = false;
    immediateRetry_ = immediate;
    cycleStart_ = executor_->now();
    setState(ConnectionState::Reconnecting);

    const auto attempt = attempt_;
    settlePending(pendingError, true);
    if (attempt_ != attempt) {
        return;
    }
    Error retryReason = reason.error ? *reason.error : pendingError;
    if (!fireEvent([&](ConnectionEventHandler& h) { h.onDisconnected(reason); })) {
        return;
    }
    scheduleRetry(std::move(retryReason));
}

void HubConnectionCore::scheduleRetry(Error reason) {
    std::optional<std::chrono::milliseconds> delay;
    if (immediateRetry_ && retryAttempt_ == 0) {
        delay = std::chrono::milliseconds(0);
    } else if (singleRetry_) {
        delay = std::nullopt;
    } else if (options_.reconnectPolicy) {
        const auto elapsed =
            std::chrono::duration_cast<std::chrono::milliseconds>(executor_->now() - cycleStart_);
        const auto attempt = attempt_;
        delay = options_.reconnectPolicy->nextDelay(RetryContext{retryAttempt_, elapsed, reason});
        if (attempt_ != attempt) {
            return;
        }
    }
    if (!delay) {
        giveUp(std::move(reason));
        return;
    }
    ++retryAttempt_;
    setRetrySnapshot(retryAttempt_, executor_->now() + *delay);
    logger_.log(LogLevel::Information, "reconnect attempt {} in {}", retryAttempt_,
                seconds(*delay));
    // Armed before the event, so that stop() or reconnect() inside it finds the timer.
    retryTimer_ =
        executor_->schedule(*delay, guarded([](HubConnectionCore& self) { self.onRetryTimer(); }));
    const auto number = retryAttempt_;
    fireEvent([&](ConnectionEventHandler& h) { h.onReconnecting(number, reason); });
}

void HubConnectionCore::onRetryTimer() {
    retryTimer_ = 0;
    if (state() != ConnectionState::Reconnecting || attemptRunning_) {
        return;
    }
    setRetrySnapshot(retryAttempt_, std::nullopt);
    beginAttempt();
}

void HubConnectionCore::giveUp(Error error) {
    cancelTimers();
    cancelCycleTimers();
    dropTransport();
    ++attempt_;
    attemptRunning_ = false;
    const bool wasStart = retryingStart_;
    retryAttempt_ = 0;
    retryingStart_ = false;
    singleRetry_ = false;
    immediateRetry_ = false;
    setConnectionId(std::nullopt);
    setState(ConnectionState::Failed, error);
    logger_.log(LogLevel::Error, "reconnecting gave up: {}", error.message);

    auto [reconnectCallbacks, startCallback] =
        takeCompletions(reconnectCallbacks_, startCallback_, wasStart);
    const auto attempt = attempt_;
    invocations_.failAll(
        fail(ErrorCode::ConnectionLost,
             "the connection was lost and reconnecting gave up: " + error.message));
    cancelledStreams_.clear();
    if (attempt_ == attempt) {
        dropDeferred("reconnecting gave up: " + error.message);
    }
    if (attempt_ == attempt) {
        fireEvent([&](ConnectionEventHandler& h) { h.onReconnectFailed(error); });
    }
    for (auto& done : reconnectCallbacks) {
        if (done) {
            done(error);
        }
    }
    if (startCallback) {
        startCallback(error);
    }
    if (wasStart) {
        return;
    }
    notifyClosed(closedHandlers_, error,
                 [this, attempt] { return attempt_ == attempt && !handleGone_; });
}

// ---- reconnect() ---------------------------------------------------------------------------

void HubConnectionCore::doReconnect(Completion done) {
    switch (state()) {
    case ConnectionState::Connected: {
        if (done) {
            reconnectCallbacks_.push_back(std::move(done));
        }
        Error error = fail(ErrorCode::ConnectionLost, "reconnect requested");
        Error pending =
            fail(ErrorCode::ConnectionLost, "the connection was lost: reconnect requested");
        DisconnectReason reason{DisconnectKind::NetworkError, error, false};
        connectionLost(std::move(error), std::move(pending), std::move(reason), true);
        return;
    }
    case ConnectionState::Reconnecting:
        if (done) {
            reconnectCallbacks_.push_back(std::move(done));
        }
        if (retryTimer_ != 0) {
            executor_->cancel(retryTimer_);
            retryTimer_ = 0;
            onRetryTimer();
        }
        return;
    default:
        if (done) {
            done(fail(
                ErrorCode::InvalidState,
                detail::format("reconnect() needs a Connected or Reconnecting connection; it is {}",
                               toString(state()))));
        }
        return;
    }
}

// ---- Close ---------------------------------------------------------------------------------

void HubConnectionCore::finishClose(const std::optional<Error>& closeReason,
                                    const Error& pendingError, const DisconnectReason& reason) {
    endSession(pendingError);
    cancelTimers();
    cancelCycleTimers();
    endConnectionAttempt();
    setState(ConnectionState::Disconnected);

    const auto attempt = attempt_;
    settlePending(pendingError, false);
    dropDeferred("the connection was closed");
    auto stops = std::move(stopCallbacks_);
    stopCallbacks_.clear();
    for (auto& done : stops) {
        done(Result<void>());
    }
    if (!fireEvent([&](ConnectionEventHandler& h) { h.onDisconnected(reason); })) {
        return;
    }
    notifyClosed(closedHandlers_, closeReason,
                 [this, attempt] { return attempt_ == attempt && !handleGone_; });
}

void HubConnectionCore::cancelTimers() {
    for (auto* timer : {&handshakeTimer_, &pingTimer_, &serverTimeoutTimer_, &closeTimer_}) {
        if (*timer != 0) {
            executor_->cancel(*timer);
            *timer = 0;
        }
    }
}

void HubConnectionCore::cancelCycleTimers() {
    for (auto* timer : {&retryTimer_, &resendTimer_, &queueTimer_}) {
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
