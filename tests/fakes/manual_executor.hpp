#pragma once

#include <chrono>
#include <cstddef>
#include <deque>
#include <map>
#include <optional>
#include <utility>

#include "signalr/executor.hpp"

namespace signalr::test {

/// A single-threaded executor with a virtual clock: tests decide when tasks run and when time
/// passes, so a 30 s timeout takes microseconds.
class ManualExecutor : public Executor {
public:
    void post(Task task) override;
    TimerId schedule(std::chrono::milliseconds delay, Task task) override;
    void cancel(TimerId id) override;
    Clock::time_point now() const override { return now_; }
    bool isExecutorThread() const override { return true; }

    /// Runs posted tasks (and the ones they post) until none is left; returns how many ran.
    std::size_t runPending();
    /// Moves the clock forward, firing due timers in order and running what they post.
    void advance(std::chrono::milliseconds duration);
    /// Timers scheduled and not yet fired or cancelled.
    std::size_t pendingTimers() const { return timers_.size(); }
    /// How long until the next timer fires, if any.
    std::optional<std::chrono::milliseconds> nextTimerIn() const;
    /// Drops every queued task and timer without running it. Tasks may hold the connection that
    /// holds this executor: clearing breaks that cycle when a test ends.
    void clear() {
        tasks_.clear();
        timers_.clear();
        dueById_.clear();
    }
    /// Timers fired since construction.
    std::size_t timersFired() const { return timersFired_; }

private:
    struct Timer {
        Clock::time_point due;
        Task task;
    };
    std::deque<Task> tasks_;
    // Ordered by (due time, id): equal deadlines fire in scheduling order.
    std::map<std::pair<Clock::time_point, TimerId>, Task> timers_;
    std::map<TimerId, Clock::time_point> dueById_;
    TimerId nextId_ = 1;
    std::size_t timersFired_ = 0;
    Clock::time_point now_ = Clock::time_point(std::chrono::hours(1));
};

} // namespace signalr::test
