#include <limits>
#include <utility>

#include "hub_connection_core.hpp"
#include "log_text.hpp"

// Work in flight across a lost connection: calls made while it is down (fail, wait or queue),
// and invocations pending when it drops (fail, or resend after the reconnect).

namespace signalr::detail {

void HubConnectionCore::invokeNow(std::string method, Arguments args,
                                  std::function<void(Result<Value>)> done) {
    auto id = invocations_.nextId();
    // Built as a HubMessage: passing an InvocationMessage to sendMessage() would copy it into a
    // temporary variant (the method and every argument).
    HubMessage message{InvocationMessage{{}, id, method, std::move(args), {}}};
    auto sent = sendMessage(message);
    if (!sent) {
        if (done) {
            done(std::move(sent).error());
        }
        return;
    }
    PendingCall call{std::move(method), std::move(done), {}, {}, executor_->now(), std::nullopt};
    if (options_.inFlight.pendingInvocations == PendingInvocationPolicy::ResendAfterReconnect) {
        call.resendArguments = std::move(std::get<InvocationMessage>(message).arguments);
    }
    invocations_.add(id, std::move(call));
}

void HubConnectionCore::sendNow(std::string method, Arguments args, Completion done) {
    InvocationMessage message{{}, std::nullopt, std::move(method), std::move(args), {}};
    // With stateful reconnect the message may wait for room in the replay buffer: `done` runs
    // once it is on the wire.
    auto sent = sendMessage(message, done);
    if (!sent && done) {
        done(std::move(sent).error());
    }
}

void HubConnectionCore::streamNow(std::string method, Arguments args, ItemHandler onItem,
                                  Completion onComplete,
                                  const std::shared_ptr<StreamHandle>& handle) {
    auto id = invocations_.nextId();
    StreamInvocationMessage message{{}, id, method, std::move(args), {}};
    auto sent = sendMessage(message);
    if (!sent) {
        if (onComplete) {
            onComplete(std::move(sent).error());
        }
        return;
    }
    handle->queuedEntry = 0;
    handle->invocationId = id;
    invocations_.add(id, PendingCall{std::move(method),
                                     {},
                                     std::move(onItem),
                                     std::move(onComplete),
                                     executor_->now(),
                                     std::nullopt});
}

// ---- Calls made while not connected --------------------------------------------------------

std::uint64_t HubConnectionCore::deferCall(const char* operation, const std::string& method,
                                           const HubMessage& message,
                                           std::function<void()> sendLater,
                                           std::function<void(Error)> failNow) {
    const auto& inFlight = options_.inFlight;
    const std::string description = detail::format("{} '{}'", operation, method);
    if (inFlight.whileReconnecting == ReconnectingCallPolicy::Fail) {
        failNow(fail(ErrorCode::NotConnected,
                     detail::format("cannot {}: the connection is {}, not Connected", description,
                                    toString(state()))));
        return 0;
    }
    OutgoingQueueOptions limits;
    std::size_t bytes = 0;
    if (inFlight.whileReconnecting == ReconnectingCallPolicy::Queue) {
        limits = inFlight.queue;
        std::string serialized;
        auto written = protocol_->write(message, serialized);
        if (!written) {
            failNow(std::move(written).error());
            return 0;
        }
        bytes = serialized.size();
    } else {
        // Waiting calls are bounded by time only.
        limits.maxMessages = std::numeric_limits<std::size_t>::max();
        limits.maxBytes = std::numeric_limits<std::size_t>::max();
        limits.messageDeadline = inFlight.waitTimeout;
    }
    const auto id = nextDeferredId_++;
    OutgoingQueue::Entry entry{id,
                               bytes,
                               executor_->now() + limits.messageDeadline,
                               std::move(sendLater),
                               std::move(failNow),
                               description};
    auto dropped = deferred_.push(std::move(entry), limits);
    armQueueTimer();
    bool queued = true;
    for (auto& evicted : dropped) {
        const bool rejected = evicted.id == id;
        queued = queued && !rejected;
        evicted.fail(
            fail(ErrorCode::Dropped,
                 rejected ? detail::format("{} was not queued: the outgoing queue is full "
                                           "({} calls, {} bytes)",
                                           evicted.description, deferred_.size(), deferred_.bytes())
                          : detail::format("{} was evicted from the full outgoing queue",
                                           evicted.description)));
    }
    return queued ? id : 0;
}

void HubConnectionCore::armQueueTimer() {
    if (queueTimer_ != 0) {
        executor_->cancel(queueTimer_);
        queueTimer_ = 0;
    }
    const auto next = deferred_.nextDeadline();
    if (!next) {
        return;
    }
    const auto now = executor_->now();
    auto delay = std::chrono::ceil<std::chrono::milliseconds>(*next - now);
    if (delay.count() < 0) {
        delay = std::chrono::milliseconds(0);
    }
    // Queued calls outlive connection attempts, so this is not guarded() by the attempt.
    queueTimer_ = executor_->schedule(delay, [weak = weak_from_this()] {
        if (auto self = weak.lock()) {
            self->queueTimer_ = 0;
            self->onQueueTimer();
        }
    });
}

void HubConnectionCore::onQueueTimer() {
    auto expired = deferred_.takeExpired(executor_->now());
    armQueueTimer();
    const bool waited = options_.inFlight.whileReconnecting == ReconnectingCallPolicy::Wait;
    for (auto& entry : expired) {
        entry.fail(fail(
            ErrorCode::Timeout,
            waited ? detail::format("{} waited {} for the connection and timed out",
                                    entry.description, seconds(options_.inFlight.waitTimeout))
                   : detail::format("{} expired in the outgoing queue after {}", entry.description,
                                    seconds(options_.inFlight.queue.messageDeadline))));
    }
}

void HubConnectionCore::flushDeferred() {
    if (deferred_.empty()) {
        return;
    }
    if (queueTimer_ != 0) {
        executor_->cancel(queueTimer_);
        queueTimer_ = 0;
    }
    logger_.log(LogLevel::Debug, "sending {} call(s) that waited for the connection",
                deferred_.size());
    const auto attempt = attempt_;
    // One at a time: a completion may stop the connection, which drops the rest.
    while (attempt_ == attempt && state() == ConnectionState::Connected) {
        auto entry = deferred_.popFront();
        if (!entry) {
            break;
        }
        entry->send();
    }
    armQueueTimer();
}

void HubConnectionCore::dropDeferred(const std::string& why) {
    if (queueTimer_ != 0) {
        executor_->cancel(queueTimer_);
        queueTimer_ = 0;
    }
    auto entries = deferred_.takeAll();
    for (auto& entry : entries) {
        entry.fail(fail(ErrorCode::Dropped,
                        detail::format("{} was not sent: {}", entry.description, why)));
    }
}

// ---- Calls pending at a drop ---------------------------------------------------------------

void HubConnectionCore::settlePending(const Error& error, bool reconnecting) {
    cancelledStreams_.clear();
    if (!reconnecting ||
        options_.inFlight.pendingInvocations != PendingInvocationPolicy::ResendAfterReconnect) {
        invocations_.failAll(error);
        return;
    }
    // The server forgets a connection's streams; only invocations can be sent again.
    invocations_.failIf([](const PendingCall& call) { return call.isStream(); }, error);
    if (invocations_.size() != 0 && resendTimer_ == 0) {
        resendTimer_ =
            executor_->schedule(options_.inFlight.resendDeadline, [weak = weak_from_this()] {
                if (auto self = weak.lock()) {
                    self->resendTimer_ = 0;
                    self->onResendDeadline();
                }
            });
    }
}

void HubConnectionCore::resendPending() {
    if (invocations_.size() == 0) {
        return;
    }
    const auto attempt = attempt_;
    for (const auto& id : invocations_.idsInOrder()) {
        if (attempt_ != attempt || state() != ConnectionState::Connected) {
            return;
        }
        PendingCall* call = invocations_.find(id);
        if (call == nullptr || call->isStream() || !call->resendArguments) {
            continue;
        }
        auto sent =
            sendMessage(InvocationMessage{{}, id, call->method, *call->resendArguments, {}});
        if (!sent) {
            auto taken = invocations_.take(id);
            taken->fail(std::move(sent).error());
            continue;
        }
        call->sentAt = executor_->now();
    }
}

void HubConnectionCore::onResendDeadline() {
    invocations_.failIf([](const PendingCall& call) { return !call.isStream(); },
                        fail(ErrorCode::ConnectionLost,
                             detail::format("the connection was not back within {}: the call was "
                                            "not sent again",
                                            seconds(options_.inFlight.resendDeadline))));
}

} // namespace signalr::detail
