#include "browser_executor.hpp"

#include <emscripten/emscripten.h>
#include <emscripten/eventloop.h>

#include <utility>

namespace signalr::detail {

BrowserExecutor::~BrowserExecutor() {
    if (immediateArmed_) {
        emscripten_clear_immediate(immediateId_);
    }
    for (auto& [id, timer] : timers_) {
        emscripten_clear_timeout(timer.browserId);
    }
}

void BrowserExecutor::post(Task task) {
    queue_.push_back(std::move(task));
    if (!immediateArmed_) {
        immediateArmed_ = true;
        immediateId_ = emscripten_set_immediate(&BrowserExecutor::runPosted, this);
    }
}

void BrowserExecutor::runPosted(void* self) {
    auto& executor = *static_cast<BrowserExecutor*>(self);
    executor.immediateArmed_ = false;
    // Only what was queued before this turn: tasks posted meanwhile wait for the next turn, so
    // a task that keeps posting cannot starve the browser's rendering and I/O.
    std::deque<Task> batch;
    batch.swap(executor.queue_);
    // The batch is local: a task may destroy the executor without harm.
    while (!batch.empty()) {
        Task task = std::move(batch.front());
        batch.pop_front();
        task();
    }
}

Executor::TimerId BrowserExecutor::schedule(std::chrono::milliseconds delay, Task task) {
    const TimerId id = nextTimerId_++;
    auto [it, inserted] = timers_.emplace(id, Timer{this, id, 0, std::move(task)});
    const double ms = delay.count() > 0 ? static_cast<double>(delay.count()) : 0.0;
    it->second.browserId = emscripten_set_timeout(&BrowserExecutor::fire, ms, &it->second);
    return id;
}

void BrowserExecutor::fire(void* data) {
    auto* timer = static_cast<Timer*>(data);
    BrowserExecutor& executor = *timer->owner;
    Task task = std::move(timer->task);
    executor.timers_.erase(timer->id);
    task();
}

void BrowserExecutor::cancel(TimerId id) {
    auto it = timers_.find(id);
    if (it == timers_.end()) {
        return;
    }
    emscripten_clear_timeout(it->second.browserId);
    timers_.erase(it);
}

Executor::Clock::time_point BrowserExecutor::now() const {
    // performance.now(): monotonic, in milliseconds with a fractional part.
    const std::chrono::duration<double, std::milli> sinceOrigin(emscripten_get_now());
    return Clock::time_point(std::chrono::duration_cast<Clock::duration>(sinceOrigin));
}

std::size_t BrowserExecutor::pendingBrowserCallbacks() const {
    return timers_.size() + (immediateArmed_ ? 1 : 0);
}

} // namespace signalr::detail
