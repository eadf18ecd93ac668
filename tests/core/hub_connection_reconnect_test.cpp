#include "reconnect_fixture.hpp"

namespace signalr::test {
namespace {

using namespace std::chrono_literals;
using Events = std::vector<std::string>;

class ReconnectTest : public ReconnectFixture {
protected:
    /// Records the connection's events and starts it; the start's own events are dropped.
    void startRecorded(HubConnection& connection) {
        subscribe(connection);
        auto result = start(connection);
        ASSERT_TRUE(result.has_value() && result->ok());
        takeEvents();
    }

    HubConnectionBuilder retryingInitialStart(ReconnectPolicy policy) {
        auto b = reconnecting(std::move(policy));
        ReconnectOptions options;
        options.retryInitialStart = true;
        b.withReconnectOptions(options);
        return b;
    }
};

TEST_F(ReconnectTest, StartFiresConnectingThenConnectedAfterTheStateChanged) {
    auto b = reconnecting(ReconnectPolicy::defaultDelays());
    auto connection = build(b);
    subscribe(connection);
    ASSERT_TRUE(start(connection)->ok());
    EXPECT_EQ(takeEvents(), (Events{"connecting [Connecting]", "connected conn-1 [Connected]"}));
}

TEST_F(ReconnectTest, StopFiresDisconnectedUserRequestedThenClosed) {
    auto b = reconnecting(ReconnectPolicy::defaultDelays());
    auto connection = build(b);
    ASSERT_NO_FATAL_FAILURE(startRecorded(connection));
    std::optional<Result<void>> stopped;
    connection.stop([&](Result<void> r) { stopped = r; });
    executor->runPending();
    ASSERT_TRUE(stopped && stopped->ok());
    EXPECT_EQ(takeEvents(),
              (Events{"disconnected UserRequested [Disconnected]", "closed - [Disconnected]"}));
}

TEST_F(ReconnectTest, WithoutAPolicyADropEndsDisconnectedAsBefore) {
    auto b = builder();
    auto connection = build(b);
    ASSERT_NO_FATAL_FAILURE(startRecorded(connection));
    dropTransport();
    executor->advance(1min);
    EXPECT_EQ(connection.state(), ConnectionState::Disconnected);
    EXPECT_EQ(takeEvents(), (Events{"disconnected NetworkError [Disconnected]",
                                    "closed ConnectionLost [Disconnected]"}));
    EXPECT_EQ(transports->created.size(), 1u);
    EXPECT_EQ(negotiations, 1);
}

TEST_F(ReconnectTest, ADropReconnectsWithANewConnectionIdAndFiresEventsInOrder) {
    auto b = reconnecting(ReconnectPolicy::delays({0ms, 2s}));
    auto connection = build(b);
    ASSERT_NO_FATAL_FAILURE(startRecorded(connection));
    dropTransport();
    EXPECT_EQ(takeEvents(), (Events{"disconnected NetworkError [Reconnecting]",
                                    "reconnecting 1 [Reconnecting]"}));
    EXPECT_EQ(recorder->reconnectReasons.back().code, ErrorCode::ConnectionLost);
    auto snapshot = connection.state();
    EXPECT_EQ(snapshot.state, ConnectionState::Reconnecting);
    EXPECT_EQ(snapshot.attempt, 1u);
    EXPECT_EQ(snapshot.nextRetryAt, executor->now());
    EXPECT_EQ(snapshot.since, executor->now());
    executor->advance(0ms);
    EXPECT_EQ(takeEvents(), (Events{"reconnected 1 conn-2 [Connected]"}));
    EXPECT_EQ(connection.state(), ConnectionState::Connected);
    EXPECT_EQ(connection.connectionId(), "conn-2");
    EXPECT_EQ(transports->created.size(), 2u);
    EXPECT_EQ(transport()->request.url, "ws://example.test/hub?id=token-2");
    EXPECT_EQ(connection.metrics().reconnections, 1u);
}

TEST_F(ReconnectTest, FailedAttemptsFollowThePolicyThenFailWithTheLastError) {
    auto b = reconnecting(ReconnectPolicy::delays({0ms, 2s}));
    auto connection = build(b);
    ASSERT_NO_FATAL_FAILURE(startRecorded(connection));
    negotiateFails(true);
    dropTransport();
    executor->advance(0ms);
    EXPECT_EQ(takeEvents(),
              (Events{"disconnected NetworkError [Reconnecting]", "reconnecting 1 [Reconnecting]",
                      "reconnecting 2 [Reconnecting]"}));
    EXPECT_EQ(recorder->reconnectReasons.back().code, ErrorCode::NegotiateFailed);
    auto snapshot = connection.state();
    EXPECT_EQ(snapshot.attempt, 2u);
    EXPECT_EQ(snapshot.nextRetryAt, executor->now() + 2s);
    executor->advance(1999ms);
    EXPECT_EQ(negotiations, 2);
    executor->advance(1ms);
    EXPECT_EQ(negotiations, 3);
    EXPECT_EQ(takeEvents(), (Events{"reconnectFailed NegotiateFailed [Failed]",
                                    "closed NegotiateFailed [Failed]"}));
    snapshot = connection.state();
    EXPECT_EQ(snapshot.state, ConnectionState::Failed);
    ASSERT_TRUE(snapshot.error.has_value());
    EXPECT_EQ(snapshot.error->code, ErrorCode::NegotiateFailed);
    executor->advance(1h);
    EXPECT_EQ(negotiations, 3);
    EXPECT_EQ(executor->pendingTimers(), 0u);

    // Failed is terminal until start() is called again.
    negotiateFails(false);
    ASSERT_TRUE(start(connection)->ok());
    EXPECT_EQ(connection.state(), ConnectionState::Connected);
}

TEST_F(ReconnectTest, StopDuringARetryDelayEndsAtOnce) {
    auto b = reconnecting(ReconnectPolicy::delays({30s}));
    auto connection = build(b);
    subscribe(connection);
    ASSERT_TRUE(start(connection)->ok());
    dropTransport();
    takeEvents();
    std::optional<Result<void>> stopped;
    connection.stop([&](Result<void> r) { stopped = r; });
    executor->runPending();
    ASSERT_TRUE(stopped && stopped->ok());
    EXPECT_EQ(connection.state(), ConnectionState::Disconnected);
    EXPECT_EQ(takeEvents(), (Events{"closed - [Disconnected]"}));
    EXPECT_EQ(executor->pendingTimers(), 0u);
    executor->advance(1h);
    EXPECT_TRUE(recorder->events.empty());
    EXPECT_EQ(transports->created.size(), 1u);
}

TEST_F(ReconnectTest, StopDuringAnAttemptEndsAtOnce) {
    auto b = reconnecting(ReconnectPolicy::delays({0ms}));
    auto connection = build(b);
    subscribe(connection);
    ASSERT_TRUE(start(connection)->ok());
    http->hold = true;
    dropTransport();
    executor->advance(0ms);
    ASSERT_EQ(http->held.size(), 1u);
    takeEvents();
    connection.stop();
    executor->runPending();
    EXPECT_EQ(connection.state(), ConnectionState::Disconnected);
    EXPECT_EQ(takeEvents(), (Events{"closed - [Disconnected]"}));
    // The late negotiate answer is ignored.
    http->held[0](Result<HttpResponse>(HttpResponse{200, FakeHttpClient::negotiateV1()}));
    executor->advance(1h);
    EXPECT_EQ(transports->created.size(), 1u);
    EXPECT_TRUE(recorder->events.empty());
}

TEST_F(ReconnectTest, StopThenStartOnTheSameObjectKeepsHandlers) {
    auto b = reconnecting(ReconnectPolicy::delays({0ms}));
    auto connection = build(b);
    subscribe(connection);
    int calls = 0;
    connection.on("Ping", [&](const Arguments&) { ++calls; });
    for (int i = 0; i < 3; ++i) {
        ASSERT_TRUE(start(connection)->ok());
        serverSends(R"({"type":1,"target":"Ping","arguments":[]})");
        connection.stop();
        executor->runPending();
        EXPECT_EQ(connection.state(), ConnectionState::Disconnected);
    }
    EXPECT_EQ(calls, 3);
}

TEST_F(ReconnectTest, ServerCloseWithoutAllowReconnectEndsWithTheServersError) {
    auto b = reconnecting(ReconnectPolicy::delays({0ms}));
    auto connection = build(b);
    subscribe(connection);
    std::optional<Error> closedWith;
    connection.onClosed([&](const std::optional<Error>& e) { closedWith = e; });
    ASSERT_TRUE(start(connection)->ok());
    takeEvents();
    serverSends(R"({"type":7,"error":"go away"})");
    executor->advance(1min);
    EXPECT_EQ(connection.state(), ConnectionState::Disconnected);
    EXPECT_EQ(takeEvents(), (Events{"disconnected ServerClosed [Disconnected]",
                                    "closed ServerClosed [Disconnected]"}));
    ASSERT_TRUE(closedWith.has_value());
    EXPECT_EQ(closedWith->serverMessage, "go away");
    ASSERT_EQ(recorder->disconnects.size(), 1u);
    EXPECT_FALSE(recorder->disconnects[0].allowReconnect);
    EXPECT_EQ(recorder->disconnects[0].error->serverMessage, "go away");
    EXPECT_EQ(transports->created.size(), 1u);
}

TEST_F(ReconnectTest, ServerCloseWithAllowReconnectReconnects) {
    auto b = reconnecting(ReconnectPolicy::delays({0ms}));
    auto connection = build(b);
    ASSERT_NO_FATAL_FAILURE(startRecorded(connection));
    serverSends(R"({"type":7,"error":"restarting","allowReconnect":true})");
    executor->advance(0ms);
    EXPECT_EQ(takeEvents(),
              (Events{"disconnected ServerClosed [Reconnecting]", "reconnecting 1 [Reconnecting]",
                      "reconnected 1 conn-2 [Connected]"}));
    EXPECT_TRUE(recorder->disconnects[0].allowReconnect);
    EXPECT_EQ(recorder->reconnectReasons[0].code, ErrorCode::ServerClosed);
}

TEST_F(ReconnectTest, NotHonouringAllowReconnectReconnectsAfterAnyClose) {
    auto b = reconnecting(ReconnectPolicy::delays({0ms}));
    ReconnectOptions options;
    options.honourAllowReconnect = false;
    b.withReconnectOptions(options);
    auto connection = build(b);
    subscribe(connection);
    ASSERT_TRUE(start(connection)->ok());
    serverSends(R"({"type":7,"error":"go away"})");
    executor->advance(0ms);
    EXPECT_EQ(connection.state(), ConnectionState::Connected);
    EXPECT_EQ(connection.connectionId(), "conn-2");
}

TEST_F(ReconnectTest, ServerCloseWithoutAPolicyEndsEvenWithAllowReconnect) {
    auto b = builder();
    auto connection = build(b);
    ASSERT_TRUE(start(connection)->ok());
    serverSends(R"({"type":7,"allowReconnect":true})");
    executor->advance(1min);
    EXPECT_EQ(connection.state(), ConnectionState::Disconnected);
    EXPECT_EQ(transports->created.size(), 1u);
}

TEST_F(ReconnectTest, ServerTimeoutIsADisconnectOfKindTimeoutAndReconnects) {
    auto b = reconnecting(ReconnectPolicy::delays({0ms}));
    b.withServerTimeout(10s);
    auto connection = build(b);
    ASSERT_NO_FATAL_FAILURE(startRecorded(connection));
    executor->advance(10s);
    ASSERT_FALSE(recorder->disconnects.empty());
    EXPECT_EQ(recorder->disconnects[0].kind, DisconnectKind::Timeout);
    EXPECT_EQ(connection.state(), ConnectionState::Connected);
    EXPECT_EQ(connection.connectionId(), "conn-2");
}

TEST_F(ReconnectTest, RetryInitialStartRetriesAFailingStart) {
    auto b = retryingInitialStart(ReconnectPolicy::delays({0ms, 1s, 1s}));
    auto connection = build(b);
    subscribe(connection);
    negotiateFails(true);
    std::optional<Result<void>> started;
    connection.start([&](Result<void> r) { started = r; });
    executor->advance(0ms);
    EXPECT_FALSE(started.has_value());
    EXPECT_EQ(connection.state(), ConnectionState::Reconnecting);
    EXPECT_EQ(negotiations, 2);
    negotiateFails(false);
    executor->advance(1s);
    ASSERT_TRUE(started.has_value());
    EXPECT_TRUE(started->ok());
    EXPECT_EQ(connection.state(), ConnectionState::Connected);
    EXPECT_EQ(takeEvents(),
              (Events{"connecting [Connecting]", "reconnecting 1 [Reconnecting]",
                      "reconnecting 2 [Reconnecting]", "connected conn-3 [Connected]"}));
    EXPECT_EQ(connection.metrics().reconnections, 0u);
}

TEST_F(ReconnectTest, RetryInitialStartGivesUpWithTheLastErrorAndNoClose) {
    auto b = retryingInitialStart(ReconnectPolicy::delays({0ms}));
    auto connection = build(b);
    subscribe(connection);
    negotiateFails(true);
    std::optional<Result<void>> started;
    connection.start([&](Result<void> r) { started = r; });
    executor->advance(1min);
    ASSERT_TRUE(started.has_value());
    ASSERT_FALSE(started->ok());
    EXPECT_EQ(started->error().code, ErrorCode::NegotiateFailed);
    EXPECT_EQ(connection.state(), ConnectionState::Failed);
    EXPECT_EQ(takeEvents(), (Events{"connecting [Connecting]", "reconnecting 1 [Reconnecting]",
                                    "reconnectFailed NegotiateFailed [Failed]"}));
}

TEST_F(ReconnectTest, WithoutRetryInitialStartAFailingStartIsNotRetried) {
    auto b = reconnecting(ReconnectPolicy::delays({0ms}));
    auto connection = build(b);
    negotiateFails(true);
    auto result = start(connection);
    executor->advance(1min);
    ASSERT_TRUE(result.has_value());
    EXPECT_EQ(result->error().code, ErrorCode::NegotiateFailed);
    EXPECT_EQ(connection.state(), ConnectionState::Disconnected);
    EXPECT_EQ(negotiations, 1);
}

TEST_F(ReconnectTest, ConnectionLostDuringTheInitialHandshakeFailsStartWithoutReconnecting) {
    auto b = reconnecting(ReconnectPolicy::delays({0ms}));
    auto connection = build(b);
    subscribe(connection);
    transports->defaults.autoHandshake = false;
    std::optional<Result<void>> started;
    connection.start([&](Result<void> r) { started = r; });
    executor->runPending();
    dropTransport();
    executor->advance(1min);
    ASSERT_TRUE(started.has_value());
    EXPECT_FALSE(started->ok());
    EXPECT_EQ(connection.state(), ConnectionState::Disconnected);
    EXPECT_EQ(transports->created.size(), 1u);
    EXPECT_EQ(takeEvents(), (Events{"connecting [Connecting]"}));
}

TEST_F(ReconnectTest, AReconnectHandshakeFailureKeepsRetrying) {
    auto b = reconnecting(ReconnectPolicy::delays({0ms, 1s, 1s}));
    auto connection = build(b);
    subscribe(connection);
    ASSERT_TRUE(start(connection)->ok());
    transports->defaults.autoHandshake = false;
    dropTransport();
    executor->advance(0ms);
    serverSends(R"({"error":"not now"})");
    EXPECT_EQ(connection.state(), ConnectionState::Reconnecting);
    EXPECT_EQ(recorder->reconnectReasons.back().code, ErrorCode::HandshakeFailed);
    transports->defaults.autoHandshake = true;
    executor->advance(1s);
    EXPECT_EQ(connection.state(), ConnectionState::Connected);
    EXPECT_EQ(connection.connectionId(), "conn-3");
}

TEST_F(ReconnectTest, EveryAttemptCallsTheTokenProviderAndUsesTheNewToken) {
    int calls = 0;
    auto b = reconnecting(ReconnectPolicy::delays({0ms, 0ms}));
    b.withAccessTokenProvider(
        [&]() -> Result<std::string> { return "tok-" + std::to_string(++calls); });
    auto connection = build(b);
    ASSERT_TRUE(start(connection)->ok());
    dropTransport();
    executor->advance(0ms);
    dropTransport();
    executor->advance(0ms);
    EXPECT_EQ(calls, 3);
    ASSERT_EQ(http->requests.size(), 3u);
    EXPECT_EQ(http->requests[2].headers.at("Authorization"), "Bearer tok-3");
    EXPECT_EQ(connection.connectionId(), "conn-3");
}

TEST_F(ReconnectTest, ATokenProviderErrorFailsTheAttemptAndTheNextOneRetries) {
    int calls = 0;
    auto b = reconnecting(ReconnectPolicy::delays({0ms, 0ms}));
    b.withAccessTokenProvider([&]() -> Result<std::string> {
        if (++calls == 2) {
            return fail(ErrorCode::Unauthorized, "expired");
        }
        return std::string("tok");
    });
    auto connection = build(b);
    subscribe(connection);
    ASSERT_TRUE(start(connection)->ok());
    dropTransport();
    executor->advance(0ms);
    EXPECT_EQ(calls, 3);
    EXPECT_EQ(recorder->reconnectReasons.back().code, ErrorCode::Unauthorized);
    EXPECT_EQ(connection.state(), ConnectionState::Connected);
}

TEST_F(ReconnectTest, ReconnectForcesANewConnectionNowIgnoringTheFirstDelay) {
    auto b = reconnecting(ReconnectPolicy::delays({10s, 10s}));
    auto connection = build(b);
    ASSERT_NO_FATAL_FAILURE(startRecorded(connection));
    std::optional<Result<void>> done;
    connection.reconnect([&](Result<void> r) { done = r; });
    executor->advance(0ms);
    ASSERT_TRUE(done.has_value());
    EXPECT_TRUE(done->ok());
    EXPECT_EQ(takeEvents(),
              (Events{"disconnected NetworkError [Reconnecting]", "reconnecting 1 [Reconnecting]",
                      "reconnected 1 conn-2 [Connected]"}));
    EXPECT_EQ(recorder->disconnects[0].error->message, "reconnect requested");
    EXPECT_TRUE(transports->created[0]->closeCalled);
}

TEST_F(ReconnectTest, ReconnectWithoutAPolicyMakesOneAttempt) {
    auto b = builder();
    b.withKeepAliveInterval(0ms).withServerTimeout(0ms);
    auto connection = build(b);
    subscribe(connection);
    ASSERT_TRUE(start(connection)->ok());
    std::optional<Result<void>> done;
    connection.reconnect([&](Result<void> r) { done = r; });
    executor->advance(0ms);
    ASSERT_TRUE(done && done->ok());
    EXPECT_EQ(connection.connectionId(), "conn-2");

    negotiateFails(true);
    done.reset();
    takeEvents();
    connection.reconnect([&](Result<void> r) { done = r; });
    executor->advance(1h);
    ASSERT_TRUE(done.has_value());
    EXPECT_EQ(done->error().code, ErrorCode::NegotiateFailed);
    EXPECT_EQ(connection.state(), ConnectionState::Failed);
    EXPECT_EQ(
        takeEvents(),
        (Events{"disconnected NetworkError [Reconnecting]", "reconnecting 1 [Reconnecting]",
                "reconnectFailed NegotiateFailed [Failed]", "closed NegotiateFailed [Failed]"}));
}

TEST_F(ReconnectTest, ReconnectDuringADelayStartsTheAttemptNow) {
    auto b = reconnecting(ReconnectPolicy::delays({30s}));
    auto connection = build(b);
    ASSERT_TRUE(start(connection)->ok());
    dropTransport();
    EXPECT_EQ(connection.state(), ConnectionState::Reconnecting);
    std::optional<Result<void>> done;
    connection.reconnect([&](Result<void> r) { done = r; });
    executor->runPending();
    ASSERT_TRUE(done && done->ok());
    EXPECT_EQ(connection.state(), ConnectionState::Connected);
    EXPECT_EQ(executor->pendingTimers(), 0u);
}

TEST_F(ReconnectTest, ReconnectWhileRetryingTheInitialStartCompletesWithTheStart) {
    auto b = retryingInitialStart(ReconnectPolicy::delays({10s}));
    auto connection = build(b);
    negotiateFails(true);
    std::optional<Result<void>> started;
    std::optional<Result<void>> reconnected;
    connection.start([&](Result<void> r) { started = r; });
    executor->runPending();
    ASSERT_EQ(connection.state(), ConnectionState::Reconnecting);
    negotiateFails(false);
    connection.reconnect([&](Result<void> r) { reconnected = r; });
    executor->runPending();
    ASSERT_TRUE(started && started->ok());
    ASSERT_TRUE(reconnected && reconnected->ok());
}

TEST_F(ReconnectTest, CompletionsRunWhenAnEventHandlerDestroysTheConnection) {
    auto b = reconnecting(ReconnectPolicy::delays({0ms}));
    auto connection = std::make_unique<HubConnection>(build(b));
    connection->onConnected([&](const std::optional<std::string>&) { connection.reset(); });
    std::optional<Result<void>> started;
    connection->start([&](Result<void> r) { started = r; });
    executor->runPending();
    EXPECT_FALSE(connection);
    ASSERT_TRUE(started.has_value());
    EXPECT_TRUE(started->ok());
    executor->advance(1min);
    EXPECT_EQ(executor->pendingTimers(), 0u);
}

TEST_F(ReconnectTest, ReconnectWhenNotConnectedIsAnInvalidState) {
    auto b = reconnecting(ReconnectPolicy::delays({0ms}));
    auto connection = build(b);
    std::optional<Result<void>> done;
    connection.reconnect([&](Result<void> r) { done = r; });
    executor->runPending();
    ASSERT_TRUE(done.has_value());
    EXPECT_EQ(done->error().code, ErrorCode::InvalidState);
}

TEST_F(ReconnectTest, HandlersRegisteredBeforeStillFireAfterAReconnect) {
    auto b = reconnecting(ReconnectPolicy::delays({0ms}));
    auto connection = build(b);
    std::vector<std::int64_t> got;
    connection.on("Number", [&](std::int64_t n) { got.push_back(n); });
    ASSERT_TRUE(start(connection)->ok());
    serverSends(R"({"type":1,"target":"Number","arguments":[1]})");
    dropTransport();
    executor->advance(0ms);
    serverSends(R"({"type":1,"target":"Number","arguments":[2]})");
    EXPECT_EQ(got, (std::vector<std::int64_t>{1, 2}));
}

TEST_F(ReconnectTest, RemovedEventHandlersNoLongerFire) {
    auto b = reconnecting(ReconnectPolicy::delays({0ms}));
    auto connection = build(b);
    int connecting = 0;
    int reconnected = 0;
    auto id = connection.onConnecting([&] { ++connecting; });
    connection.onReconnected(
        [&](std::uint32_t, const std::optional<std::string>&) { ++reconnected; });
    ASSERT_TRUE(start(connection)->ok());
    connection.removeEventHandler(id);
    connection.stop();
    executor->runPending();
    ASSERT_TRUE(start(connection)->ok());
    dropTransport();
    executor->advance(0ms);
    EXPECT_EQ(connecting, 1);
    EXPECT_EQ(reconnected, 1);
}

TEST_F(ReconnectTest, NothingFiresAfterTheConnectionIsDestroyedWhileReconnecting) {
    auto b = reconnecting(ReconnectPolicy::delays({5s}));
    int events = 0;
    {
        auto connection = build(b);
        connection.onReconnected(
            [&](std::uint32_t, const std::optional<std::string>&) { ++events; });
        connection.onReconnectFailed([&](const Error&) { ++events; });
        connection.onClosed([&](const std::optional<Error>&) { ++events; });
        ASSERT_TRUE(start(connection)->ok());
        dropTransport();
    }
    executor->runPending();
    EXPECT_EQ(executor->pendingTimers(), 0u);
    executor->advance(1h);
    EXPECT_EQ(events, 0);
    EXPECT_EQ(transports->created.size(), 1u);
}

TEST_F(ReconnectTest, TimersAndTransportsReturnToBaselineAfterManyCycles) {
    auto b = reconnecting(ReconnectPolicy::delays({0ms}));
    b.withKeepAliveInterval(15s).withServerTimeout(30s);
    auto connection = build(b);
    subscribe(connection);
    int calls = 0;
    connection.on("Ping", [&](const Arguments&) { ++calls; });
    ASSERT_TRUE(start(connection)->ok());
    const auto baseline = executor->pendingTimers();
    for (int i = 0; i < 50; ++i) {
        dropTransport();
        executor->advance(0ms);
        ASSERT_EQ(connection.state(), ConnectionState::Connected) << i;
        serverSends(R"({"type":1,"target":"Ping","arguments":[]})");
    }
    EXPECT_EQ(executor->pendingTimers(), baseline);
    EXPECT_EQ(calls, 50);
    EXPECT_EQ(connection.metrics().reconnections, 50u);
    for (std::size_t i = 0; i + 1 < transports->created.size(); ++i) {
        EXPECT_TRUE(transports->created[i]->destroyed) << i;
    }
    EXPECT_EQ(recorder->events.size(), 2u + 50u * 3u);
    connection.stop();
    executor->runPending();
    EXPECT_EQ(executor->pendingTimers(), 0u);
}

/// stop() from inside each event completes (dotnet/aspnetcore#19750: a stop inside a
/// reconnecting callback used to hang).
class StopInsideEventTest : public ReconnectFixture,
                            public ::testing::WithParamInterface<const char*> {};

TEST_P(StopInsideEventTest, Completes) {
    const std::string event = GetParam();
    auto b = reconnecting(ReconnectPolicy::delays({0ms}));
    auto connection = build(b);
    std::optional<Result<void>> stopped;
    auto stopHere = [&](const char* name) {
        if (event == name && !stopped) {
            connection.stop([&](Result<void> r) { stopped = r; });
        }
    };
    connection.onConnecting([&] { stopHere("connecting"); });
    connection.onConnected([&](const std::optional<std::string>&) { stopHere("connected"); });
    connection.onDisconnected([&](const DisconnectReason&) { stopHere("disconnected"); });
    connection.onReconnecting([&](std::uint32_t, const Error&) { stopHere("reconnecting"); });
    connection.onReconnected(
        [&](std::uint32_t, const std::optional<std::string>&) { stopHere("reconnected"); });
    connection.onReconnectFailed([&](const Error&) { stopHere("reconnectFailed"); });
    connection.onClosed([&](const std::optional<Error>&) { stopHere("closed"); });

    connection.start();
    executor->runPending();
    if (!stopped) {
        if (event == "reconnectFailed") {
            negotiateFails(true);
        }
        dropTransport();
        executor->advance(0ms);
    }
    if (!stopped) {
        negotiateFails(false);
        serverSends(R"({"type":7})");
        executor->advance(1min);
    }
    ASSERT_TRUE(stopped.has_value()) << event;
    EXPECT_TRUE(stopped->ok());
    executor->advance(1min);
    const auto state = connection.state().state;
    EXPECT_TRUE(state == ConnectionState::Disconnected || state == ConnectionState::Failed)
        << toString(state);
    EXPECT_EQ(executor->pendingTimers(), 0u);
}

INSTANTIATE_TEST_SUITE_P(Events, StopInsideEventTest,
                         ::testing::Values("connecting", "connected", "disconnected",
                                           "reconnecting", "reconnected", "reconnectFailed",
                                           "closed"));

} // namespace
} // namespace signalr::test
