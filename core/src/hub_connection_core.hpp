#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "connection_options.hpp"
#include "event_dispatcher.hpp"
#include "handler_registry.hpp"
#include "hub_message.hpp"
#include "hub_protocol.hpp"
#include "inline_function.hpp"
#include "invocation_table.hpp"
#include "logger.hpp"
#include "metrics_recorder.hpp"
#include "negotiator.hpp"
#include "outgoing_queue.hpp"
#include "signalr/connection_state.hpp"
#include "signalr/hub_connection.hpp"
#include "spin_lock.hpp"
#include "stateful_session.hpp"

namespace signalr::detail {

/// How a StreamSubscription finds its stream: by invocation id once it is sent, by its entry
/// in the outgoing queue while it waits there.
struct StreamHandle {
    std::string invocationId;
    std::uint64_t queuedEntry = 0;
};

/// The connection engine behind HubConnection. Public methods may be called from any thread and
/// hop onto the executor; everything else runs on the executor, so the state needs no locks.
class HubConnectionCore : public std::enable_shared_from_this<HubConnectionCore> {
public:
    using Completion = std::function<void(Result<void>)>;
    using Responder =
        std::function<void(const Arguments&, std::function<void(Result<Value>)> respond)>;
    using ClosedHandler = std::function<void(const std::optional<Error>&)>;

    HubConnectionCore(ConnectionOptions options, std::unique_ptr<HubProtocol> protocol);
    ~HubConnectionCore();

    void start(Completion done);
    void stop(Completion done);
    void reconnect(Completion done);
    void invoke(std::string method, Arguments args, std::function<void(Result<Value>)> done);
    void send(std::string method, Arguments args, Completion done);
    std::function<void()> stream(std::string method, Arguments args, ItemHandler onItem,
                                 Completion onComplete);
    HandlerId on(std::string method, HandlerRegistry::Handler handler);
    void off(HandlerId id);
    void off(std::string method);
    void onInvocation(std::string method, Responder responder);
    void onClosed(ClosedHandler handler);
    EventSubscription addEventHandler(std::shared_ptr<ConnectionEventHandler> handler);
    void removeEventHandler(EventSubscription id);
    /// The public handle is gone: stop, and let pending completions finish with Cancelled.
    void shutdown();

    ConnectionState state() const { return state_.load(std::memory_order_acquire); }
    ConnectionStateSnapshot snapshot() const;
    ConnectionMetrics metrics() const { return metrics_.read(executor_->now()); }
    std::optional<std::string> connectionId() const;

    /// Logs a handler's conversion failure (used by the typed on()).
    void reportHandlerError(const std::string& method, const Error& error) const;

private:
    // Everything below runs on the executor.
    /// A call waiting for the executor. Room for the largest lambda of a public call (stream():
    /// method, arguments, two callbacks, a handle) so that none of them allocates.
    using CoreTask = InlineFunction<void(HubConnectionCore&), 144>;
    /// Queues `task` and posts one executor task that runs the oldest queued one, so the order
    /// is the order of the posts. The posted task holds only `this` (the executor holds the
    /// reference), and the queue keeps its storage: a call allocates nothing here.
    template <typename F>
    void runOnExecutor(F&& task) {
        {
            SpinGuard guard(callsLock_);
            calls_.emplace_back(std::forward<F>(task));
        }
        executor_->postFor(shared_from_this(), [this] { runNextCall(); });
    }
    void runNextCall();
    /// The handle is gone: no handler, responder or closed handler runs any more.
    void forgetUserHandlers();
    void doStart(Completion done);
    void doStop(Completion done, bool fromShutdown);
    void doReconnect(Completion done);
    void setState(ConnectionState state, std::optional<Error> error = std::nullopt);
    /// Reconnecting: which attempt is next or under way, and when it starts.
    void setRetrySnapshot(std::uint32_t attempt,
                          std::optional<Executor::Clock::time_point> nextRetryAt);
    void setConnectionId(std::optional<std::string> id);
    /// Runs `event` on every subscriber while this connection attempt is still current; false
    /// once a subscriber stopped, restarted or destroyed the connection.
    template <class Event>
    bool fireEvent(const Event& event);

    /// One connection attempt (start() or a reconnect): token, negotiate, transport, handshake.
    void beginAttempt();
    void openTransport(Url url, std::optional<std::string> token,
                       std::optional<std::string> connectionId);
    void onTransportOpen();
    void onTransportMessage(std::string_view data);
    void onTransportClose(std::optional<Error> error);
    void onHandshakeTimeout();
    void completeHandshake(std::string_view rest);
    /// The attempt under way failed: retry it if reconnecting, else end start().
    void attemptFailed(Error error);

    void processFrame(std::string_view data);
    void dispatch(HubMessage& message);
    void dispatchInvocation(InvocationMessage& message);
    void dispatchStreamItem(StreamItemMessage& message);
    void dispatchCompletion(CompletionMessage& message);
    void respond(const std::string& invocationId, Result<Value> result);

    /// Serialization errors are returned (and `whenSent` is not called); otherwise `whenSent`
    /// runs once the message is on the wire, which with stateful reconnect may be later.
    Result<void> sendMessage(const HubMessage& message, Completion whenSent = {});
    void writeFrame(std::string& frame);
    TransportHandlers transportHandlers();
    void armPingTimer(std::chrono::milliseconds delay);
    void armServerTimeout(std::chrono::milliseconds delay);
    void onPingTimer();
    void onServerTimeoutTimer();

    /// The one place a live connection ends for a reason other than stop(): it reconnects or
    /// closes. `closeReason` goes to onClosed, `pendingError` to the calls that fail.
    void connectionLost(std::optional<Error> closeReason, Error pendingError,
                        DisconnectReason reason, bool forced = false);
    bool shouldReconnect(const DisconnectReason& reason) const;
    void beginReconnecting(DisconnectReason reason, Error pendingError, bool immediate);
    /// Asks the policy for the next delay and waits for it, or gives up.
    void scheduleRetry(Error reason);
    void onRetryTimer();
    /// The policy gave up: state Failed.
    void giveUp(Error error);
    /// stop() while reconnecting: ends at once, even during a delay.
    void stopReconnecting(bool fromShutdown);
    void finishClose(const std::optional<Error>& closeReason, const Error& pendingError,
                     const DisconnectReason& reason);
    /// The timers of one transport connection.
    void cancelTimers();
    /// The timers that outlive a transport: retry delay, resend deadline, queue deadlines.
    void cancelCycleTimers();
    void dropTransport();
    /// Drops the transport of a lost or closed connection and forgets its attempt.
    void endConnectionAttempt();

    // Stateful reconnect (hub_connection_resume.cpp).
    void beginSession();
    /// The transport dropped while Connected: true if a resume of the session has begun (or
    /// continues), false if the ordinary close path must run.
    bool resumeAfterDrop(std::optional<Error>& error);
    void onResumeOpen();
    /// Disposes the session: its waiting sends fail with `error`.
    void endSession(const Error& error);
    /// False when the message must not reach dispatch (Ack, Sequence, replayed duplicate, or a
    /// protocol violation, which closes the connection).
    bool acceptIncoming(const HubMessage& message);

    // In-flight work across a drop (in_flight.cpp).
    void invokeNow(std::string method, Arguments args, std::function<void(Result<Value>)> done);
    void sendNow(std::string method, Arguments args, Completion done);
    void streamNow(std::string method, Arguments args, ItemHandler onItem, Completion onComplete,
                   const std::shared_ptr<StreamHandle>& handle);
    /// A call made while not Connected: fails, waits or is queued as InFlightOptions say.
    /// `message` is what will be sent (for its size). Returns the queue entry's id, 0 when the
    /// call was not queued (it has completed already).
    std::uint64_t deferCall(const char* operation, const std::string& method,
                            const HubMessage& message, std::function<void()> sendLater,
                            std::function<void(Error)> failNow);
    void armQueueTimer();
    void onQueueTimer();
    /// Connected again: sends what waited, oldest first.
    void flushDeferred();
    /// Completes every waiting call with Dropped: "<call> was not sent: <why>".
    void dropDeferred(const std::string& why);
    /// At a drop: fails streams, and fails or keeps invocations for a resend.
    void settlePending(const Error& error, bool reconnecting);
    void resendPending();
    void onResendDeadline();

    template <class F>
    auto guarded(F&& f);

    ConnectionOptions options_;
    std::shared_ptr<Executor> executor_;
    std::unique_ptr<HubProtocol> protocol_;
    Logger logger_;

    std::atomic<ConnectionState> state_{ConnectionState::Disconnected};
    mutable SpinLock snapshotLock_;
    ConnectionStateSnapshot snapshot_;
    MetricsRecorder metrics_;
    mutable SpinLock connectionIdLock_;
    std::optional<std::string> connectionId_;
    std::atomic<HandlerId> nextHandlerId_{1};
    std::atomic<EventSubscription> nextSubscription_{1};

    // Executor-only state.
    /// Changes with every connection attempt and every end of one: callbacks of an older
    /// attempt (guarded()) are ignored.
    std::uint64_t attempt_ = 0;
    /// An attempt is negotiating, opening or handshaking (state Connecting or Reconnecting).
    bool attemptRunning_ = false;
    /// Reconnecting: the 1-based number of the attempt waited for or under way.
    std::uint32_t retryAttempt_ = 0;
    /// Reconnecting because start() failed (ReconnectOptions::retryInitialStart).
    bool retryingStart_ = false;
    /// reconnect() without a policy: one attempt only.
    bool singleRetry_ = false;
    /// The first attempt of the cycle starts at once (reconnect()).
    bool immediateRetry_ = false;
    Executor::Clock::time_point cycleStart_{};
    std::vector<Completion> reconnectCallbacks_;
    OutgoingQueue deferred_;
    std::uint64_t nextDeferredId_ = 1;
    bool handshakeDone_ = false;
    bool handleGone_ = false;
    std::optional<std::string> pendingConnectionId_;
    std::string handshakeBuffer_;
    std::unique_ptr<Transport> transport_;
    Completion startCallback_;
    std::vector<Completion> stopCallbacks_;
    InvocationTable invocations_;
    HandlerRegistry handlers_;
    std::unordered_map<std::string, std::shared_ptr<const Responder>> responders_;
    std::vector<ClosedHandler> closedHandlers_;
    EventDispatcher events_;
    /// Streams the user cancelled whose Completion has not arrived: their late items are
    /// expected, not worth a warning.
    std::unordered_set<std::string> cancelledStreams_;
    std::vector<HubMessage> inbox_;
    /// Calls queued by runOnExecutor(), oldest first from callsHead_.
    SpinLock callsLock_;
    std::vector<CoreTask> calls_;
    std::size_t callsHead_ = 0;
    /// Each message is written here; the transport's send() hands back a spare buffer, so that
    /// steady sending allocates no frame.
    std::string outbox_;
    /// The request of the current transport; a stateful resume reopens it.
    TransportRequest transportRequest_;
    bool statefulNegotiated_ = false;
    std::unique_ptr<StatefulSession> session_;

    Executor::TimerId handshakeTimer_ = 0;
    Executor::TimerId pingTimer_ = 0;
    Executor::TimerId serverTimeoutTimer_ = 0;
    Executor::TimerId closeTimer_ = 0;
    Executor::TimerId retryTimer_ = 0;
    Executor::TimerId resendTimer_ = 0;
    Executor::TimerId queueTimer_ = 0;
    Executor::Clock::time_point lastSend_{};
    Executor::Clock::time_point lastReceive_{};
};

template <class Event>
bool HubConnectionCore::fireEvent(const Event& event) {
    const auto attempt = attempt_;
    auto valid = [this, attempt] { return attempt_ == attempt && !handleGone_; };
    events_.fire(event, valid);
    return valid();
}

/// Wraps a callback of the transport, the HTTP client or a timer: it runs only while the core
/// is alive and still on the same connection attempt.
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

} // namespace signalr::detail
