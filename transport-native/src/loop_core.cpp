#include "loop_core.hpp"

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <optional>

#include "lws_limits.hpp"

namespace signalr::detail {

namespace {

thread_local LoopCore* tCurrentLoop = nullptr;

constexpr const char* kProtocolName = "signalr-client";

} // namespace

const char* LoopCore::protocolName() {
    return kProtocolName;
}

LoopCore* LoopCore::current() noexcept {
    return tCurrentLoop;
}

std::shared_ptr<LoopCore> LoopCore::create() {
    // lws logs notices and every failed connection or certificate to stderr by default; the
    // library reports all of that through its own errors instead. SIGNALR_LWS_LOG=<lws log
    // bitmask> (e.g. 7 = errors, warnings, notices) turns lws's own log back on for debugging.
    // The level is process-wide, so set it once.
    static std::once_flag logLevelOnce;
    std::call_once(logLevelOnce, [] {
        const char* requested = std::getenv("SIGNALR_LWS_LOG");
        lws_set_log_level(requested != nullptr ? std::atoi(requested) : 0, nullptr);
    });

    std::shared_ptr<LoopCore> core(new LoopCore());
    if (!core->init()) {
        return nullptr;
    }
    return core;
}

bool LoopCore::init() {
    // One protocol serves every client wsi (WebSocket and HTTP): lws sends some callbacks, such
    // as WSI_DESTROY, to the vhost's first protocol whatever the wsi is bound to.
    static const lws_protocols kProtocols[] = {
        {kProtocolName, &LoopCore::lwsCallback, 0, kRxBufferSize, 0, nullptr, 0},
        {nullptr, nullptr, 0, 0, 0, nullptr, 0},
    };

    lws_context_creation_info info;
    std::memset(&info, 0, sizeof info);
    info.port = CONTEXT_PORT_NO_LISTEN;
    info.protocols = kProtocols;
    info.options = LWS_SERVER_OPTION_DO_SSL_GLOBAL_INIT;
    info.user = this;
    info.gid = -1;
    info.uid = -1;
    info.count_threads = 1;
    // Room for long bearer tokens in the request line and headers.
    info.pt_serv_buf_size = kServiceBufferSize;
    info.max_http_header_data = kMaxHttpHeaderData;
    // Connect, handshake and request deadlines are the library's own timers (TransportRequest::
    // connectTimeout, HttpRequest::timeout); keep lws's fixed ones out of their way.
    info.timeout_secs = kLwsTimeoutSeconds;
    info.connect_timeout_secs = kLwsTimeoutSeconds;
    // lws 4.1 clients cannot run a WebSocket over HTTP/2: always offer HTTP/1.1 only.
    info.alpn = "http/1.1";

    if (!createClientTls()) {
        return false;
    }
    info.provided_client_ssl_ctx = clientTls_;

    timerSul_.owner = this;
    context_ = lws_create_context(&info);
    return context_ != nullptr;
}

bool LoopCore::createClientTls() {
    // What lws would build, owned by us (lws 4.1 finds its own client SSL_CTX through a
    // process-wide ex_data index that every new lws context replaces, so with overlapping
    // contexts it never frees it). Verification itself (SSL_VERIFY_PEER, host name or IP
    // check) is set up by lws on every connection.
    clientTls_ = SSL_CTX_new(TLS_client_method());
    if (clientTls_ == nullptr) {
        return false;
    }
    SSL_CTX_set_min_proto_version(clientTls_, TLS1_2_VERSION);
    SSL_CTX_set_options(clientTls_, SSL_OP_NO_COMPRESSION);
    // Release idle buffers: thousands of quiet TLS connections should not hold 2 x 34 KB each.
    SSL_CTX_set_mode(clientTls_, SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER | SSL_MODE_RELEASE_BUFFERS);
    // The system trust store; honours SSL_CERT_FILE and SSL_CERT_DIR.
    SSL_CTX_set_default_verify_paths(clientTls_);
    return true;
}

LoopCore::~LoopCore() {
    if (context_ != nullptr) {
        teardown();
    }
    if (clientTls_ != nullptr) {
        SSL_CTX_free(clientTls_); // lws_create_context() failed
    }
    if (thread_.joinable()) {
        if (thread_.get_id() == std::this_thread::get_id()) {
            thread_.detach();
        } else {
            thread_.join();
        }
    }
}

// ---- Executor ---------------------------------------------------------------------------------

void LoopCore::post(Task task) {
    postFor(nullptr, std::move(task));
}

void LoopCore::postFor(std::shared_ptr<void> owner, Task task) {
    std::lock_guard lock(queueMutex_);
    if (!accepting_) {
        return; // the loop is gone: the task is destroyed unrun, after the lock is released
    }
    const bool wasEmpty = queue_.empty();
    queue_.push_back(Posted{std::move(task), std::move(owner)});
    // One wake-up per batch: while the queue is non-empty a drain is already due. The loop's
    // own posts need none: run() drains after every lws_service() and drainPosted() runs until
    // the queue is empty, so the loop never sleeps on them (saves a pipe write and a poll
    // round per call made from a callback). Signalling under the lock keeps teardown from
    // destroying the context in between.
    if (wasEmpty && tCurrentLoop != this) {
        lws_cancel_service(context_);
    }
}

Executor::TimerId LoopCore::schedule(std::chrono::milliseconds delay, Task task) {
    const TimerId id = nextTimerId_.fetch_add(1, std::memory_order_relaxed);
    const auto deadline = now() + (delay.count() > 0 ? delay : std::chrono::milliseconds(0));
    auto insert = [this, id, deadline](Task t) {
        if (timersClosed_) {
            return;
        }
        auto [it, inserted] = timers_.emplace(TimerKey{deadline, id}, std::move(t));
        timerIndex_.emplace(id, it);
        armTimerSul();
    };
    if (isExecutorThread()) {
        insert(std::move(task));
    } else {
        // Off-contract (schedule() belongs on the loop thread), but keep it safe: the timer is
        // created on the loop, in order with this thread's other posts.
        post([insert, t = std::move(task)]() mutable { insert(std::move(t)); });
    }
    return id;
}

void LoopCore::cancel(TimerId id) {
    auto erase = [this, id] {
        auto found = timerIndex_.find(id);
        if (found == timerIndex_.end()) {
            return;
        }
        // Destroy the task outside the containers: its destructor may schedule or cancel.
        Task task = std::move(found->second->second);
        timers_.erase(found->second);
        timerIndex_.erase(found);
        armTimerSul();
    };
    if (isExecutorThread()) {
        erase();
    } else {
        post(erase);
    }
}

Executor::Clock::time_point LoopCore::now() const {
    return Clock::now();
}

bool LoopCore::isExecutorThread() const {
    return loopThread_.load(std::memory_order_acquire) == std::this_thread::get_id();
}

// ---- Running and stopping ---------------------------------------------------------------------

bool LoopCore::runHere() {
    {
        std::lock_guard lock(runMutex_);
        if (runState_ != RunState::Idle) {
            return false;
        }
        runState_ = RunState::Running;
    }
    auto keepAlive = shared_from_this();
    run();
    std::lock_guard lock(runMutex_);
    runState_ = RunState::Stopped;
    return true;
}

bool LoopCore::startThread() {
    std::lock_guard lock(runMutex_);
    if (runState_ != RunState::Idle) {
        return false;
    }
    runState_ = RunState::Running;
    // The thread owns a reference: the core outlives its loop even if every handle goes away.
    thread_ = std::thread([self = shared_from_this()] {
        self->run();
        std::lock_guard lock(self->runMutex_);
        self->runState_ = RunState::Stopped;
    });
    return true;
}

void LoopCore::stop() {
    {
        std::lock_guard lock(queueMutex_);
        stopRequested_.store(true);
        if (accepting_ && context_ != nullptr) {
            lws_cancel_service(context_);
        }
    }
    bool tearDownHere = false;
    std::thread thread;
    {
        std::lock_guard lock(runMutex_);
        if (runState_ == RunState::Idle) {
            // Never ran: nobody else will close the connections and drop the pending tasks.
            runState_ = RunState::Stopped;
            tearDownHere = true;
        }
        // Called from a task on the loop thread, the thread cannot join itself: it stays in
        // thread_ for the next stop() or the destructor on another thread. Detaching it instead
        // would let it tear down OpenSSL state while the process's exit handlers free it.
        if (thread_.joinable() && thread_.get_id() != std::this_thread::get_id()) {
            thread = std::move(thread_);
        }
    }
    if (tearDownHere && context_ != nullptr) {
        teardown();
    }
    if (thread.joinable()) {
        thread.join();
    }
}

void LoopCore::run() {
    tCurrentLoop = this;
    loopThread_.store(std::this_thread::get_id(), std::memory_order_release);
    while (!stopRequested_.load()) {
        // Blocks in poll() until a socket event, the timer sul or a post()'s lws_cancel_service().
        // The timeout argument is ignored by lws 4.1 (it computes the wait from its sul list).
        if (lws_service(context_, 0) < 0) {
            break;
        }
        // Posted tasks run here, after lws_service() returned, rather than inside the
        // EVENT_WAIT_CANCELLED callback: user code then never runs inside lws's pipe handler.
        drainPosted();
    }
    teardown();
    loopThread_.store(std::thread::id(), std::memory_order_release);
    tCurrentLoop = nullptr;
}

void LoopCore::drainPosted() {
    // Tasks that the batch posts run in the next round. After kMaxRounds the loop services its
    // sockets first (a task that keeps posting itself must not starve them), with a wake-up so
    // that lws_service() does not sleep on what is left.
    constexpr int kMaxRounds = 16;
    // A burst may grow the batch a lot; its storage is not kept beyond this.
    constexpr std::size_t kRetainedBatch = 1024;
    auto& batch = drainBatch_;
    for (int round = 0; round < kMaxRounds; ++round) {
        {
            std::lock_guard lock(queueMutex_);
            if (queue_.empty()) {
                return;
            }
            batch.swap(queue_);
        }
        for (std::size_t i = 0; i < batch.size(); ++i) {
            if (stopRequested_.load(std::memory_order_relaxed)) {
                break; // after stop(), whatever is left is destroyed below, unrun
            }
            // Moved out first: the task and its owner die here even if a later one stops the
            // loop, and not while another task runs.
            Posted posted = std::move(batch[i]);
            posted.task();
        }
        batch.clear();
        if (batch.capacity() > kRetainedBatch) {
            std::vector<Posted>().swap(batch);
        }
        if (stopRequested_.load(std::memory_order_relaxed)) {
            return;
        }
    }
    std::lock_guard lock(queueMutex_);
    if (!queue_.empty() && accepting_) {
        lws_cancel_service(context_);
    }
}

void LoopCore::teardown() {
    {
        std::lock_guard lock(queueMutex_);
        accepting_ = false;
    }
    timersClosed_ = true;
    if (context_ != nullptr) {
        lws_sul_cancel(&timerSul_.sul);
        armedDeadline_.reset();
        // Closes every wsi: sessions see their close callbacks, and their posts are dropped.
        lws_context_destroy(context_);
        context_ = nullptr;
        SSL_CTX_free(clientTls_);
        clientTls_ = nullptr;
    }
    // Destroy what is left outside the containers: destructors may post, schedule or cancel.
    std::vector<Posted> queue;
    {
        std::lock_guard lock(queueMutex_);
        queue.swap(queue_);
    }
    queue.clear();
    auto timers = std::move(timers_);
    timers_.clear();
    timerIndex_.clear();
    timers.clear();
    tornDown_.store(true, std::memory_order_release);
}

// ---- Timers -----------------------------------------------------------------------------------

void LoopCore::armTimerSul() {
    if (context_ == nullptr || timersClosed_) {
        return;
    }
    if (timers_.empty()) {
        if (armedDeadline_) {
            lws_sul_cancel(&timerSul_.sul);
            armedDeadline_.reset();
        }
        return;
    }
    const auto earliest = timers_.begin()->first.first;
    if (armedDeadline_ && *armedDeadline_ == earliest) {
        return;
    }
    auto delay = std::chrono::ceil<std::chrono::microseconds>(earliest - Clock::now());
    if (delay.count() < 0) {
        delay = std::chrono::microseconds(0);
    }
    lws_sul_schedule(context_, 0, &timerSul_.sul, &LoopCore::onTimerSul,
                     static_cast<lws_usec_t>(delay.count()));
    armedDeadline_ = earliest;
}

void LoopCore::onTimerSul(lws_sorted_usec_list_t* sul) {
    // sul is the first member of the standard-layout TimerSul.
    auto* owner = reinterpret_cast<TimerSul*>(sul)->owner;
    owner->armedDeadline_.reset();
    owner->runDueTimers();
}

void LoopCore::runDueTimers() {
    // Timers that become due while these run (including zero-delay ones they schedule) wait for
    // the next pass, so a timer that reschedules itself cannot starve the sockets.
    const auto dueBy = Clock::now();
    while (!timers_.empty() && !stopRequested_.load(std::memory_order_relaxed)) {
        auto first = timers_.begin();
        if (first->first.first > dueBy) {
            break;
        }
        Task task = std::move(first->second);
        timerIndex_.erase(first->first.second);
        timers_.erase(first);
        task();
    }
    armTimerSul();
}

// ---- lws callback -----------------------------------------------------------------------------

int LoopCore::lwsCallback(lws* wsi, lws_callback_reasons reason, void* user, void* in,
                          std::size_t len) {
    switch (reason) {
    case LWS_CALLBACK_EVENT_WAIT_CANCELLED:
        // The wake-up of post() and stop(); run() drains the queue once lws_service() returns.
        return 0;
    case LWS_CALLBACK_PROTOCOL_INIT:
    case LWS_CALLBACK_PROTOCOL_DESTROY:
    case LWS_CALLBACK_GET_THREAD_ID: return 0;
    default: break;
    }
    if (wsi == nullptr) {
        return 0;
    }
    auto* connection = static_cast<LwsConnection*>(lws_get_opaque_user_data(wsi));
    if (connection == nullptr) {
        return 0;
    }
    // Hold it: the callback may drop every other reference (the user destroys its transport).
    auto keepAlive = connection->shared_from_this();
    const int result = connection->onLwsCallback(wsi, reason, user, in, len);
    if (reason == LWS_CALLBACK_WSI_DESTROY) {
        lws_set_opaque_user_data(wsi, nullptr);
        connection->self_.reset();
    }
    return result;
}

} // namespace signalr::detail
