#include "browser_executor.hpp"

#include <emscripten/emscripten.h>
#include <emscripten/eventloop.h>

#include <utility>

extern "C" {
// transport-wasm/src/signalr_browser.js
long signalr_queue_microtask(void (*callback)(void*), void* data);
void signalr_cancel_microtask(long id);
}

namespace signalr::detail {
namespace {
// The executor whose turn is running (one thread: the browser's).
BrowserExecutor* runningTurn = nullptr;
} // namespace

BrowserExecutor::~BrowserExecutor() {
    disarm();
    for (auto& [id, timer] : timers_) {
        emscripten_clear_timeout(timer.browserId);
    }
}

void BrowserExecutor::post(Task task) {
    queue_.push_back(std::move(task));
    if (armed_ == Armed::No) {
        arm();
    }
}

void BrowserExecutor::arm() {
    // A post from outside a turn (a browser event, a call from JavaScript) starts a new chain.
    chain_ = runningTurn == this ? chain_ + 1 : 0;
    if (chain_ < kMicrotaskChain) {
        armed_ = Armed::Microtask;
        armedId_ = signalr_queue_microtask(&BrowserExecutor::runPosted, this);
    } else {
        chain_ = 0;
        armed_ = Armed::Immediate;
        armedId_ = emscripten_set_immediate(&BrowserExecutor::runPosted, this);
    }
}

void BrowserExecutor::disarm() {
    if (armed_ == Armed::Microtask) {
        signalr_cancel_microtask(armedId_);
    } else if (armed_ == Armed::Immediate) {
        emscripten_clear_immediate(armedId_);
    }
    armed_ = Armed::No;
}

void BrowserExecutor::runPosted(void* self) {
    auto& executor = *static_cast<BrowserExecutor*>(self);
    executor.armed_ = Armed::No;
    // Only what was queued before this turn: tasks posted meanwhile wait for the next turn.
    std::deque<Task> batch;
    batch.swap(executor.queue_);
    // The batch and the turn's owner are not members: a task may destroy the executor without harm.
    BrowserExecutor* const outer = runningTurn;
    runningTurn = &executor;
    while (!batch.empty()) {
        Task task = std::move(batch.front());
        batch.pop_front();
        task();
    }
    runningTurn = outer;
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
    return timers_.size() + (armed_ != Armed::No ? 1 : 0);
}

} // namespace signalr::detail
