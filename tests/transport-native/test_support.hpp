#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <type_traits>
#include <vector>

#include <gtest/gtest.h>

#include "signalr/event_loop.hpp"
#include "signalr/executor.hpp"
#include "signalr/transport.hpp"

namespace signalr::test {

using namespace std::chrono_literals;

/// Runs `f` on the executor and waits (at most 10 s) for its result.
template <class F>
auto onLoop(Executor& executor, F f) -> std::invoke_result_t<F> {
    using R = std::invoke_result_t<F>;
    auto promise = std::make_shared<std::promise<R>>();
    auto future = promise->get_future();
    executor.post([promise, f = std::move(f)]() mutable {
        if constexpr (std::is_void_v<R>) {
            f();
            promise->set_value();
        } else {
            promise->set_value(f());
        }
    });
    if (future.wait_for(10s) != std::future_status::ready) {
        ADD_FAILURE() << "the loop did not run the task within 10 s";
        std::abort();
    }
    return future.get();
}

/// Records what a transport reports, from the loop thread, for the test thread to wait on.
class TransportEvents : public std::enable_shared_from_this<TransportEvents> {
public:
    explicit TransportEvents(std::shared_ptr<Executor> executor) : executor_(std::move(executor)) {}

    TransportHandlers handlers() {
        auto self = shared_from_this();
        return TransportHandlers{
            .onOpen =
                [self] {
                    self->update([&] {
                        self->checkThread();
                        ++self->opens;
                    });
                },
            .onMessage =
                [self](std::string_view data) {
                    self->update([&] {
                        self->checkThread();
                        self->messages.emplace_back(data);
                    });
                },
            .onClose =
                [self](std::optional<Error> error) {
                    self->update([&] {
                        self->checkThread();
                        ++self->closes;
                        self->closeError = std::move(error);
                    });
                },
        };
    }

    template <class P>
    bool waitUntil(P predicate, std::chrono::milliseconds timeout = 10s) {
        std::unique_lock lock(mutex);
        return changed.wait_for(lock, timeout, [&] { return predicate(*this); });
    }

    template <class F>
    auto read(F f) {
        std::lock_guard lock(mutex);
        return f(*this);
    }

    // Guarded by mutex.
    std::mutex mutex;
    std::condition_variable changed;
    int opens = 0;
    int closes = 0;
    std::optional<Error> closeError;
    std::vector<std::string> messages;
    bool offLoopCallback = false;

private:
    template <class F>
    void update(F f) {
        std::lock_guard lock(mutex);
        f();
        changed.notify_all();
    }
    void checkThread() {
        if (!executor_->isExecutorThread()) {
            offLoopCallback = true;
        }
    }

    std::shared_ptr<Executor> executor_;
};

/// A running loop whose TLS trust store is `certificateFile`. OpenSSL's default trust store
/// reads SSL_CERT_FILE when the loop's context is created; the variable is restored after.
inline std::shared_ptr<EventLoop> loopTrusting(const std::string& certificateFile) {
    const char* previous = std::getenv("SSL_CERT_FILE");
    const std::string saved = previous ? previous : "";
    setenv("SSL_CERT_FILE", certificateFile.c_str(), 1);
    auto loop = EventLoop::create();
    if (previous) {
        setenv("SSL_CERT_FILE", saved.c_str(), 1);
    } else {
        unsetenv("SSL_CERT_FILE");
    }
    if (loop) {
        loop->startThread();
    }
    return loop;
}

} // namespace signalr::test
