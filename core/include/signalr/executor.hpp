#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>

namespace signalr {

/// The event loop every connection runs on. All library callbacks run on it; the core never
/// blocks it and never reads a clock except through now().
///
/// Implementations: the libwebsockets service thread (native), the browser's event loop (wasm),
/// and a manual executor with a virtual clock (tests).
class Executor {
public:
    using Task = std::function<void()>;
    using Clock = std::chrono::steady_clock;
    using TimerId = std::uint64_t;

    virtual ~Executor() = default;

    /// Thread-safe. Runs `task` soon on the executor, after tasks posted before it.
    virtual void post(Task task) = 0;

    /// Thread-safe. post(), keeping `owner` alive until the task has run or been dropped. An
    /// executor that stores the owner beside the task lets a task that captures only a pointer
    /// to it fit in std::function's inline storage, so that posting it allocates nothing; this
    /// default captures the owner in a wrapping task instead.
    virtual void postFor(std::shared_ptr<void> owner, Task task) {
        post([owner = std::move(owner), task = std::move(task)] { task(); });
    }

    /// Executor thread only. Runs `task` once, `delay` from now, unless cancelled first.
    /// Never returns 0.
    virtual TimerId schedule(std::chrono::milliseconds delay, Task task) = 0;

    /// Executor thread only. Cancelling a timer that has fired or was cancelled is a no-op.
    virtual void cancel(TimerId id) = 0;

    /// The executor's monotonic clock.
    virtual Clock::time_point now() const = 0;

    /// True on the executor's own thread (always true in the browser).
    virtual bool isExecutorThread() const = 0;
};

} // namespace signalr
