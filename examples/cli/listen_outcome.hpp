#pragma once

#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>

#include "signalr/result.hpp"
#include "signalr/value.hpp"

namespace signalr::cli {

/// Decides when `listen` is over and prints the calls until then. Whichever comes first wins:
/// --count calls printed (and --then-invoke answered), the connection closing, a failed
/// --then-invoke, or an interrupt. Thread-safe: calls arrive on the event loop thread,
/// interrupts on the watcher thread.
class ListenOutcome {
public:
    using Done = std::function<void(Result<void>)>;

    ListenOutcome(std::optional<std::uint64_t> count, bool awaitsInvoke);

    /// Hands over the completion of the blocking wait; runs it at once if the listen is
    /// already over.
    void attach(Done done);

    /// A server call to a listened method: printed as {"target":..,"arguments":[..]}, unless
    /// the listen is over.
    void onCall(const std::string& target, const Arguments& arguments);
    /// The --then-invoke call finished; an error ends the listen with it, unless the
    /// connection closed (then onClosed decides).
    void onInvokeDone(Result<void> result);
    /// The connection closed; a clean server close ends a listen without --count successfully.
    void onClosed(const std::optional<Error>& error);
    /// SIGINT or SIGTERM: the user is done listening, which is success.
    void onInterrupt();

private:
    // All three run with mutex_ held.
    /// Records the outcome (the first one wins); returns the completion to run, if due.
    Done finish(Result<void> result);
    /// finish(success) once --count calls are printed and --then-invoke has answered.
    Done finishIfComplete();
    /// Runs `done` (if any) with the outcome, after releasing the lock.
    void complete(std::unique_lock<std::mutex>& lock, Done done);

    std::mutex mutex_;
    std::optional<std::uint64_t> count_;
    std::uint64_t printed_ = 0;
    bool awaitsInvoke_;
    std::optional<Result<void>> result_;
    Done done_;
};

} // namespace signalr::cli
