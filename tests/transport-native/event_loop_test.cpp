// The libwebsockets event loop as an Executor: posts, timers, idleness, lifetime.

#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <fstream>
#include <future>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "signalr/event_loop.hpp"
#include "test_support.hpp"

namespace signalr::test {
namespace {

using Clock = std::chrono::steady_clock;

struct LoopFixture : ::testing::Test {
    void SetUp() override {
        loop = EventLoop::create();
        ASSERT_NE(loop, nullptr);
        loop->startThread();
        executor = loop->executor();
    }
    void TearDown() override { loop->stop(); }

    std::shared_ptr<EventLoop> loop;
    std::shared_ptr<Executor> executor;
};

// ---- post ----------------------------------------------------------------------------------

TEST_F(LoopFixture, PostsFromManyThreadsRunOnTheLoopThreadInOrderPerThread) {
    constexpr int kThreads = 8;
    constexpr int kPerThread = 2000;
    const auto loopThread = onLoop(*executor, [] { return std::this_thread::get_id(); });

    std::mutex mutex;
    std::vector<std::vector<int>> seen(kThreads);
    std::atomic<int> offThread{0};
    std::promise<void> allDone;
    std::atomic<int> remaining{kThreads * kPerThread};

    std::vector<std::thread> posters;
    for (int t = 0; t < kThreads; ++t) {
        posters.emplace_back([&, t] {
            for (int i = 0; i < kPerThread; ++i) {
                executor->post([&, t, i] {
                    if (std::this_thread::get_id() != loopThread || !executor->isExecutorThread()) {
                        offThread.fetch_add(1);
                    }
                    {
                        std::lock_guard lock(mutex);
                        seen[t].push_back(i);
                    }
                    if (remaining.fetch_sub(1) == 1) {
                        allDone.set_value();
                    }
                });
            }
        });
    }
    for (auto& poster : posters) {
        poster.join();
    }
    ASSERT_EQ(allDone.get_future().wait_for(10s), std::future_status::ready);
    EXPECT_EQ(offThread.load(), 0);
    for (int t = 0; t < kThreads; ++t) {
        ASSERT_EQ(seen[t].size(), static_cast<std::size_t>(kPerThread));
        for (int i = 0; i < kPerThread; ++i) {
            ASSERT_EQ(seen[t][i], i) << "thread " << t;
        }
    }
    EXPECT_FALSE(executor->isExecutorThread());
}

TEST_F(LoopFixture, PostFromAnotherThreadWakesTheLoopPromptly) {
    onLoop(*executor, [] {}); // the loop is up and idle
    for (int i = 0; i < 20; ++i) {
        std::promise<Clock::time_point> ran;
        const auto posted = Clock::now();
        executor->post([&] { ran.set_value(Clock::now()); });
        auto future = ran.get_future();
        ASSERT_EQ(future.wait_for(5s), std::future_status::ready);
        EXPECT_LT(future.get() - posted, 100ms);
    }
}

TEST_F(LoopFixture, TasksPostedByTasksRunAfterTheCurrentOnes) {
    auto order = onLoop(*executor, [&] {
        auto log = std::make_shared<std::vector<int>>();
        executor->post([log, this] {
            log->push_back(1);
            executor->post([log] { log->push_back(3); });
        });
        executor->post([log] { log->push_back(2); });
        return log;
    });
    onLoop(*executor, [] {}); // behind 1 and 2
    onLoop(*executor, [] {}); // behind 3
    EXPECT_EQ(*order, (std::vector<int>{1, 2, 3}));
}

// ---- timers ----------------------------------------------------------------------------------

TEST_F(LoopFixture, TimersRunInDeadlineOrderAndNotEarly) {
    struct Fired {
        int tag;
        Clock::duration late; // actual - requested
    };
    auto fired = std::make_shared<std::vector<Fired>>();
    std::promise<void> done;
    const auto start = onLoop(*executor, [&] {
        const auto t0 = Clock::now();
        auto add = [&, t0](int tag, int ms) {
            executor->schedule(std::chrono::milliseconds(ms), [fired, tag, t0, ms, &done] {
                fired->push_back({tag, Clock::now() - t0 - std::chrono::milliseconds(ms)});
                if (fired->size() == 5) {
                    done.set_value();
                }
            });
        };
        add(50, 50);
        add(10, 10);
        add(30, 30);
        add(21, 20); // equal deadlines: scheduling order
        add(22, 20);
        return t0;
    });
    (void)start;
    ASSERT_EQ(done.get_future().wait_for(5s), std::future_status::ready);
    std::vector<int> tags;
    for (const auto& f : *fired) {
        tags.push_back(f.tag);
        EXPECT_GE(f.late, -1ms) << "timer " << f.tag << " ran early";
        EXPECT_LT(f.late, 200ms) << "timer " << f.tag << " ran very late";
    }
    EXPECT_EQ(tags, (std::vector<int>{10, 21, 22, 30, 50}));
}

TEST_F(LoopFixture, CancelledTimersDoNotRun) {
    auto log = std::make_shared<std::vector<int>>();
    std::promise<void> done;
    onLoop(*executor, [&] {
        const auto first = executor->schedule(10ms, [log] { log->push_back(1); });
        const auto second = executor->schedule(20ms, [log] { log->push_back(2); });
        executor->schedule(30ms, [log, &done] {
            log->push_back(3);
            done.set_value();
        });
        EXPECT_NE(first, 0u);
        EXPECT_NE(second, first);
        executor->cancel(first);
        executor->cancel(first);    // twice: no-op
        executor->cancel(123'456u); // unknown: no-op
        // A timer cancelled by another timer that runs before it.
        executor->schedule(15ms, [this, second] { executor->cancel(second); });
    });
    ASSERT_EQ(done.get_future().wait_for(5s), std::future_status::ready);
    onLoop(*executor, [&] { EXPECT_EQ(*log, (std::vector<int>{3})); });
}

TEST_F(LoopFixture, TimersCanRescheduleThemselvesWithZeroDelay) {
    std::promise<int> done;
    onLoop(*executor, [&] {
        auto count = std::make_shared<int>(0);
        auto tick = std::make_shared<std::function<void()>>();
        *tick = [this, count, tick, &done] {
            if (++*count == 100) {
                done.set_value(*count);
                *tick = nullptr; // break the cycle
                return;
            }
            executor->schedule(0ms, *tick);
        };
        executor->schedule(0ms, *tick);
    });
    auto future = done.get_future();
    ASSERT_EQ(future.wait_for(5s), std::future_status::ready);
    EXPECT_EQ(future.get(), 100);
}

TEST_F(LoopFixture, NowIsTheSteadyClock) {
    const auto before = Clock::now();
    const auto now = executor->now();
    EXPECT_GE(now, before);
    EXPECT_LE(now, Clock::now());
}

// ---- idleness --------------------------------------------------------------------------------

struct ThreadStats {
    long contextSwitches = 0;
};

ThreadStats statsOf(long tid) {
    std::ifstream status("/proc/self/task/" + std::to_string(tid) + "/status");
    std::string line;
    ThreadStats stats;
    while (std::getline(status, line)) {
        const auto colon = line.find(':');
        if (colon == std::string::npos) {
            continue;
        }
        const auto key = line.substr(0, colon);
        if (key == "voluntary_ctxt_switches" || key == "nonvoluntary_ctxt_switches") {
            stats.contextSwitches += std::stol(line.substr(colon + 1));
        }
    }
    return stats;
}

TEST_F(LoopFixture, AnIdleLoopDoesNotWakeUp) {
    const long tid = onLoop(*executor, [] { return static_cast<long>(::syscall(SYS_gettid)); });
    onLoop(*executor, [] {}); // let start-up work settle
    const auto before = statsOf(tid);
    std::this_thread::sleep_for(1s); // the measurement window itself, not a wait for an event
    const auto after = statsOf(tid);
    const long wakeups = after.contextSwitches - before.contextSwitches;
    RecordProperty("idle_wakeups_per_second", static_cast<int>(wakeups));
    std::printf("idle loop: %ld wake-ups in 1 s\n", wakeups);
    EXPECT_LE(wakeups, 2);
}

TEST_F(LoopFixture, APendingTimerDoesNotCauseWakeUpsBeforeItIsDue) {
    const long tid = onLoop(*executor, [] { return static_cast<long>(::syscall(SYS_gettid)); });
    onLoop(*executor, [this] { executor->schedule(60s, [] {}); });
    const auto before = statsOf(tid);
    std::this_thread::sleep_for(500ms);
    const auto after = statsOf(tid);
    EXPECT_LE(after.contextSwitches - before.contextSwitches, 2);
}

// ---- running and stopping --------------------------------------------------------------------

TEST(EventLoop, RunsOnAThreadOfTheApplicationsChoosing) {
    auto loop = EventLoop::create();
    ASSERT_NE(loop, nullptr);
    auto executor = loop->executor();
    std::promise<std::thread::id> ranOn;
    executor->post([&] { ranOn.set_value(std::this_thread::get_id()); }); // before it runs
    std::thread::id runner;
    std::thread app([&] {
        runner = std::this_thread::get_id();
        loop->runInThisThread(); // returns after stop()
    });
    auto future = ranOn.get_future();
    ASSERT_EQ(future.wait_for(5s), std::future_status::ready);
    const auto taskThread = future.get();
    loop->stop();
    app.join();
    EXPECT_EQ(taskThread, runner);
}

TEST(EventLoop, StopFromATaskEndsTheLoop) {
    auto loop = EventLoop::create();
    loop->startThread();
    std::promise<void> stopped;
    loop->executor()->post([&] {
        loop->stop(); // on the loop thread: must not join itself
        stopped.set_value();
    });
    ASSERT_EQ(stopped.get_future().wait_for(5s), std::future_status::ready);
    loop->stop(); // idempotent; joins the thread
}

TEST(EventLoop, StopDropsPendingWorkAndLaterPosts) {
    auto loop = EventLoop::create();
    loop->startThread();
    auto executor = loop->executor();
    auto token = std::make_shared<int>(0);
    std::atomic<bool> ran{false};
    onLoop(*executor, [&] { executor->schedule(1h, [token, &ran] { ran = true; }); });
    EXPECT_EQ(token.use_count(), 2);
    loop->stop();
    EXPECT_EQ(token.use_count(), 1); // the pending timer was destroyed, not run
    executor->post([token, &ran] { ran = true; });
    EXPECT_EQ(token.use_count(), 1); // dropped at once
    EXPECT_FALSE(ran.load());
    loop->startThread(); // a stopped loop stays stopped
    loop->runInThisThread();
}

TEST(EventLoop, ALoopThatNeverRanReleasesItsTasks) {
    auto token = std::make_shared<int>(0);
    {
        auto loop = EventLoop::create();
        loop->executor()->post([token] {});
        loop->executor()->schedule(1s, [token] {});
        EXPECT_EQ(token.use_count(), 3);
    }
    EXPECT_EQ(token.use_count(), 1);
}

TEST(EventLoop, ExecutorOutlivesTheLoop) {
    std::shared_ptr<Executor> executor;
    {
        auto loop = EventLoop::create();
        loop->startThread();
        executor = loop->executor();
    }
    executor->post([] { FAIL() << "ran after the loop was destroyed"; });
    EXPECT_FALSE(executor->isExecutorThread());
}

TEST(EventLoop, DefaultPlatformIsOneLoopOnItsOwnThread) {
    const auto first = defaultPlatform();
    const auto second = defaultPlatform();
    ASSERT_TRUE(first.executor && first.httpClient && first.makeTransport);
    EXPECT_EQ(first.executor, second.executor);
    const bool onLoopThread =
        onLoop(*first.executor, [&] { return first.executor->isExecutorThread(); });
    EXPECT_TRUE(onLoopThread);
    EXPECT_FALSE(first.executor->isExecutorThread());
    EXPECT_TRUE(first.makeTransport()->supportsHeaders());
}

} // namespace
} // namespace signalr::test
