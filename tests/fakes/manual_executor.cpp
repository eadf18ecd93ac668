#include "manual_executor.hpp"

namespace signalr::test {

void ManualExecutor::post(Task task) {
    tasks_.push_back(std::move(task));
}

Executor::TimerId ManualExecutor::schedule(std::chrono::milliseconds delay, Task task) {
    const TimerId id = nextId_++;
    const auto due = now_ + (delay.count() < 0 ? std::chrono::milliseconds(0) : delay);
    timers_.emplace(std::make_pair(due, id), std::move(task));
    dueById_.emplace(id, due);
    return id;
}

void ManualExecutor::cancel(TimerId id) {
    auto it = dueById_.find(id);
    if (it == dueById_.end()) {
        return;
    }
    auto node = timers_.extract(std::make_pair(it->second, id));
    dueById_.erase(it);
    // The task (and what it captured) dies here, as with a real executor.
}

std::size_t ManualExecutor::runPending() {
    std::size_t count = 0;
    while (!tasks_.empty()) {
        Task task = std::move(tasks_.front());
        tasks_.pop_front();
        task();
        ++count;
    }
    return count;
}

void ManualExecutor::advance(std::chrono::milliseconds duration) {
    runPending();
    const auto end = now_ + duration;
    while (!timers_.empty() && timers_.begin()->first.first <= end) {
        auto node = timers_.extract(timers_.begin());
        dueById_.erase(node.key().second);
        now_ = node.key().first;
        ++timersFired_;
        node.mapped()();
        runPending();
    }
    now_ = end;
    runPending();
}

std::optional<std::chrono::milliseconds> ManualExecutor::nextTimerIn() const {
    if (timers_.empty()) {
        return std::nullopt;
    }
    return std::chrono::duration_cast<std::chrono::milliseconds>(timers_.begin()->first.first -
                                                                 now_);
}

} // namespace signalr::test
