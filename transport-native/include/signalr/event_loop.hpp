#pragma once

#include <memory>

#include "signalr/executor.hpp"
#include "signalr/platform.hpp"

namespace signalr {

namespace detail {
class LoopCore;
} // namespace detail

/// A libwebsockets event loop (native builds only): one lws context and one service thread that
/// serve every WebSocket and HTTP request of every connection bound to it. Thousands of
/// connections on one loop still mean one thread.
///
/// The thread sleeps in poll() until a socket is ready, a timer is due or a task is posted; an
/// idle loop does not wake up.
///
/// Most applications never create one: signalr::defaultPlatform() uses a process-wide loop that
/// starts on its own thread the first time it is asked for. Create an EventLoop to choose the
/// thread (runInThisThread()) or to give a group of connections a loop of their own.
///
/// Ownership: the EventLoop handle owns the running loop. Destroying the last handle stops the
/// loop (as stop() does). Executors, HTTP clients and transports obtained from it stay valid
/// objects after that, but nothing they are given runs any more.
///
/// A loop runs once: after stop() it cannot be started again.
///
/// TLS: wss:// and https:// verify the server's certificate and host name against OpenSSL's
/// default trust store (which honours SSL_CERT_FILE and SSL_CERT_DIR when the loop is created).
/// libwebsockets' own logging is off; set SIGNALR_LWS_LOG to an lws log bitmask (7 = errors,
/// warnings and notices) before the first loop is created to turn it on.
///
/// Limits of libwebsockets 4.1: host names are resolved with a blocking getaddrinfo() on the
/// loop thread, so a slow resolver stalls every connection of the loop; and creating a second
/// loop while another one is in the middle of a TLS handshake can fail that handshake (lws keeps
/// process-wide OpenSSL indices that each new context replaces). Create loops up front.
class EventLoop {
public:
    /// A new loop that is not running yet. Returns nullptr if libwebsockets cannot create its
    /// context (for example when the process has no file descriptors left).
    static std::shared_ptr<EventLoop> create();

    /// Stops the loop (see stop()).
    ~EventLoop();

    EventLoop(const EventLoop&) = delete;
    EventLoop& operator=(const EventLoop&) = delete;

    /// Runs the loop on the calling thread until stop() is called (from any thread, including
    /// from a task running on the loop). Returns at once if the loop is already running or was
    /// stopped.
    void runInThisThread();

    /// Runs the loop on a new thread, owned by this object. Returns at once if the loop is
    /// already running or was stopped.
    void startThread();

    /// Thread-safe and idempotent. Makes the loop return as soon as the task or I/O callback it
    /// is running finishes, then closes every connection and destroys the tasks and timers that
    /// were still pending without running them: their completions never fire. Joins the thread
    /// that startThread() started, unless it is called on that thread. Never waits for network
    /// activity or for pending operations to complete.
    void stop();

    /// The loop's Executor: post() is thread-safe and wakes the loop; schedule() and cancel()
    /// belong on the loop thread; now() is std::chrono::steady_clock.
    std::shared_ptr<Executor> executor();

    /// The executor, an HttpClient and a WebSocket transport factory, all bound to this loop.
    /// Pass it to HubConnectionBuilder::withPlatform().
    Platform platform();

private:
    struct PrivateTag {
        explicit PrivateTag() = default;
    };

public:
    /// Use create().
    EventLoop(PrivateTag, std::shared_ptr<detail::LoopCore> core);

private:
    std::shared_ptr<detail::LoopCore> core_;
};

} // namespace signalr
