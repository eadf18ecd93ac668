#pragma once

#include <csignal>
#include <functional>
#include <thread>

namespace signalr::cli {

/// Turns SIGINT and SIGTERM into a callback on a thread of its own, so a blocked command can
/// finish cleanly (stop the connection, exit 0) instead of dying mid-write. A second signal
/// exits at once, in case the clean path hangs.
///
/// Create it before any other thread starts: the signals are blocked in the creating thread and
/// every thread started later inherits that, which leaves the watcher the only taker.
class InterruptWatcher {
public:
    explicit InterruptWatcher(std::function<void()> onInterrupt);
    ~InterruptWatcher();
    InterruptWatcher(const InterruptWatcher&) = delete;
    InterruptWatcher& operator=(const InterruptWatcher&) = delete;

private:
    void run();

    std::function<void()> onInterrupt_;
    sigset_t previousMask_{};
    std::thread thread_;
};

} // namespace signalr::cli
