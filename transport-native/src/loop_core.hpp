#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

#include <libwebsockets.h>

#include "signalr/executor.hpp"

namespace signalr::detail {

/// Something bound to one lws connection (a wsi): a WebSocket session or an HTTP exchange.
///
/// The wsi's opaque user data points at it, and it keeps itself alive (self_) from the moment it
/// hands itself to lws until LWS_CALLBACK_WSI_DESTROY, so lws never calls into a dead object and
/// the user-facing object (Transport, HttpClient) may die first.
class LwsConnection : public std::enable_shared_from_this<LwsConnection> {
public:
    virtual ~LwsConnection() = default;

    /// Every lws callback for this connection's wsi, on the loop thread. The return value goes
    /// back to lws (non-zero closes the wsi).
    virtual int onLwsCallback(lws* wsi, lws_callback_reasons reason, void* user, void* in,
                              std::size_t len) = 0;

protected:
    /// Called right before lws_client_connect_via_info().
    void retainForLws() { self_ = shared_from_this(); }
    /// Called when lws no longer knows this object (WSI_DESTROY, or a connect that returned
    /// no wsi). May drop the last reference: callers hold their own shared_ptr.
    void releaseFromLws() { self_.reset(); }

private:
    friend class LoopCore;
    std::shared_ptr<LwsConnection> self_;
};

/// The libwebsockets context, its service loop and the Executor on it. Shared by the public
/// EventLoop handle, the executor handed to connections, transports and HTTP exchanges.
///
/// Threads: post(), requestStop(), now() and isExecutorThread() are thread-safe; everything
/// else runs on the loop thread (or, before the loop ever ran, on the thread that owns it).
class LoopCore final : public Executor, public std::enable_shared_from_this<LoopCore> {
public:
    /// nullptr when lws cannot create a context.
    static std::shared_ptr<LoopCore> create();
    ~LoopCore() override;

    LoopCore(const LoopCore&) = delete;
    LoopCore& operator=(const LoopCore&) = delete;

    // Executor
    void post(Task task) override;
    /// Holds `owner` in the queue entry beside the task: no wrapping task.
    void postFor(std::shared_ptr<void> owner, Task task) override;
    TimerId schedule(std::chrono::milliseconds delay, Task task) override;
    void cancel(TimerId id) override;
    Clock::time_point now() const override;
    bool isExecutorThread() const override;

    /// Runs the loop on this thread until stop; false if it was running or stopped already.
    bool runHere();
    /// Runs the loop on a new thread; false if it was running or stopped already.
    bool startThread();
    /// See EventLoop::stop().
    void stop();

    /// The lws context; valid on the loop thread until the loop tears down, nullptr after.
    lws_context* context() const { return context_; }
    /// Thread-safe: true once the loop has torn down (no thread touches its objects any more).
    bool hasStopped() const { return tornDown_.load(std::memory_order_acquire); }
    /// The name of the protocol every client wsi binds to.
    static const char* protocolName();

    /// The loop this thread is running, if any.
    static LoopCore* current() noexcept;

private:
    struct TimerSul {
        lws_sorted_usec_list_t sul; // first member: the sul callback casts back to TimerSul
        LoopCore* owner;
    };
    using TimerKey = std::pair<Clock::time_point, TimerId>;

    LoopCore() = default;
    bool init();
    bool createClientTls();
    void run();
    void drainPosted();
    void runDueTimers();
    void armTimerSul();
    void teardown();
    static void onTimerSul(lws_sorted_usec_list_t* sul);
    static int lwsCallback(lws* wsi, lws_callback_reasons reason, void* user, void* in,
                           std::size_t len);

    lws_context* context_ = nullptr;
    // Our own client TLS context, handed to lws (provided_client_ssl_ctx) and freed by us:
    // lws 4.1 loses track of the one it creates itself when several contexts coexist.
    SSL_CTX* clientTls_ = nullptr;
    std::atomic<bool> tornDown_{false};

    struct Posted {
        Task task;
        std::shared_ptr<void> owner;
    };

    // Posted tasks. accepting_ turns false when the context is about to be destroyed; from then
    // on posts are dropped (and nobody signals a dead context).
    mutable std::mutex queueMutex_;
    std::vector<Posted> queue_;
    /// The batch drainPosted() is running (loop thread only). Vectors swapped back and forth keep
    /// their storage, so a steady flow of posts allocates nothing (a deque allocates a node
    /// every few posts).
    std::vector<Posted> drainBatch_;
    bool accepting_ = true;
    std::atomic<bool> stopRequested_{false};

    // Timers: ordered by (deadline, id) so equal deadlines run in scheduling order; the index
    // makes cancel() O(1). One lws sul is armed for the earliest deadline.
    std::map<TimerKey, Task> timers_;
    std::unordered_map<TimerId, std::map<TimerKey, Task>::iterator> timerIndex_;
    std::atomic<TimerId> nextTimerId_{1};
    TimerSul timerSul_{};
    std::optional<Clock::time_point> armedDeadline_;
    bool timersClosed_ = false;

    // Who runs the loop.
    enum class RunState { Idle, Running, Stopped };
    std::mutex runMutex_;
    RunState runState_ = RunState::Idle;
    std::thread thread_;
    std::atomic<std::thread::id> loopThread_{};
};

} // namespace signalr::detail
