#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <vector>

#include "signalr/error.hpp"

namespace signalr {

/// What a reconnect policy decides on: how many attempts failed so far in this reconnect
/// cycle, how long the cycle has been running, and why the last connection or attempt ended.
struct RetryContext {
    std::uint32_t previousRetryCount = 0;
    std::chrono::milliseconds elapsed{0};
    Error reason;
};

/// Options of ReconnectPolicy::exponential(). The n-th delay (n from 0) is
/// `min(initialDelay * multiplier^n, maxDelay)`, then scaled by the jitter factor.
struct ExponentialBackoff {
    std::chrono::milliseconds initialDelay{1000};
    double multiplier = 2.0;
    std::chrono::milliseconds maxDelay{30000};
    /// Attempts per reconnect cycle; nullopt retries forever.
    std::optional<std::uint32_t> maxAttempts;
    /// 0..1: each delay is scaled by a uniform factor in [1 - jitter, 1 + jitter] (the result
    /// never exceeds maxDelay), so many clients dropped together do not return together.
    double jitter = 0.0;
    /// Seed of the jitter's generator, for reproducible delays; 0 picks a random seed.
    std::uint64_t seed = 0;
};

/// When to try to reconnect after a live connection is lost: a pure function from a
/// RetryContext to the delay before the next attempt, or nullopt to give up.
class ReconnectPolicy {
public:
    using Function = std::function<std::optional<std::chrono::milliseconds>(const RetryContext&)>;

    /// The official clients' delays: 0, 2, 10 and 30 s, then give up.
    static ReconnectPolicy defaultDelays();
    /// One attempt per entry, after that entry's delay; then give up.
    static ReconnectPolicy delays(std::vector<std::chrono::milliseconds> d);
    /// Exponential backoff with an optional cap on attempts and optional jitter.
    static ReconnectPolicy exponential(ExponentialBackoff options);
    /// Any function; it runs on the connection's executor. An empty function never retries.
    static ReconnectPolicy custom(Function f);

    /// The delay before the next attempt; nullopt = stop. Negative delays count as zero.
    std::optional<std::chrono::milliseconds> nextDelay(const RetryContext& c) const;

private:
    explicit ReconnectPolicy(Function f) : next_(std::move(f)) {}
    Function next_;
};

/// How automatic reconnection treats the server and the first start().
struct ReconnectOptions {
    /// true: a server Close without allowReconnect ends the connection (Disconnected, no
    /// retries). false: reconnect after any server Close.
    bool honourAllowReconnect = true;
    /// true: a failing start() is retried by the policy too; its completion runs when the
    /// connection is up or the policy gives up (state Failed).
    bool retryInitialStart = false;
};

} // namespace signalr
