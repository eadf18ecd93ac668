#pragma once

#include <functional>
#include <memory>

namespace signalr {

/// A handle to a running server-to-client stream. Dropping it does not cancel the stream.
class StreamSubscription {
public:
    StreamSubscription() = default;
    explicit StreamSubscription(std::function<void()> cancel) : cancel_(std::move(cancel)) {}

    /// Asks the server to stop the stream (CancelInvocation); the stream's completion then runs
    /// with ErrorCode::Cancelled. Later calls, and calls after the stream ended, do nothing.
    void cancel() {
        if (cancel_) {
            auto c = std::move(cancel_);
            cancel_ = nullptr;
            c();
        }
    }

private:
    std::function<void()> cancel_;
};

} // namespace signalr
