// Many connections and many threads against the real hub: the default platform serves every
// connection from one event loop thread, and the API is safe to call from any thread.

#include <atomic>
#include <cstdio>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "integration_fixture.hpp"

namespace signalr::integration {
namespace {

class LoadTest : public ::testing::Test {
protected:
    void SetUp() override { ASSERT_NE(sharedHub(), nullptr); }
};

TEST_F(LoadTest, TwoHundredConnectionsShareOneThread) {
    constexpr std::size_t kConnections = 200;

    // The first connection starts the default platform's loop thread.
    const auto firstBefore = Clock::now();
    auto first = connect(hubUrl());
    const auto firstMs = elapsedMs(firstBefore);
    ASSERT_TRUE(first.ok()) << describe(first);
    ASSERT_TRUE(invoke<std::string>(first.value(), "GetConnectionId").ok());
    const int threadsWithOne = processThreadCount();
    const int fdsWithOne = openFileDescriptors();
    ASSERT_GT(threadsWithOne, 0);

    std::vector<HubConnection> connections;
    connections.reserve(kConnections);
    connections.push_back(std::move(first).value());
    for (std::size_t i = 1; i < kConnections; ++i) {
        auto built = build(hubUrl());
        ASSERT_TRUE(built.ok()) << describe(built);
        connections.push_back(std::move(built).value());
    }

    // Start the other 199 at once.
    auto started = mailbox<std::pair<std::size_t, Result<void>>>();
    const auto startBefore = Clock::now();
    for (std::size_t i = 1; i < kConnections; ++i) {
        connections[i].start([started, i](Result<void> r) { started->push({i, std::move(r)}); });
    }
    const auto starts = started->take(kConnections - 1, 60s);
    const auto allStartedMs = elapsedMs(startBefore);
    ASSERT_EQ(starts.size(), kConnections - 1) << "not every start completed";
    for (const auto& [i, r] : starts) {
        ASSERT_TRUE(r.ok()) << "connection " << i << ": " << describe(r);
    }
    const int threadsWithAll = processThreadCount();
    const int fdsWithAll = openFileDescriptors();

    // Every connection calls the hub at once and is who it thinks it is.
    auto ids = mailbox<std::pair<std::size_t, Result<std::string>>>();
    for (std::size_t i = 0; i < kConnections; ++i) {
        connections[i].invoke<std::string>("GetConnectionId", {}, [ids, i](Result<std::string> r) {
            ids->push({i, std::move(r)});
        });
    }
    const auto answers = ids->take(kConnections, 30s);
    ASSERT_EQ(answers.size(), kConnections) << "not every invoke completed";
    std::set<std::string> distinct;
    for (const auto& [i, r] : answers) {
        ASSERT_TRUE(r.ok()) << "connection " << i << ": " << describe(r);
        EXPECT_EQ(connections[i].connectionId(), std::optional<std::string>(r.value()));
        distinct.insert(r.value());
    }
    EXPECT_EQ(distinct.size(), kConnections);

    std::printf("[ timing ] first connect %lld ms; 199 concurrent connects %lld ms; "
                "threads with 1 connection: %d, with %zu: %d\n",
                firstMs, allStartedMs, threadsWithOne, kConnections, threadsWithAll);
    EXPECT_EQ(threadsWithAll, threadsWithOne) << "threads grew with connections";

    auto stopped = mailbox<Result<void>>();
    for (auto& connection : connections) {
        connection.stop([stopped](Result<void> r) { stopped->push(std::move(r)); });
    }
    const auto stops = stopped->take(kConnections, 30s);
    ASSERT_EQ(stops.size(), kConnections) << "not every stop completed";
    for (const auto& r : stops) {
        EXPECT_TRUE(r.ok()) << describe(r);
    }
    EXPECT_EQ(processThreadCount(), threadsWithOne);
    // One socket per connection while connected; the 199 stopped ones are closed again.
    std::printf("[ info ] open descriptors: %d with 1 connection, %d with %zu, %d after stop\n",
                fdsWithOne, fdsWithAll, kConnections, openFileDescriptors());
    EXPECT_GE(fdsWithAll, fdsWithOne + static_cast<int>(kConnections) - 1);
    EXPECT_LE(openFileDescriptors(), fdsWithOne);
}

TEST_F(LoadTest, InvokeFromManyThreadsAtOnce) {
    constexpr int kThreads = 4;
    constexpr int kCallsPerThread = 250;
    auto connected = connect(hubUrl());
    ASSERT_TRUE(connected.ok()) << describe(connected);
    auto& connection = connected.value();

    struct Tally {
        std::atomic<int> correct{0};
        std::atomic<int> wrong{0};
        std::shared_ptr<Mailbox<std::string>> failures = mailbox<std::string>();
        std::shared_ptr<Mailbox<bool>> done = mailbox<bool>();
    };
    auto tally = std::make_shared<Tally>();

    std::atomic<bool> go{false};
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([&, t] {
            while (!go) {
                std::this_thread::yield();
            }
            for (int i = 0; i < kCallsPerThread; ++i) {
                const int a = t * 100000 + i;
                const int b = i * 3;
                connection.invoke<int>("Add", {a, b}, [tally, a, b](Result<int> r) {
                    if (r.ok() && r.value() == a + b) {
                        ++tally->correct;
                    } else {
                        ++tally->wrong;
                        tally->failures->push(r.ok() ? "wrong sum " + std::to_string(r.value())
                                                     : describe(r.error()));
                    }
                    tally->done->push(true);
                });
            }
        });
    }
    const auto before = Clock::now();
    go = true;
    for (auto& thread : threads) {
        thread.join();
    }
    const auto completions = tally->done->take(kThreads * kCallsPerThread, 30s);
    std::printf("[ timing ] %d invokes from %d threads: %lld ms\n", kThreads * kCallsPerThread,
                kThreads, elapsedMs(before));
    EXPECT_EQ(completions.size(), static_cast<std::size_t>(kThreads * kCallsPerThread));
    EXPECT_EQ(tally->correct.load(), kThreads * kCallsPerThread);
    EXPECT_EQ(tally->wrong.load(), 0)
        << "first failure: " << tally->failures->tryPop().value_or("");
    EXPECT_EQ(connection.state(), ConnectionState::Connected);
}

TEST_F(LoadTest, BlockingInvokesFromManyThreads) {
    constexpr int kThreads = 4;
    constexpr int kCallsPerThread = 50;
    auto connected = connect(hubUrl());
    ASSERT_TRUE(connected.ok()) << describe(connected);
    auto& connection = connected.value();
    std::atomic<int> correct{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([&, t] {
            for (int i = 0; i < kCallsPerThread; ++i) {
                auto echoed =
                    invoke<std::string>(connection, "EchoString", {std::to_string(t * 1000 + i)});
                if (echoed.ok() && echoed.value() == std::to_string(t * 1000 + i)) {
                    ++correct;
                }
            }
        });
    }
    for (auto& thread : threads) {
        thread.join();
    }
    EXPECT_EQ(correct.load(), kThreads * kCallsPerThread);
}

TEST_F(LoadTest, ConnectAndStopRepeatedlyReturnsToTheBaseline) {
    auto warmup = connect(hubUrl());
    ASSERT_TRUE(warmup.ok()) << describe(warmup);
    const int baseline = processThreadCount();
    const int fdBaseline = openFileDescriptors();
    for (int i = 0; i < 20; ++i) {
        auto connected = connect(hubUrl());
        ASSERT_TRUE(connected.ok()) << "cycle " << i << ": " << describe(connected);
        ASSERT_EQ(invoke<int>(connected.value(), "Add", {i, 1}).valueOr(-1), i + 1);
        ASSERT_TRUE(stop(connected.value()).ok());
    }
    EXPECT_EQ(processThreadCount(), baseline);
    EXPECT_LE(openFileDescriptors(), fdBaseline) << "sockets leak across connect/stop cycles";
}

} // namespace
} // namespace signalr::integration
