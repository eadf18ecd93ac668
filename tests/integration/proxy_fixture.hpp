#pragma once

// Helpers of the tests that put the FaultProxy (tests/support/fault_proxy.hpp) between the
// client and the hub: a proxy per test, a tally of many concurrent calls, and the figures the
// tests print.

#include <algorithm>
#include <cstdio>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "integration_fixture.hpp"
#include "support/fault_proxy.hpp"

namespace signalr::integration {

/// The outcomes of `expected` calls numbered 0..expected-1, completed from any thread.
template <class T>
class Tally {
public:
    explicit Tally(std::size_t expected) : outcomes_(expected) {}

    void record(std::size_t index, Result<T> result) {
        std::lock_guard lock(mutex_);
        if (outcomes_[index]) {
            ++duplicates_;
        } else {
            outcomes_[index] = std::move(result);
            ++completed_;
        }
        changed_.notify_all();
    }

    /// Waits until at least `count` calls have completed.
    bool waitCompleted(std::size_t count, std::chrono::milliseconds timeout) {
        std::unique_lock lock(mutex_);
        return changed_.wait_for(lock, timeout, [&] { return completed_ >= count; });
    }

    bool waitAll(std::chrono::milliseconds timeout) {
        return waitCompleted(outcomes_.size(), timeout);
    }

    std::size_t completed() const {
        std::lock_guard lock(mutex_);
        return completed_;
    }

    std::size_t duplicates() const {
        std::lock_guard lock(mutex_);
        return duplicates_;
    }

    std::size_t succeeded() const {
        std::lock_guard lock(mutex_);
        return static_cast<std::size_t>(std::count_if(outcomes_.begin(), outcomes_.end(),
                                                      [](const auto& o) { return o && o->ok(); }));
    }

    /// How many failed, by error code name.
    std::map<std::string, std::size_t> failures() const {
        std::lock_guard lock(mutex_);
        std::map<std::string, std::size_t> out;
        for (const auto& o : outcomes_) {
            if (o && !o->ok()) {
                ++out[std::string(toString(o->error().code))];
            }
        }
        return out;
    }

    /// The indexes that completed with `code`, ascending.
    std::vector<std::size_t> failedWith(ErrorCode code) const {
        std::lock_guard lock(mutex_);
        std::vector<std::size_t> out;
        for (std::size_t i = 0; i < outcomes_.size(); ++i) {
            if (outcomes_[i] && !outcomes_[i]->ok() && outcomes_[i]->error().code == code) {
                out.push_back(i);
            }
        }
        return out;
    }

    /// The indexes that succeeded, ascending.
    std::vector<std::size_t> succeededIndexes() const {
        std::lock_guard lock(mutex_);
        std::vector<std::size_t> out;
        for (std::size_t i = 0; i < outcomes_.size(); ++i) {
            if (outcomes_[i] && outcomes_[i]->ok()) {
                out.push_back(i);
            }
        }
        return out;
    }

    /// A copy of one outcome (nullopt: not completed).
    std::optional<Result<T>> outcome(std::size_t index) const {
        std::lock_guard lock(mutex_);
        return outcomes_[index];
    }

    std::string summary() const {
        std::string out = std::to_string(succeeded()) + " ok";
        for (const auto& [code, count] : failures()) {
            out += ", " + std::to_string(count) + " " + code;
        }
        return out;
    }

private:
    mutable std::mutex mutex_;
    std::condition_variable changed_;
    std::vector<std::optional<Result<T>>> outcomes_;
    std::size_t completed_ = 0;
    std::size_t duplicates_ = 0;
};

/// Milliseconds between two time points, as a double for the printed figures.
inline double millis(Clock::duration d) {
    return std::chrono::duration<double, std::milli>(d).count();
}

/// "p50 X ms, max Y ms" of `samples` (milliseconds).
inline std::string percentiles(std::vector<double> samples) {
    if (samples.empty()) {
        return "no samples";
    }
    std::sort(samples.begin(), samples.end());
    char text[96];
    std::snprintf(text, sizeof text, "p50 %.1f ms, p90 %.1f ms, max %.1f ms",
                  samples[samples.size() / 2], samples[samples.size() * 9 / 10], samples.back());
    return text;
}

/// A test with its own FaultProxy in front of the binary's shared hub.
class ProxyTest : public ::testing::Test {
protected:
    void SetUp() override {
        auto* hub = sharedHub();
        ASSERT_NE(hub, nullptr);
        std::string error;
        proxy_ = test::FaultProxy::start(hub->port(), error);
        ASSERT_TRUE(proxy_) << error;
    }

    std::string proxiedUrl(const std::string& path = "/hub") const {
        return proxy_->baseUrl() + path;
    }

    std::unique_ptr<test::FaultProxy> proxy_;
};

} // namespace signalr::integration
