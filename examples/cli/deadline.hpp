#pragma once

#include <algorithm>
#include <chrono>

namespace signalr::cli {

/// The overall time budget of one command (--timeout). A zero budget means no bound.
class Deadline {
public:
    using Clock = std::chrono::steady_clock;

    explicit Deadline(std::chrono::milliseconds budget)
        : budget_(budget), end_(Clock::now() + budget) {}

    bool bounded() const { return budget_.count() > 0; }
    std::chrono::milliseconds budget() const { return budget_; }
    bool expired() const { return bounded() && Clock::now() >= end_; }

    /// Time left, never negative. Unbounded deadlines report a year, which every wait accepts
    /// without overflowing its clock arithmetic.
    std::chrono::milliseconds remaining() const {
        if (!bounded()) {
            return std::chrono::hours(24 * 365);
        }
        // Rounded up, so a wait for remaining() ends at or after the deadline, never just before.
        auto left = std::chrono::ceil<std::chrono::milliseconds>(end_ - Clock::now());
        return std::max(left, std::chrono::milliseconds(0));
    }

    /// remaining(), but at most `cap`: for clean-up steps that must not eat the whole budget.
    std::chrono::milliseconds remainingAtMost(std::chrono::milliseconds cap) const {
        return std::min(remaining(), cap);
    }

private:
    std::chrono::milliseconds budget_;
    Clock::time_point end_;
};

} // namespace signalr::cli
