#include "signalr/event_loop.hpp"

#include <cstdio>
#include <cstdlib>

#include "loop_core.hpp"
#include "lws_http_client.hpp"
#include "signalr/wait.hpp"
#include "websocket_transport.hpp"

namespace signalr {

std::shared_ptr<EventLoop> EventLoop::create() {
    auto core = detail::LoopCore::create();
    if (!core) {
        return nullptr;
    }
    return std::make_shared<EventLoop>(PrivateTag{}, std::move(core));
}

EventLoop::EventLoop(PrivateTag, std::shared_ptr<detail::LoopCore> core) : core_(std::move(core)) {}

EventLoop::~EventLoop() {
    core_->stop();
}

void EventLoop::runInThisThread() {
    core_->runHere();
}

void EventLoop::startThread() {
    core_->startThread();
}

void EventLoop::stop() {
    core_->stop();
}

std::shared_ptr<Executor> EventLoop::executor() {
    return core_;
}

Platform EventLoop::platform() {
    return Platform{
        .executor = core_,
        .httpClient = std::make_shared<detail::LwsHttpClient>(core_),
        .makeTransport = [core = core_]() -> std::unique_ptr<Transport> {
            return std::make_unique<detail::WebSocketTransport>(core);
        },
    };
}

Platform defaultPlatform() {
    // Started on first use; destroyed at static destruction, which stops and joins the thread
    // and closes every connection before OpenSSL's own exit handler runs (OpenSSL registered
    // that handler while this object was being constructed, so it runs after our destructor).
    static const std::shared_ptr<EventLoop> loop = [] {
        auto created = EventLoop::create();
        if (!created) {
            std::fputs("signalr: cannot create the default libwebsockets event loop\n", stderr);
            std::abort();
        }
        created->startThread();
        return created;
    }();
    return loop->platform();
}

namespace detail {

bool onEventLoopThread() noexcept {
    return LoopCore::current() != nullptr;
}

} // namespace detail

} // namespace signalr
