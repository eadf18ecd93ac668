#pragma once

#include <deque>
#include <map>

#include "signalr/executor.hpp"

namespace signalr::detail {

/// The browser's own event loop as an Executor. Posted tasks run from one microtask, right after
/// the JavaScript that posted them returns; a task that keeps posting gets a macrotask
/// (emscripten_set_immediate, without setTimeout's 4 ms clamp) every kMicrotaskChain turns, so it
/// cannot starve the browser's rendering and I/O. Timers are emscripten_set_timeout calls,
/// cleared when cancelled. Nothing runs unless something is due, so an idle connection costs
/// nothing between its keep-alive timers.
class BrowserExecutor final : public Executor {
public:
    BrowserExecutor() = default;
    BrowserExecutor(const BrowserExecutor&) = delete;
    BrowserExecutor& operator=(const BrowserExecutor&) = delete;
    /// Clears every pending browser callback, so none reaches a destroyed executor.
    ~BrowserExecutor() override;

    void post(Task task) override;
    TimerId schedule(std::chrono::milliseconds delay, Task task) override;
    void cancel(TimerId id) override;
    Clock::time_point now() const override;
    bool isExecutorThread() const override { return true; }

    /// Browser callbacks armed right now (one for the queue, one per timer); for tests.
    std::size_t pendingBrowserCallbacks() const;

private:
    struct Timer {
        BrowserExecutor* owner = nullptr;
        TimerId id = 0;
        long browserId = 0;
        Task task;
    };

    static void runPosted(void* self);
    static void fire(void* timer);

    /// Turns in a row that a task posted from a turn may run as a microtask.
    static constexpr int kMicrotaskChain = 16;

    void arm();
    void disarm();

    std::deque<Task> queue_;
    enum class Armed { No, Microtask, Immediate };
    Armed armed_ = Armed::No;
    long armedId_ = 0;
    int chain_ = 0;                   // microtask turns in a row, each posted from the one before
    std::map<TimerId, Timer> timers_; // map nodes stay put: their address is the callback's data
    TimerId nextTimerId_ = 1;
};

} // namespace signalr::detail
