#include "interrupt_watcher.hpp"

#include <pthread.h>

#include <cstdlib>

namespace signalr::cli {
namespace {

// SIGUSR2 is how the destructor wakes the watcher; users never send it.
constexpr int kStopSignal = SIGUSR2;

sigset_t watchedSignals() {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, kStopSignal);
    return set;
}

} // namespace

InterruptWatcher::InterruptWatcher(std::function<void()> onInterrupt)
    : onInterrupt_(std::move(onInterrupt)) {
    auto set = watchedSignals();
    pthread_sigmask(SIG_BLOCK, &set, &previousMask_);
    thread_ = std::thread([this] { run(); });
}

InterruptWatcher::~InterruptWatcher() {
    pthread_kill(thread_.native_handle(), kStopSignal);
    thread_.join();
    pthread_sigmask(SIG_SETMASK, &previousMask_, nullptr);
}

void InterruptWatcher::run() {
    auto set = watchedSignals();
    bool interrupted = false;
    while (true) {
        int signal = 0;
        if (sigwait(&set, &signal) != 0 || signal == kStopSignal) {
            return;
        }
        if (interrupted) {
            std::_Exit(128 + signal);
        }
        interrupted = true;
        onInterrupt_();
    }
}

} // namespace signalr::cli
