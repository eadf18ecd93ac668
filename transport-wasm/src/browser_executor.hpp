#pragma once

#include <deque>
#include <map>

#include "signalr/executor.hpp"

namespace signalr::detail {

/// The browser's own event loop as an Executor. Posted tasks run from one
/// emscripten_set_immediate callback (a macrotask, without setTimeout's 4 ms clamp); timers are
/// emscripten_set_timeout calls, cleared when cancelled. Nothing runs unless something is due,
/// so an idle connection costs nothing between its keep-alive timers.
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

    std::deque<Task> queue_;
    // Emscripten 3.1.6 numbers immediates from 0, so "armed" needs a flag of its own.
    bool immediateArmed_ = false;
    long immediateId_ = 0;
    std::map<TimerId, Timer> timers_; // map nodes stay put: their address is the callback's data
    TimerId nextTimerId_ = 1;
};

} // namespace signalr::detail
