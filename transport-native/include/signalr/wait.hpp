#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>

#include "signalr/error.hpp"
#include "signalr/result.hpp"

namespace signalr {

namespace detail {
/// True on a thread that is running an EventLoop (its own thread or one that called
/// runInThisThread()).
bool onEventLoopThread() noexcept;
} // namespace detail

/// Blocks the calling thread until an asynchronous operation completes, for applications that
/// want synchronous code (native builds only):
///
///     auto sum = signalr::wait<std::int64_t>(
///         [&](auto done) { connection.invoke<std::int64_t>("Add", {1, 2}, done); });
///     auto started = signalr::wait([&](auto done) { connection.start(done); });
///
/// `start` is called once, on the calling thread, with a `std::function<void(Result<T>)>`
/// completion; the operation may call it on any thread. Returns its result, or an
/// ErrorCode::Timeout error if it has not been called within `timeout`. A completion that fires
/// after the timeout is harmless: it only touches state that it shares with this call.
///
/// Never call wait() on an event loop thread (inside a callback or a posted task): the loop could
/// not run the operation it waits for. That case is detected and returns an
/// ErrorCode::InvalidState error at once, without calling `start`.
template <class T = void, class F>
Result<T> wait(F&& start, std::chrono::milliseconds timeout = std::chrono::seconds(60)) {
    if (detail::onEventLoopThread()) {
        return fail(ErrorCode::InvalidState,
                    "signalr::wait() was called on an event loop thread, where it would "
                    "deadlock; use the completion callback instead");
    }
    struct Shared {
        std::mutex mutex;
        std::condition_variable ready;
        std::optional<Result<T>> result;
    };
    auto shared = std::make_shared<Shared>();
    std::function<void(Result<T>)> done = [shared](Result<T> result) {
        std::lock_guard lock(shared->mutex);
        if (!shared->result) {
            shared->result.emplace(std::move(result));
            shared->ready.notify_all();
        }
    };
    std::forward<F>(start)(std::move(done));

    std::unique_lock lock(shared->mutex);
    if (!shared->ready.wait_for(lock, timeout, [&] { return shared->result.has_value(); })) {
        return fail(ErrorCode::Timeout, "the operation did not complete within " +
                                            std::to_string(timeout.count()) + " ms");
    }
    return std::move(*shared->result);
}

} // namespace signalr
