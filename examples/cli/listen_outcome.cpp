#include "listen_outcome.hpp"

#include <utility>

#include "output.hpp"

namespace signalr::cli {

ListenOutcome::ListenOutcome(std::optional<std::uint64_t> count, bool awaitsInvoke)
    : count_(count), awaitsInvoke_(awaitsInvoke) {}

void ListenOutcome::attach(Done done) {
    std::unique_lock lock(mutex_);
    if (!result_) {
        done_ = std::move(done);
        return;
    }
    complete(lock, std::move(done));
}

void ListenOutcome::onCall(const std::string& target, const Arguments& arguments) {
    std::unique_lock lock(mutex_);
    if (result_ || (count_ && printed_ >= *count_)) {
        return;
    }
    // Printed under the lock: once the outcome is decided, not one more line may appear.
    printJsonLine(Value::fromObject(
        {{"target", Value::fromString(target)}, {"arguments", Value::fromArray(arguments)}}));
    ++printed_;
    complete(lock, finishIfComplete());
}

void ListenOutcome::onInvokeDone(Result<void> result) {
    std::unique_lock lock(mutex_);
    awaitsInvoke_ = false;
    if (result) {
        complete(lock, finishIfComplete());
        return;
    }
    auto code = result.error().code;
    // The invoked method may end the connection itself (CloseMe): then the close, which
    // follows, decides the outcome, as it does for a connection that ends by itself.
    if (code == ErrorCode::ServerClosed || code == ErrorCode::ConnectionLost) {
        return;
    }
    complete(lock, finish(std::move(result)));
}

void ListenOutcome::onClosed(const std::optional<Error>& error) {
    std::unique_lock lock(mutex_);
    Result<void> result;
    bool cleanServerClose =
        !error || (error->code == ErrorCode::ServerClosed && error->serverMessage.empty());
    if (!cleanServerClose) {
        auto failure = *error;
        failure.message = "connection closed: " + failure.message;
        result = std::move(failure);
    } else if (count_ && printed_ < *count_) {
        result =
            fail(ErrorCode::ConnectionLost, "connection closed after " + std::to_string(printed_) +
                                                " of " + std::to_string(*count_) + " calls");
    }
    complete(lock, finish(std::move(result)));
}

void ListenOutcome::onInterrupt() {
    std::unique_lock lock(mutex_);
    complete(lock, finish({}));
}

ListenOutcome::Done ListenOutcome::finish(Result<void> result) {
    if (result_) {
        return {};
    }
    result_ = std::move(result);
    return std::exchange(done_, nullptr);
}

ListenOutcome::Done ListenOutcome::finishIfComplete() {
    if (!count_ || printed_ < *count_ || awaitsInvoke_) {
        return {};
    }
    return finish({});
}

void ListenOutcome::complete(std::unique_lock<std::mutex>& lock, Done done) {
    if (!done) {
        return;
    }
    auto result = *result_;
    // The waiter may return and destroy the connection: never call it holding our lock.
    lock.unlock();
    done(std::move(result));
}

} // namespace signalr::cli
