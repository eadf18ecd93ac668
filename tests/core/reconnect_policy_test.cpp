#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <optional>
#include <vector>

#include "signalr/reconnect_policy.hpp"

namespace signalr {
namespace {

using namespace std::chrono_literals;
using std::chrono::milliseconds;
using Delays = std::vector<std::optional<milliseconds>>;

/// The delays a policy gives for previousRetryCount 0, 1, 2, ... (n entries).
Delays delaysOf(const ReconnectPolicy& policy, std::size_t n) {
    Delays out;
    for (std::uint32_t i = 0; i < n; ++i) {
        out.push_back(policy.nextDelay(RetryContext{i, milliseconds(0), Error{}}));
    }
    return out;
}

TEST(ReconnectPolicyTest, DefaultDelaysAreTheOfficialClientsThenStop) {
    EXPECT_EQ(delaysOf(ReconnectPolicy::defaultDelays(), 6),
              (Delays{0ms, 2000ms, 10000ms, 30000ms, std::nullopt, std::nullopt}));
}

TEST(ReconnectPolicyTest, DelaysGiveOneAttemptPerEntry) {
    EXPECT_EQ(delaysOf(ReconnectPolicy::delays({5ms, 0ms, 70ms}), 4),
              (Delays{5ms, 0ms, 70ms, std::nullopt}));
    EXPECT_EQ(delaysOf(ReconnectPolicy::delays({}), 1), (Delays{std::nullopt}));
}

ExponentialBackoff backoff(milliseconds initial, double multiplier, milliseconds maxDelay,
                           std::optional<std::uint32_t> maxAttempts = std::nullopt,
                           double jitter = 0.0, std::uint64_t seed = 0) {
    ExponentialBackoff o;
    o.initialDelay = initial;
    o.multiplier = multiplier;
    o.maxDelay = maxDelay;
    o.maxAttempts = maxAttempts;
    o.jitter = jitter;
    o.seed = seed;
    return o;
}

struct ExponentialCase {
    const char* name;
    ExponentialBackoff options;
    Delays expected;
};

class ExponentialTest : public ::testing::TestWithParam<ExponentialCase> {};

TEST_P(ExponentialTest, GivesTheTabledDelays) {
    const auto& c = GetParam();
    EXPECT_EQ(delaysOf(ReconnectPolicy::exponential(c.options), c.expected.size()), c.expected);
}

INSTANTIATE_TEST_SUITE_P(
    Table, ExponentialTest,
    ::testing::Values(
        ExponentialCase{
            "Defaults", {}, {1000ms, 2000ms, 4000ms, 8000ms, 16000ms, 30000ms, 30000ms}},
        ExponentialCase{
            "MaxAttempts", backoff(100ms, 3.0, 30000ms, 3), {100ms, 300ms, 900ms, std::nullopt}},
        ExponentialCase{"CappedByMaxDelay", backoff(500ms, 10.0, 2000ms), {500ms, 2000ms, 2000ms}},
        ExponentialCase{"ZeroInitialStaysZero", backoff(0ms, 2.0, 30000ms), {0ms, 0ms, 0ms}},
        ExponentialCase{"MultiplierBelowOneIsOne", backoff(50ms, 0.5, 30000ms), {50ms, 50ms, 50ms}},
        ExponentialCase{
            "ZeroMaxAttemptsNeverRetries", backoff(1000ms, 2.0, 30000ms, 0), {std::nullopt}},
        ExponentialCase{"HugeCountsDoNotOverflow",
                        backoff(1000ms, 1e300, 60000ms),
                        {1000ms, 60000ms, 60000ms}}),
    [](const auto& info) { return std::string(info.param.name); });

TEST(ReconnectPolicyTest, JitterStaysWithinItsBoundsAndTheCap) {
    auto policy = ReconnectPolicy::exponential(backoff(1000ms, 2.0, 5000ms, std::nullopt, 0.5, 42));
    bool differs = false;
    for (std::uint32_t i = 0; i < 64; ++i) {
        const double base = std::min(1000.0 * std::pow(2.0, i), 5000.0);
        auto delay = policy.nextDelay(RetryContext{i, 0ms, Error{}});
        ASSERT_TRUE(delay.has_value());
        EXPECT_GE(delay->count(), static_cast<long>(base * 0.5) - 1) << i;
        EXPECT_LE(delay->count(), 5000) << i;
        differs = differs || delay->count() != static_cast<long>(base);
    }
    EXPECT_TRUE(differs);
}

TEST(ReconnectPolicyTest, TheSameSeedGivesTheSameDelays) {
    auto options = backoff(1000ms, 2.0, 30000ms, std::nullopt, 0.3, 7);
    EXPECT_EQ(delaysOf(ReconnectPolicy::exponential(options), 10),
              delaysOf(ReconnectPolicy::exponential(options), 10));
    options.seed = 8;
    EXPECT_NE(
        delaysOf(ReconnectPolicy::exponential(options), 10),
        delaysOf(ReconnectPolicy::exponential(backoff(1000ms, 2.0, 30000ms, std::nullopt, 0.3, 7)),
                 10));
}

TEST(ReconnectPolicyTest, CustomSeesTheContext) {
    std::vector<RetryContext> seen;
    auto policy =
        ReconnectPolicy::custom([&](const RetryContext& c) -> std::optional<milliseconds> {
            seen.push_back(c);
            if (c.elapsed > 10s) {
                return std::nullopt;
            }
            return milliseconds(c.previousRetryCount * 100);
        });
    Error reason{ErrorCode::ConnectionLost, "gone", ""};
    EXPECT_EQ(policy.nextDelay(RetryContext{3, 2s, reason}), 300ms);
    EXPECT_EQ(policy.nextDelay(RetryContext{4, 11s, reason}), std::nullopt);
    ASSERT_EQ(seen.size(), 2u);
    EXPECT_EQ(seen[0].reason, reason);
    EXPECT_EQ(seen[1].elapsed, 11s);
}

TEST(ReconnectPolicyTest, CustomNegativeDelaysCountAsZeroAndEmptyNeverRetries) {
    auto negative = ReconnectPolicy::custom([](const RetryContext&) { return milliseconds(-5); });
    EXPECT_EQ(negative.nextDelay(RetryContext{}), 0ms);
    auto empty = ReconnectPolicy::custom({});
    EXPECT_EQ(empty.nextDelay(RetryContext{}), std::nullopt);
}

} // namespace
} // namespace signalr
