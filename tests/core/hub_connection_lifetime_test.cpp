#include "connection_fixture.hpp"

namespace signalr::test {
namespace {

using namespace std::chrono_literals;

class LifetimeTest : public ConnectionFixture {
protected:
    int pings() {
        int count = 0;
        for (const auto& m : sent()) {
            count += m == R"({"type":6})" ? 1 : 0;
        }
        return count;
    }
};

TEST_F(LifetimeTest, PingsAfterFifteenSecondsWithoutSending) {
    auto connection = connected();
    executor->advance(14'999ms);
    EXPECT_EQ(pings(), 0);
    serverSends(R"({"type":6})"); // receiving does not delay our pings
    executor->advance(1ms);
    EXPECT_EQ(pings(), 1);
    executor->advance(15'000ms);
    EXPECT_EQ(pings(), 2);
}

TEST_F(LifetimeTest, SendingPostponesThePing) {
    auto connection = connected();
    executor->advance(10'000ms);
    connection.send("X", {});
    executor->runPending();
    executor->advance(14'999ms);
    EXPECT_EQ(pings(), 0);
    executor->advance(1ms);
    EXPECT_EQ(pings(), 1);
}

TEST_F(LifetimeTest, KeepAliveTimersFireAtMostOncePerInterval) {
    auto connection = connected();
    const auto before = executor->timersFired();
    for (int i = 0; i < 600; ++i) {
        executor->advance(100ms);
        serverSends(R"({"type":6})");
    }
    // 60 s of traffic every 100 ms: about 4 ping checks and 2 server-timeout checks, not 600.
    EXPECT_LE(executor->timersFired() - before, 8u);
    EXPECT_EQ(pings(), 4);
}

TEST_F(LifetimeTest, KeepAliveIntervalIsConfigurable) {
    auto connection = builder().withKeepAliveInterval(1s).build().value();
    ASSERT_TRUE(start(connection)->ok());
    executor->advance(3'000ms);
    EXPECT_EQ(pings(), 3);
}

TEST_F(LifetimeTest, ServerTimeoutClosesTheConnectionAndFailsPendingCalls) {
    auto connection = connected();
    std::vector<std::string> events;
    std::optional<Result<Value>> pending;
    connection.invoke("Slow", {}, [&](Result<Value> r) {
        events.push_back("invoke");
        pending = std::move(r);
    });
    connection.onClosed([&](const std::optional<Error>& e) {
        events.push_back("closed");
        ASSERT_TRUE(e.has_value());
        EXPECT_EQ(e->code, ErrorCode::Timeout);
        EXPECT_EQ(connection.state(), ConnectionState::Disconnected);
    });
    executor->advance(29'999ms);
    EXPECT_EQ(connection.state(), ConnectionState::Connected);
    executor->advance(1ms);
    EXPECT_EQ(connection.state(), ConnectionState::Disconnected);
    EXPECT_EQ(events, (std::vector<std::string>{"invoke", "closed"}));
    EXPECT_EQ(pending->error().code, ErrorCode::ConnectionLost);
    EXPECT_TRUE(transport()->closeCalled);
}

TEST_F(LifetimeTest, AnyServerMessageResetsTheServerTimeout) {
    auto connection = builder().withServerTimeout(5s).build().value();
    ASSERT_TRUE(start(connection)->ok());
    for (int i = 0; i < 10; ++i) {
        executor->advance(4'000ms);
        serverSends(R"({"type":6})");
    }
    EXPECT_EQ(connection.state(), ConnectionState::Connected);
    executor->advance(5'000ms);
    EXPECT_EQ(connection.state(), ConnectionState::Disconnected);
}

TEST_F(LifetimeTest, TransportDropFailsEveryPendingCallAndFiresClosedOnce) {
    auto connection = connected();
    int failed = 0;
    for (int i = 0; i < 100; ++i) {
        connection.invoke("Slow", {}, [&](Result<Value> r) {
            EXPECT_EQ(r.error().code, ErrorCode::ConnectionLost);
            ++failed;
        });
    }
    std::optional<Result<void>> streamDone;
    auto sub = connection.stream<int>(
        "S", {}, [](int) {}, [&](Result<void> r) { streamDone = r; });
    int closed = 0;
    connection.onClosed([&](const std::optional<Error>& e) {
        ++closed;
        ASSERT_TRUE(e.has_value());
        EXPECT_EQ(e->code, ErrorCode::ConnectionLost);
        EXPECT_NE(e->message.find("reset by peer"), std::string::npos);
    });
    executor->runPending();
    transport()->drop(fail(ErrorCode::ConnectionLost, "reset by peer"));
    executor->runPending();
    EXPECT_EQ(failed, 100);
    EXPECT_EQ(streamDone->error().code, ErrorCode::ConnectionLost);
    EXPECT_EQ(closed, 1);
    EXPECT_EQ(executor->pendingTimers(), 0u);
}

TEST_F(LifetimeTest, ServerCloseWithErrorReachesTheClosedEvent) {
    auto connection = connected();
    std::optional<Error> reason;
    std::optional<Result<Value>> pending;
    connection.invoke("Slow", {}, [&](Result<Value> r) { pending = std::move(r); });
    connection.onClosed([&](const std::optional<Error>& e) { reason = e; });
    executor->runPending();
    serverSends(R"({"type":7,"error":"Server is shutting down","allowReconnect":true})");
    ASSERT_TRUE(reason.has_value());
    EXPECT_EQ(reason->code, ErrorCode::ServerClosed);
    EXPECT_EQ(reason->serverMessage, "Server is shutting down");
    EXPECT_EQ(pending->error().code, ErrorCode::ConnectionLost);
    EXPECT_EQ(pending->error().serverMessage, "Server is shutting down");
    EXPECT_EQ(connection.state(), ConnectionState::Disconnected);
}

TEST_F(LifetimeTest, ServerCloseWithoutErrorIsACleanClose) {
    auto connection = connected();
    bool fired = false;
    connection.onClosed([&](const std::optional<Error>& e) {
        fired = true;
        EXPECT_FALSE(e.has_value());
    });
    serverSends(R"({"type":7})");
    EXPECT_TRUE(fired);
}

TEST_F(LifetimeTest, AMalformedFrameClosesWithAProtocolError) {
    auto connection = connected();
    std::optional<Error> reason;
    connection.onClosed([&](const std::optional<Error>& e) { reason = e; });
    serverSends(R"({"type":1,"target":5})");
    ASSERT_TRUE(reason.has_value());
    EXPECT_EQ(reason->code, ErrorCode::ProtocolError);
}

TEST_F(LifetimeTest, StopSendsCloseFailsPendingCallsAndFiresClosedWithoutError) {
    auto connection = connected();
    std::vector<std::string> events;
    connection.invoke("Slow", {}, [&](Result<Value> r) {
        EXPECT_EQ(r.error().code, ErrorCode::Cancelled);
        events.push_back("invoke");
    });
    connection.onClosed([&](const std::optional<Error>& e) {
        EXPECT_FALSE(e.has_value());
        events.push_back("closed");
    });
    executor->runPending();
    connection.stop([&](Result<void> r) {
        EXPECT_TRUE(r.ok());
        events.push_back("stopped");
    });
    executor->runPending();
    EXPECT_EQ(sent().back(), R"({"type":7})");
    EXPECT_TRUE(transport()->closeCalled);
    EXPECT_EQ(events, (std::vector<std::string>{"invoke", "stopped", "closed"}));
    EXPECT_EQ(connection.state(), ConnectionState::Disconnected);
    EXPECT_EQ(executor->pendingTimers(), 0u);
}

TEST_F(LifetimeTest, StopFinishesEvenIfTheTransportNeverConfirms) {
    transports->defaults.closeOnClose = false;
    auto connection = connected();
    bool stopped = false;
    connection.stop([&](Result<void>) { stopped = true; });
    executor->runPending();
    EXPECT_EQ(connection.state(), ConnectionState::Disconnecting);
    EXPECT_FALSE(stopped);
    executor->advance(5'000ms);
    EXPECT_TRUE(stopped);
    EXPECT_EQ(connection.state(), ConnectionState::Disconnected);
}

TEST_F(LifetimeTest, SecondStopWaitsForTheFirst) {
    transports->defaults.closeOnClose = false;
    auto connection = connected();
    std::vector<int> done;
    connection.stop([&](Result<void>) { done.push_back(1); });
    connection.stop([&](Result<void>) { done.push_back(2); });
    executor->runPending();
    EXPECT_TRUE(done.empty());
    transport()->drop(std::nullopt);
    executor->runPending();
    EXPECT_EQ(done, (std::vector<int>{1, 2}));
}

TEST_F(LifetimeTest, StopWhenStoppedSucceeds) {
    auto connection = build();
    bool ok = false;
    connection.stop([&](Result<void> r) { ok = r.ok(); });
    executor->runPending();
    EXPECT_TRUE(ok);
}

TEST_F(LifetimeTest, StopFromAHandlerAndFromOnClosedCompletes) {
    auto connection = connected();
    bool stoppedFromHandler = false;
    connection.on("Bye", [&](const Arguments&) {
        connection.stop([&](Result<void> r) { stoppedFromHandler = r.ok(); });
    });
    bool stoppedFromClosed = false;
    connection.onClosed([&](const std::optional<Error>&) {
        connection.stop([&](Result<void> r) { stoppedFromClosed = r.ok(); });
    });
    serverSends(R"({"type":1,"target":"Bye","arguments":[]})");
    executor->runPending();
    EXPECT_TRUE(stoppedFromHandler);
    EXPECT_TRUE(stoppedFromClosed);
    EXPECT_EQ(connection.state(), ConnectionState::Disconnected);
}

TEST_F(LifetimeTest, DestroyingTheConnectionCancelsPendingCallsAndLeavesNoTimers) {
    std::optional<Result<Value>> pending;
    std::shared_ptr<FakeTransportState> state;
    {
        auto connection = connected();
        state = transport();
        connection.invoke("Slow", {}, [&](Result<Value> r) { pending = std::move(r); });
        executor->runPending();
    }
    executor->advance(10s);
    ASSERT_TRUE(pending.has_value());
    EXPECT_EQ(pending->error().code, ErrorCode::Cancelled);
    EXPECT_TRUE(state->closeCalled);
    EXPECT_TRUE(state->destroyed);
    EXPECT_EQ(executor->pendingTimers(), 0u);
}

TEST_F(LifetimeTest, DestroyingTheConnectionInsideItsOwnCallbackIsSafe) {
    auto connection = std::make_unique<HubConnection>(connected());
    bool called = false;
    connection->on("Die", [&](const Arguments&) {
        called = true;
        connection.reset();
    });
    serverSends(R"({"type":1,"target":"Die","arguments":[]})");
    executor->advance(10s);
    EXPECT_TRUE(called);
    EXPECT_EQ(executor->pendingTimers(), 0u);
}

TEST_F(LifetimeTest, NoUserHandlerRunsAfterTheHandleIsDestroyed) {
    auto connection = std::make_unique<HubConnection>(connected());
    int handlerCalls = 0;
    bool closedCalled = false;
    std::optional<Result<Value>> pending;
    connection->on("X", [&](const Arguments&) { ++handlerCalls; });
    connection->onClosed([&](const std::optional<Error>&) { closedCalled = true; });
    connection->invoke("Slow", {}, [&](Result<Value> r) { pending = std::move(r); });
    executor->runPending();
    auto state = transport();
    connection.reset();
    state->receive(std::string(R"({"type":1,"target":"X","arguments":[]})") + kRS);
    executor->advance(10s);
    EXPECT_EQ(handlerCalls, 0);
    EXPECT_FALSE(closedCalled) << "the owner of onClosed is gone";
    ASSERT_TRUE(pending.has_value());
    EXPECT_EQ(pending->error().code, ErrorCode::Cancelled);
}

TEST_F(LifetimeTest, AHandlerThatDestroysTheConnectionEndsDispatchOfItsFrame) {
    auto connection = std::make_unique<HubConnection>(connected());
    int calls = 0;
    connection->on("X", [&](const Arguments&) {
        ++calls;
        connection.reset();
    });
    transport()->receive(std::string(R"({"type":1,"target":"X","arguments":[]})") + kRS +
                         R"({"type":1,"target":"X","arguments":[]})" + kRS);
    executor->advance(10s);
    EXPECT_EQ(calls, 1);
}

TEST_F(LifetimeTest, ATransportProtocolErrorKeepsItsCode) {
    auto connection = connected();
    std::optional<Error> reason;
    connection.onClosed([&](const std::optional<Error>& e) { reason = e; });
    transport()->drop(fail(ErrorCode::ProtocolError, "message too large"));
    executor->runPending();
    ASSERT_TRUE(reason.has_value());
    EXPECT_EQ(reason->code, ErrorCode::ProtocolError);
}

TEST_F(LifetimeTest, NoTimerOrCallbackAfterStop) {
    auto connection = connected();
    int handlerCalls = 0;
    connection.on("X", [&](const Arguments&) { ++handlerCalls; });
    connection.stop();
    executor->runPending();
    auto old = transport();
    old->receive(std::string(R"({"type":1,"target":"X","arguments":[]})") + kRS);
    executor->advance(60s);
    EXPECT_EQ(handlerCalls, 0);
    EXPECT_EQ(executor->pendingTimers(), 0u);
}

TEST_F(LifetimeTest, StateIsConnectingDuringStart) {
    transports->defaults.autoHandshake = false;
    auto connection = build();
    std::vector<ConnectionState> seen;
    connection.start([&](Result<void>) { seen.push_back(connection.state().state); });
    executor->runPending();
    EXPECT_EQ(connection.state(), ConnectionState::Connecting);
    serverSends("{}");
    EXPECT_EQ(seen, (std::vector<ConnectionState>{ConnectionState::Connected}));
}

} // namespace
} // namespace signalr::test
