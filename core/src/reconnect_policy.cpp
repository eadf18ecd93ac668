#include "signalr/reconnect_policy.hpp"

#include <algorithm>
#include <cmath>
#include <random>
#include <utility>

namespace signalr {

namespace {

using std::chrono::milliseconds;

/// A well-mixed 64-bit value from any input (splitmix64's finaliser): the jitter of attempt n
/// depends only on the seed and n, so the policy stays a pure function.
std::uint64_t mix(std::uint64_t x) {
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

/// Uniform in [0, 1).
double unitInterval(std::uint64_t bits) {
    return static_cast<double>(bits >> 11) * (1.0 / 9007199254740992.0);
}

std::optional<milliseconds> exponentialDelay(const ExponentialBackoff& o, const RetryContext& c) {
    if (o.maxAttempts && c.previousRetryCount >= *o.maxAttempts) {
        return std::nullopt;
    }
    const double cap = static_cast<double>(std::max<milliseconds::rep>(o.maxDelay.count(), 0));
    const double initial =
        static_cast<double>(std::max<milliseconds::rep>(o.initialDelay.count(), 0));
    const double multiplier = std::max(o.multiplier, 1.0);
    // pow() may overflow to infinity for long outages; min() then picks the cap.
    double delay =
        std::min(initial * std::pow(multiplier, static_cast<double>(c.previousRetryCount)), cap);
    const double jitter = std::clamp(o.jitter, 0.0, 1.0);
    if (jitter > 0.0) {
        const double u = unitInterval(mix(o.seed ^ mix(c.previousRetryCount)));
        delay = std::min(delay * (1.0 - jitter + 2.0 * jitter * u), cap);
    }
    return milliseconds(static_cast<milliseconds::rep>(std::llround(delay)));
}

} // namespace

ReconnectPolicy ReconnectPolicy::defaultDelays() {
    return delays({milliseconds(0), milliseconds(2000), milliseconds(10000), milliseconds(30000)});
}

ReconnectPolicy ReconnectPolicy::delays(std::vector<milliseconds> d) {
    return ReconnectPolicy(
        [d = std::move(d)](const RetryContext& c) -> std::optional<milliseconds> {
            if (c.previousRetryCount >= d.size()) {
                return std::nullopt;
            }
            return d[c.previousRetryCount];
        });
}

ReconnectPolicy ReconnectPolicy::exponential(ExponentialBackoff options) {
    if (options.seed == 0) {
        // Clients dropped by the same outage must not pick the same delays.
        std::random_device entropy;
        options.seed = (static_cast<std::uint64_t>(entropy()) << 32) ^ entropy();
        if (options.seed == 0) {
            options.seed = 1;
        }
    }
    return ReconnectPolicy(
        [options](const RetryContext& c) { return exponentialDelay(options, c); });
}

ReconnectPolicy ReconnectPolicy::custom(Function f) {
    return ReconnectPolicy(std::move(f));
}

std::optional<milliseconds> ReconnectPolicy::nextDelay(const RetryContext& c) const {
    if (!next_) {
        return std::nullopt;
    }
    auto delay = next_(c);
    if (delay && delay->count() < 0) {
        return milliseconds(0);
    }
    return delay;
}

} // namespace signalr
