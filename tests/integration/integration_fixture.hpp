#pragma once

// Shared helpers of the integration tests: the hub process of the test binary, connections built
// through the public API, bounded waits, and small socket tools for failure cases.
//
// Callbacks of a HubConnection run on the event loop thread and may run after a test's locals
// are gone (a destroyed connection completes its calls later, with Cancelled). So everything a
// callback touches is held by shared_ptr: `auto got = mailbox<int>(); ... [got](int i) {...}`.

#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "signalr/signalr.hpp"
#include "signalr/wait.hpp"
#include "support/hub_process.hpp"

namespace signalr::integration {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

/// The longest any single wait of a test may take before the test fails instead of hanging.
inline constexpr std::chrono::milliseconds kTimeout = 10s;

/// The hub shared by every test of this binary: started on first use, stopped after the last
/// test. nullptr, with the reason as a test failure, if it cannot start.
test::HubProcess* sharedHub();

/// The shared hub's URL for `path` ("http://127.0.0.1:<port>/hub"); "" without a hub.
std::string hubUrl(const std::string& path = "/hub");

/// A thread-safe queue: callbacks push, the test thread pops with a deadline.
template <class T>
class Mailbox {
public:
    void push(T value) {
        std::lock_guard lock(mutex_);
        items_.push_back(std::move(value));
        ready_.notify_all();
    }

    /// The oldest value, waiting at most `timeout` for one; nullopt if none came.
    std::optional<T> pop(std::chrono::milliseconds timeout = kTimeout) {
        std::unique_lock lock(mutex_);
        if (!ready_.wait_for(lock, timeout, [&] { return !items_.empty(); })) {
            return std::nullopt;
        }
        T value = std::move(items_.front());
        items_.pop_front();
        return value;
    }

    /// The oldest value if one is there already.
    std::optional<T> tryPop() { return pop(std::chrono::milliseconds(0)); }

    /// Waits until `count` values are queued and returns them (fewer after the timeout).
    std::vector<T> take(std::size_t count, std::chrono::milliseconds timeout = kTimeout) {
        const auto deadline = Clock::now() + timeout;
        std::unique_lock lock(mutex_);
        ready_.wait_until(lock, deadline, [&] { return items_.size() >= count; });
        std::vector<T> out;
        while (!items_.empty() && out.size() < count) {
            out.push_back(std::move(items_.front()));
            items_.pop_front();
        }
        return out;
    }

    std::size_t size() const {
        std::lock_guard lock(mutex_);
        return items_.size();
    }

private:
    mutable std::mutex mutex_;
    std::condition_variable ready_;
    std::deque<T> items_;
};

template <class T>
std::shared_ptr<Mailbox<T>> mailbox() {
    return std::make_shared<Mailbox<T>>();
}

/// Extra builder settings for one test.
using Configure = std::function<void(HubConnectionBuilder&)>;

/// Builds a connection to `url` on the default platform (log lines at Warning and above go to
/// stderr).
Result<HubConnection> build(const std::string& url, const Configure& configure = {});

/// start() with a bounded wait.
Result<void> start(HubConnection& connection, std::chrono::milliseconds timeout = kTimeout);

/// stop() with a bounded wait.
Result<void> stop(HubConnection& connection, std::chrono::milliseconds timeout = kTimeout);

/// build() then start(): the connection, or why it could not be built or started.
Result<HubConnection> connect(const std::string& url, const Configure& configure = {});

/// invoke() with a bounded wait: `invoke<std::int64_t>(connection, "Add", {1, 2})`.
template <class R = Value>
Result<R> invoke(HubConnection& connection, std::string method, Arguments args = {},
                 std::chrono::milliseconds timeout = kTimeout) {
    return signalr::wait<R>(
        [&](auto done) { connection.invoke<R>(std::move(method), std::move(args), done); },
        timeout);
}

/// Every onClosed event of `connection`, in order.
std::shared_ptr<Mailbox<std::optional<Error>>> watchClosed(HubConnection& connection);

/// "Code: message (server: ...)" for assertion messages.
std::string describe(const Error& error);
template <class T>
std::string describe(const Result<T>& result) {
    return result.ok() ? std::string("ok") : describe(result.error());
}

/// Milliseconds since `since`.
long long elapsedMs(Clock::time_point since);

/// The "Threads:" line of /proc/self/status.
int processThreadCount();

/// The number of open file descriptors of this process (/proc/self/fd).
int openFileDescriptors();

/// A loopback port nothing listens on (bound, then released).
int unusedLoopbackPort();

/// The pid of the hub process listening on `port` (a child of this process), or -1.
int hubPid(int port);

/// A TCP listener on 127.0.0.1 that accepts connections and never answers: a server that hangs.
class SilentServer {
public:
    SilentServer();
    ~SilentServer();
    SilentServer(const SilentServer&) = delete;
    SilentServer& operator=(const SilentServer&) = delete;

    /// 0 if the listener could not be opened.
    int port() const { return port_; }

    /// Accepts one connection and waits until the client has sent its first bytes (a request
    /// the server will never answer). False if that did not happen within `timeout`.
    bool waitForRequest(std::chrono::milliseconds timeout = kTimeout);

private:
    int listener_ = -1;
    int port_ = 0;
    std::vector<int> accepted_;
};

} // namespace signalr::integration
