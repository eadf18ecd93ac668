#include <map>

#include "reconnect_fixture.hpp"

namespace signalr::test {
namespace {

using namespace std::chrono_literals;

using Results = std::vector<std::optional<Result<Value>>>;

class InFlightTest : public ReconnectFixture {
protected:
    HubConnectionBuilder withInFlight(InFlightOptions options,
                                      ReconnectPolicy policy = ReconnectPolicy::delays({0ms})) {
        auto b = reconnecting(std::move(policy));
        b.withInFlightOptions(options);
        return b;
    }

    /// A started connection with these options (the test goes on only if it is Connected).
    HubConnection connectedWith(InFlightOptions options,
                                ReconnectPolicy policy = ReconnectPolicy::delays({0ms})) {
        auto b = withInFlight(options, std::move(policy));
        auto connection = build(b);
        auto result = start(connection);
        EXPECT_TRUE(result.has_value() && result->ok());
        EXPECT_EQ(connection.state(), ConnectionState::Connected);
        return connection;
    }

    /// Invokes "Echo" once per slot of `results` (with the slot's index as the argument when
    /// `numbered`); each completion lands in its slot. `results` must outlive the calls.
    static void invokeEchoes(HubConnection& connection, Results& results, bool numbered) {
        for (std::size_t i = 0; i < results.size(); ++i) {
            Arguments args;
            if (numbered) {
                args.push_back(static_cast<std::int64_t>(i));
            }
            connection.invoke("Echo", std::move(args),
                              [&results, i](Result<Value> r) { results[i] = std::move(r); });
        }
    }

    static InFlightOptions resending(std::chrono::milliseconds deadline = 30s) {
        InFlightOptions o;
        o.pendingInvocations = PendingInvocationPolicy::ResendAfterReconnect;
        o.resendDeadline = deadline;
        return o;
    }

    static InFlightOptions waiting(std::chrono::milliseconds timeout) {
        InFlightOptions o;
        o.whileReconnecting = ReconnectingCallPolicy::Wait;
        o.waitTimeout = timeout;
        return o;
    }

    static InFlightOptions queueing() {
        InFlightOptions o;
        o.whileReconnecting = ReconnectingCallPolicy::Queue;
        return o;
    }

    /// Answers every invocation the current transport carries with its own id as the result.
    void answerAll() {
        for (const auto& message : sent()) {
            auto at = message.find(R"("invocationId":")");
            if (at == std::string::npos || message.find(R"("type":1)") == std::string::npos) {
                continue;
            }
            auto start = at + 16;
            auto id = message.substr(start, message.find('"', start) - start);
            transport()->receive(R"({"type":3,"invocationId":")" + id + R"(","result":)" + id +
                                 "}" + kRS);
        }
        executor->runPending();
    }

    std::map<ErrorCode, int> codes(const Results& results) {
        std::map<ErrorCode, int> out;
        for (const auto& r : results) {
            if (r && !r->ok()) {
                ++out[r->error().code];
            }
        }
        return out;
    }

    static int completed(const Results& results) {
        int n = 0;
        for (const auto& r : results) {
            n += r.has_value() ? 1 : 0;
        }
        return n;
    }
};

TEST_F(InFlightTest, PendingInvocationsFailWithConnectionLostByDefault) {
    auto connection = connectedWith(InFlightOptions());
    Results results(1000);
    invokeEchoes(connection, results, true);
    executor->runPending();
    dropTransport();
    EXPECT_EQ(completed(results), 1000);
    EXPECT_EQ(codes(results)[ErrorCode::ConnectionLost], 1000);
    executor->advance(0ms);
    EXPECT_EQ(connection.state(), ConnectionState::Connected);
}

TEST_F(InFlightTest, ResendAfterReconnectSendsPendingInvocationsAgainInOrder) {
    auto connection = connectedWith(resending());
    Results results(1000);
    invokeEchoes(connection, results, true);
    executor->runPending();
    dropTransport();
    EXPECT_EQ(completed(results), 0);
    executor->advance(0ms);
    ASSERT_EQ(connection.state(), ConnectionState::Connected);
    auto resent = sent();
    ASSERT_EQ(resent.size(), 1000u);
    EXPECT_EQ(resent[0], R"({"type":1,"invocationId":"0","target":"Echo","arguments":[0]})");
    EXPECT_EQ(resent[999], R"({"type":1,"invocationId":"999","target":"Echo","arguments":[999]})");
    answerAll();
    EXPECT_EQ(completed(results), 1000);
    for (std::size_t i = 0; i < results.size(); ++i) {
        ASSERT_TRUE(results[i]->ok()) << i;
        EXPECT_EQ(results[i]->value().getInt(),
                  std::optional<std::int64_t>(static_cast<std::int64_t>(i)));
    }
}

TEST_F(InFlightTest, ResendGivesUpWithConnectionLostAfterTheDeadline) {
    auto connection = connectedWith(resending(10s), ReconnectPolicy::delays({60s}));
    Results results(1000);
    invokeEchoes(connection, results, false);
    executor->runPending();
    dropTransport();
    executor->advance(9999ms);
    EXPECT_EQ(completed(results), 0);
    executor->advance(1ms);
    EXPECT_EQ(codes(results)[ErrorCode::ConnectionLost], 1000);
    executor->advance(1min);
    EXPECT_TRUE(sent().empty());
}

TEST_F(InFlightTest, ResendFailsEverythingWhenReconnectingGivesUp) {
    auto connection = connectedWith(resending());
    Results results(1000);
    invokeEchoes(connection, results, false);
    executor->runPending();
    negotiateFails(true);
    dropTransport();
    executor->advance(1min);
    EXPECT_EQ(connection.state(), ConnectionState::Failed);
    EXPECT_EQ(codes(results)[ErrorCode::ConnectionLost], 1000);
    EXPECT_EQ(executor->pendingTimers(), 0u);
}

TEST_F(InFlightTest, StopWhileReconnectingCancelsKeptInvocations) {
    auto connection = connectedWith(resending(), ReconnectPolicy::delays({60s}));
    Results results(1000);
    invokeEchoes(connection, results, false);
    executor->runPending();
    dropTransport();
    connection.stop();
    executor->runPending();
    EXPECT_EQ(codes(results)[ErrorCode::Cancelled], 1000);
    EXPECT_EQ(executor->pendingTimers(), 0u);
}

TEST_F(InFlightTest, StreamsFailWithConnectionLostEvenWhenInvocationsAreResent) {
    auto connection = connectedWith(resending());
    std::optional<Result<void>> ended;
    std::vector<int> items;
    auto sub = connection.stream<int>(
        "Counter", {}, [&](int i) { items.push_back(i); }, [&](Result<void> r) { ended = r; });
    executor->runPending();
    serverSends(R"({"type":2,"invocationId":"0","item":1})");
    dropTransport();
    ASSERT_TRUE(ended.has_value());
    EXPECT_EQ(ended->error().code, ErrorCode::ConnectionLost);
    EXPECT_EQ(items, (std::vector<int>{1}));
    executor->advance(0ms);
    EXPECT_TRUE(sent().empty());
}

TEST_F(InFlightTest, CallsWhileReconnectingFailWithNotConnectedByDefault) {
    auto connection = connectedWith(InFlightOptions(), ReconnectPolicy::delays({10s}));
    dropTransport();
    expectEveryCallFailsWith(connection, ErrorCode::NotConnected);
}

TEST_F(InFlightTest, WaitingCallsGoOutAfterTheReconnect) {
    auto connection = connectedWith(waiting(20s), ReconnectPolicy::delays({10s}));
    dropTransport();
    std::optional<Result<Value>> invoked;
    std::optional<Result<void>> sentResult;
    connection.invoke("A", {1}, [&](Result<Value> r) { invoked = std::move(r); });
    connection.send("B", {2}, [&](Result<void> r) { sentResult = r; });
    executor->advance(10s);
    ASSERT_EQ(connection.state(), ConnectionState::Connected);
    ASSERT_TRUE(sentResult.has_value() && sentResult->ok());
    EXPECT_EQ(sent(), (std::vector<std::string>{
                          R"({"type":1,"invocationId":"0","target":"A","arguments":[1]})",
                          R"({"type":1,"target":"B","arguments":[2]})"}));
    serverSends(R"({"type":3,"invocationId":"0","result":7})");
    ASSERT_TRUE(invoked.has_value() && invoked->ok());
    EXPECT_EQ(invoked->value().getInt(), std::optional<std::int64_t>(7));
    EXPECT_EQ(executor->pendingTimers(), 0u);
}

TEST_F(InFlightTest, WaitingCallsTimeOut) {
    auto connection = connectedWith(waiting(5s), ReconnectPolicy::delays({10s}));
    dropTransport();
    std::optional<Result<Value>> invoked;
    connection.invoke("A", {}, [&](Result<Value> r) { invoked = std::move(r); });
    executor->advance(4999ms);
    EXPECT_FALSE(invoked.has_value());
    executor->advance(1ms);
    ASSERT_TRUE(invoked.has_value());
    EXPECT_EQ(invoked->error().code, ErrorCode::Timeout);
    executor->advance(10s);
    EXPECT_TRUE(sent().empty());
}

TEST_F(InFlightTest, QueuedCallsAreFlushedInOrderAfterTheReconnect) {
    auto connection = connectedWith(queueing(), ReconnectPolicy::delays({10s}));
    dropTransport();
    std::vector<Result<void>> done;
    for (int i = 0; i < 5; ++i) {
        connection.send("N", {i}, [&](Result<void> r) { done.push_back(r); });
    }
    executor->runPending();
    EXPECT_TRUE(done.empty());
    executor->advance(10s);
    ASSERT_EQ(done.size(), 5u);
    std::vector<std::string> expected;
    for (int i = 0; i < 5; ++i) {
        expected.push_back(R"({"type":1,"target":"N","arguments":[)" + std::to_string(i) + "]}");
    }
    EXPECT_EQ(sent(), expected);
}

TEST_F(InFlightTest, CallsMadeDuringStartAreQueuedToo) {
    auto b = withInFlight(queueing());
    auto connection = build(b);
    transports->defaults.autoHandshake = false;
    connection.start();
    executor->runPending();
    std::optional<Result<void>> sentResult;
    connection.send("Early", {}, [&](Result<void> r) { sentResult = r; });
    executor->runPending();
    EXPECT_FALSE(sentResult.has_value());
    serverSends("{}");
    ASSERT_TRUE(sentResult && sentResult->ok());
    EXPECT_EQ(sent(), (std::vector<std::string>{R"({"type":1,"target":"Early","arguments":[]})"}));
}

TEST_F(InFlightTest, ACancelledQueuedStreamCompletesAtOnceAndIsNeverSent) {
    auto connection = connectedWith(queueing(), ReconnectPolicy::delays({10s}));
    dropTransport();
    std::optional<Result<void>> ended;
    auto sub = connection.stream<int>(
        "Counter", {}, [](int) {}, [&](Result<void> r) { ended = r; });
    executor->runPending();
    EXPECT_FALSE(ended.has_value());
    sub.cancel();
    executor->runPending();
    ASSERT_TRUE(ended.has_value());
    EXPECT_EQ(ended->error().code, ErrorCode::Cancelled);
    EXPECT_EQ(executor->pendingTimers(), 1u); // the retry delay only
    executor->advance(10s);
    EXPECT_EQ(connection.state(), ConnectionState::Connected);
    EXPECT_TRUE(sent().empty());
}

struct StrategyCase {
    const char* name;
    QueueFullStrategy strategy;
    std::vector<int> sentNumbers;
    std::vector<int> droppedNumbers;
};

class QueueStrategyTest : public InFlightTest,
                          public ::testing::WithParamInterface<StrategyCase> {};

TEST_P(QueueStrategyTest, EveryQueuedCallCompletes) {
    const auto& c = GetParam();
    InFlightOptions options;
    options.whileReconnecting = ReconnectingCallPolicy::Queue;
    options.queue.maxMessages = 3;
    options.queue.whenFull = c.strategy;
    auto connection = connectedWith(options, ReconnectPolicy::delays({10s}));
    dropTransport();
    std::map<int, Result<void>> results;
    for (int i = 0; i < 5; ++i) {
        connection.send("N", {i}, [&results, i](Result<void> r) { results.emplace(i, r); });
    }
    executor->runPending();
    std::vector<int> dropped;
    for (const auto& [i, r] : results) {
        ASSERT_FALSE(r.ok());
        EXPECT_EQ(r.error().code, ErrorCode::Dropped);
        dropped.push_back(i);
    }
    EXPECT_EQ(dropped, c.droppedNumbers);
    executor->advance(10s);
    ASSERT_EQ(results.size(), 5u);
    std::vector<std::string> expected;
    for (int i : c.sentNumbers) {
        expected.push_back(R"({"type":1,"target":"N","arguments":[)" + std::to_string(i) + "]}");
    }
    EXPECT_EQ(sent(), expected);
}

INSTANTIATE_TEST_SUITE_P(
    Strategies, QueueStrategyTest,
    ::testing::Values(StrategyCase{"DropOldest", QueueFullStrategy::DropOldest, {2, 3, 4}, {0, 1}},
                      StrategyCase{"DropNewest", QueueFullStrategy::DropNewest, {0, 1, 4}, {2, 3}},
                      StrategyCase{"Fail", QueueFullStrategy::Fail, {0, 1, 2}, {3, 4}}),
    [](const auto& info) { return std::string(info.param.name); });

TEST_F(InFlightTest, TheQueueIsBoundedInBytes) {
    InFlightOptions options;
    options.whileReconnecting = ReconnectingCallPolicy::Queue;
    options.queue.maxBytes = 100;
    auto connection = connectedWith(options, ReconnectPolicy::delays({10s}));
    dropTransport();
    std::optional<Result<void>> small;
    std::optional<Result<void>> big;
    connection.send("S", {}, [&](Result<void> r) { small = r; });
    connection.send("B", {std::string(200, 'x')}, [&](Result<void> r) { big = r; });
    executor->runPending();
    ASSERT_TRUE(big.has_value());
    EXPECT_EQ(big->error().code, ErrorCode::Dropped);
    EXPECT_FALSE(small.has_value());
    executor->advance(10s);
    EXPECT_TRUE(small && small->ok());
}

TEST_F(InFlightTest, QueuedCallsExpireAtTheirDeadline) {
    InFlightOptions options;
    options.whileReconnecting = ReconnectingCallPolicy::Queue;
    options.queue.messageDeadline = 3s;
    auto connection = connectedWith(options, ReconnectPolicy::delays({10s}));
    dropTransport();
    std::optional<Result<Value>> first;
    std::optional<Result<Value>> second;
    connection.invoke("A", {}, [&](Result<Value> r) { first = std::move(r); });
    executor->advance(2s);
    connection.invoke("B", {}, [&](Result<Value> r) { second = std::move(r); });
    executor->advance(1s);
    ASSERT_TRUE(first.has_value());
    EXPECT_EQ(first->error().code, ErrorCode::Timeout);
    EXPECT_FALSE(second.has_value());
    executor->advance(2s);
    ASSERT_TRUE(second.has_value());
    EXPECT_EQ(second->error().code, ErrorCode::Timeout);
    executor->advance(10s);
    EXPECT_TRUE(sent().empty());
}

TEST_F(InFlightTest, QueuedCallsAreDroppedWhenTheConnectionEndsForGood) {
    InFlightOptions options;
    options.whileReconnecting = ReconnectingCallPolicy::Queue;
    for (bool viaStop : {true, false}) {
        auto b = withInFlight(options, ReconnectPolicy::delays({10s}));
        auto connection = build(b);
        negotiateFails(false);
        ASSERT_TRUE(start(connection)->ok());
        dropTransport();
        std::optional<Result<void>> queued;
        connection.send("Q", {}, [&](Result<void> r) { queued = r; });
        executor->runPending();
        if (viaStop) {
            connection.stop();
            executor->runPending();
        } else {
            negotiateFails(true);
            executor->advance(10s);
            EXPECT_EQ(connection.state(), ConnectionState::Failed);
        }
        ASSERT_TRUE(queued.has_value()) << viaStop;
        EXPECT_EQ(queued->error().code, ErrorCode::Dropped);
        EXPECT_EQ(executor->pendingTimers(), 0u);
    }
}

TEST_F(InFlightTest, AThousandQueuedCallsAllComplete) {
    InFlightOptions options;
    options.whileReconnecting = ReconnectingCallPolicy::Queue;
    options.queue.maxMessages = 100;
    options.queue.whenFull = QueueFullStrategy::DropOldest;
    auto connection = connectedWith(options, ReconnectPolicy::delays({1s}));
    dropTransport();
    Results results(1000);
    invokeEchoes(connection, results, false);
    executor->advance(1s);
    answerAll();
    EXPECT_EQ(completed(results), 1000);
    EXPECT_EQ(codes(results)[ErrorCode::Dropped], 900);
    for (std::size_t i = 900; i < 1000; ++i) {
        EXPECT_TRUE(results[i]->ok()) << i;
    }
}

} // namespace
} // namespace signalr::test
