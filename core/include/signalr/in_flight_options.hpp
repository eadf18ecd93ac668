#pragma once

#include <chrono>
#include <cstddef>

namespace signalr {

/// What happens to invocations waiting for their result when the connection drops.
enum class PendingInvocationPolicy {
    /// They fail at once with ConnectionLost.
    Fail,
    /// They are sent again after the reconnect (at-least-once: the server may run them twice)
    /// and fail with ConnectionLost if no reconnect happens within resendDeadline.
    ResendAfterReconnect,
};

/// What happens to invoke(), send() and stream() called while the connection is reconnecting
/// (or connecting).
enum class ReconnectingCallPolicy {
    /// They fail at once with NotConnected.
    Fail,
    /// They wait for the connection, then go out; Timeout after waitTimeout.
    Wait,
    /// They go to the bounded outgoing queue, sent in order after the reconnect.
    Queue,
};

/// What the outgoing queue does with a call that does not fit.
enum class QueueFullStrategy {
    /// The oldest queued call completes with Dropped; the new one is queued.
    DropOldest,
    /// The most recently queued call completes with Dropped; the new one is queued.
    DropNewest,
    /// The new call completes with Dropped; the queue is kept.
    Fail,
};

/// Bounds of the outgoing queue (ReconnectingCallPolicy::Queue).
struct OutgoingQueueOptions {
    std::size_t maxMessages = 1000;
    /// Sum of the serialized sizes of the queued messages.
    std::size_t maxBytes = 1 << 20;
    QueueFullStrategy whenFull = QueueFullStrategy::Fail;
    /// A queued call not sent by then completes with Timeout.
    std::chrono::milliseconds messageDeadline{30000};
};

/// How work in flight survives a reconnect. Streams in flight at a drop always fail with
/// ConnectionLost (unless stateful reconnect keeps the connection).
struct InFlightOptions {
    PendingInvocationPolicy pendingInvocations = PendingInvocationPolicy::Fail;
    /// ResendAfterReconnect: give up (ConnectionLost) after this long without a connection.
    std::chrono::milliseconds resendDeadline{30000};
    ReconnectingCallPolicy whileReconnecting = ReconnectingCallPolicy::Fail;
    /// Wait: fail with Timeout after this.
    std::chrono::milliseconds waitTimeout{30000};
    /// Queue: the outgoing queue's bounds.
    OutgoingQueueOptions queue;
};

} // namespace signalr
