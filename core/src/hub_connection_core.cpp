#include "hub_connection_core.hpp"

#include <utility>

#include "handshake.hpp"
#include "log_text.hpp"

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
                detail::format("cannot {} '{}': the connection is {}, not Connected", operation,
                               method, toString(state)));
}

} // namespace

HubConnectionCore::HubConnectionCore(ConnectionOptions options,
                                     std::unique_ptr<HubProtocol> protocol)
    : options_(std::move(options)), executor_(options_.platform.executor),
      protocol_(std::move(protocol)), logger_(options_.logLevel, options_.logSink) {}

HubConnectionCore::~HubConnectionCore() = default;

// ---- Entry points (any thread) -------------------------------------------------------------

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
        self.doReconnect(std::move(done));
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

void HubConnectionCore::runNextCall() {
    // A burst of calls may grow the queue a lot; its storage is not kept beyond this.
    constexpr std::size_t kRetainedCalls = 256;
    CoreTask task;
    {
        SpinGuard guard(callsLock_);
        if (callsHead_ == calls_.size()) {
            return;
        }
        task = std::move(calls_[callsHead_++]);
        if (callsHead_ == calls_.size()) {
            calls_.clear();
            callsHead_ = 0;
            if (calls_.capacity() > kRetainedCalls) {
                std::vector<CoreTask>().swap(calls_);
            }
        }
    }
    task(*this);
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
        switch (self.state()) {
        case ConnectionState::Connected:
            self.invokeNow(std::move(method), std::move(args), std::move(done));
            return;
        case ConnectionState::Connecting:
        case ConnectionState::Reconnecting: {
            InvocationMessage message{{}, std::string("0"), method, args, {}};
            self.deferCall(
                "invoke", method, message,
                [&self, method, args, done] { self.invokeNow(method, args, done); },
                [done](Error error) {
                    if (done) {
                        done(std::move(error));
                    }
                });
            return;
        }
        default:
            if (done) {
                done(notConnected("invoke", method, self.state()));
            }
        }
    });
}

void HubConnectionCore::send(std::string method, Arguments args, Completion done) {
    runOnExecutor([method = std::move(method), args = std::move(args),
                   done = std::move(done)](HubConnectionCore& self) mutable {
        switch (self.state()) {
        case ConnectionState::Connected:
            self.sendNow(std::move(method), std::move(args), std::move(done));
            return;
        case ConnectionState::Connecting:
        case ConnectionState::Reconnecting: {
            InvocationMessage message{{}, std::nullopt, method, args, {}};
            self.deferCall(
                "send", method, message,
                [&self, method, args, done] { self.sendNow(method, args, done); },
                [done](Error error) {
                    if (done) {
                        done(std::move(error));
                    }
                });
            return;
        }
        default:
            if (done) {
                done(notConnected("send", method, self.state()));
            }
        }
    });
}

std::function<void()> HubConnectionCore::stream(std::string method, Arguments args,
                                                ItemHandler onItem, Completion onComplete) {
    // The invocation id is only known on the executor; cancel() finds the stream through this.
    auto handle = std::make_shared<StreamHandle>();
    runOnExecutor([method = std::move(method), args = std::move(args), onItem = std::move(onItem),
                   onComplete = std::move(onComplete), handle](HubConnectionCore& self) mutable {
        switch (self.state()) {
        case ConnectionState::Connected:
            self.streamNow(std::move(method), std::move(args), std::move(onItem),
                           std::move(onComplete), handle);
            return;
        case ConnectionState::Connecting:
        case ConnectionState::Reconnecting: {
            StreamInvocationMessage message{{}, std::string("0"), method, args, {}};
            handle->queuedEntry = self.deferCall(
                "stream", method, message,
                [&self, method, args, onItem, onComplete, handle] {
                    self.streamNow(method, args, onItem, onComplete, handle);
                },
                [onComplete](Error error) {
                    if (onComplete) {
                        onComplete(std::move(error));
                    }
                });
            return;
        }
        default:
            if (onComplete) {
                onComplete(notConnected("stream", method, self.state()));
            }
        }
    });
    std::weak_ptr<HubConnectionCore> weak = weak_from_this();
    return [weak, handle] {
        if (auto self = weak.lock()) {
            self->runOnExecutor([handle](HubConnectionCore& core) {
                const Error cancelled = fail(ErrorCode::Cancelled, "the stream was cancelled");
                if (handle->invocationId.empty()) {
                    // Still waiting for the connection: it never goes out.
                    if (handle->queuedEntry == 0) {
                        return;
                    }
                    auto entry = core.deferred_.remove(handle->queuedEntry);
                    handle->queuedEntry = 0;
                    if (entry) {
                        core.armQueueTimer();
                        entry->fail(cancelled);
                    }
                    return;
                }
                const std::string& id = handle->invocationId;
                auto call = core.invocations_.take(id);
                if (!call) {
                    return;
                }
                if (core.state() == ConnectionState::Connected) {
                    (void)core.sendMessage(CancelInvocationMessage{{}, id});
                    core.cancelledStreams_.insert(id);
                }
                call->fail(cancelled);
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
        Error reason =
            fail(ErrorCode::ProtocolError, "the server sent an invalid message: " + error.message);
        connectionLost(reason,
                       fail(ErrorCode::ConnectionLost,
                            "the connection was closed after a protocol error: " + error.message),
                       DisconnectReason{DisconnectKind::NetworkError, reason, false});
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
                DisconnectReason disconnect{DisconnectKind::ServerClosed, reason, m.allowReconnect};
                connectionLost(std::move(reason), std::move(pending), std::move(disconnect));
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
    std::size_t left = handlers.size();
    for (const auto& handler : handlers) {
        if (handleGone_) {
            return;
        }
        // The last reader may take the argument values instead of copying them.
        const bool last = --left == 0 && !hasResponder;
        auto handled = (*handler)(message.arguments, last);
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
    if (!call->isStream()) {
        metrics_.invocationCompleted(
            std::chrono::duration_cast<std::chrono::microseconds>(executor_->now() - call->sentAt));
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
    writeFrame(outbox_);
    if (whenSent) {
        whenSent(Result<void>());
    }
    return {};
}

void HubConnectionCore::writeFrame(std::string& frame) {
    if (!transport_) {
        return;
    }
    if (logger_.enabled(LogLevel::Trace)) {
        logger_.log(LogLevel::Trace, "send: {}", printable(frame));
    }
    metrics_.messageSent(frame.size());
    frame = transport_->send(std::move(frame), protocol_->transferFormat());
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
    Error reason = fail(ErrorCode::Timeout, text);
    connectionLost(reason, fail(ErrorCode::ConnectionLost, "the connection was lost: " + text),
                   DisconnectReason{DisconnectKind::Timeout, reason, false});
}

} // namespace signalr::detail
