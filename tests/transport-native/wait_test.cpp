// signalr::wait(): the blocking adaptor over completion callbacks.

#include <chrono>
#include <cstdint>
#include <functional>
#include <future>
#include <memory>
#include <thread>

#include <gtest/gtest.h>

#include "signalr/event_loop.hpp"
#include "signalr/wait.hpp"
#include "test_support.hpp"

namespace signalr::test {
namespace {

TEST(Wait, ReturnsTheValueCompletedOnTheLoop) {
    auto loop = EventLoop::create();
    loop->startThread();
    auto executor = loop->executor();
    auto result = signalr::wait<std::int64_t>(
        [&](auto done) { executor->post([done] { done(std::int64_t{42}); }); });
    ASSERT_TRUE(result.ok());
    EXPECT_EQ(result.value(), 42);
}

TEST(Wait, VoidAndErrors) {
    auto loop = EventLoop::create();
    loop->startThread();
    auto executor = loop->executor();
    auto ok = signalr::wait([&](auto done) { executor->post([done] { done(Result<void>()); }); });
    EXPECT_TRUE(ok.ok());
    auto failed = signalr::wait(
        [&](auto done) { executor->post([done] { done(fail(ErrorCode::HubError, "boom")); }); });
    ASSERT_FALSE(failed.ok());
    EXPECT_EQ(failed.error().code, ErrorCode::HubError);
}

TEST(Wait, CompletionOnTheCallingThreadBeforeWaiting) {
    auto result = signalr::wait<int>([](auto done) { done(7); });
    ASSERT_TRUE(result.ok());
    EXPECT_EQ(result.value(), 7);
}

TEST(Wait, TimesOutAndToleratesALateCompletion) {
    std::function<void(Result<int>)> late;
    auto result = signalr::wait<int>([&](auto done) { late = done; }, 50ms);
    ASSERT_FALSE(result.ok());
    EXPECT_EQ(result.error().code, ErrorCode::Timeout);
    // The operation completes long after wait() returned: only the shared state is touched.
    std::thread([late = std::move(late)] { late(1); }).join();
}

TEST(Wait, OnTheLoopThreadItRefusesInsteadOfDeadlocking) {
    auto loop = EventLoop::create();
    loop->startThread();
    auto executor = loop->executor();
    bool started = false;
    auto result =
        onLoop(*executor, [&] { return signalr::wait([&](auto) { started = true; }, 10s); });
    ASSERT_FALSE(result.ok());
    EXPECT_EQ(result.error().code, ErrorCode::InvalidState);
    EXPECT_FALSE(started);
}

} // namespace
} // namespace signalr::test
