// Starting and stopping connections against the real hub: headers, query strings, access tokens,
// skipNegotiation, start failures, stop/start cycles, stop from callbacks and during start, and
// destruction with calls in flight.

#include <atomic>
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include "integration_fixture.hpp"

namespace signalr::integration {
namespace {

class ConnectionTest : public ::testing::Test {
protected:
    void SetUp() override { ASSERT_NE(sharedHub(), nullptr); }
};

std::string loopbackUrl(const std::string& scheme, int port, const std::string& path) {
    return scheme + "://127.0.0.1:" + std::to_string(port) + path;
}

TEST_F(ConnectionTest, ConnectsQuickly) {
    std::vector<long long> times;
    for (int i = 0; i < 5; ++i) {
        const auto before = Clock::now();
        auto connected = connect(hubUrl());
        times.push_back(elapsedMs(before));
        ASSERT_TRUE(connected.ok()) << describe(connected);
        EXPECT_EQ(connected.value().state(), ConnectionState::Connected);
        EXPECT_LT(times.back(), 5000);
    }
    std::string text;
    for (auto t : times) {
        text += std::to_string(t) + " ";
    }
    std::printf("[ timing ] negotiate + WebSocket + handshake (ms): %s\n", text.c_str());
    RecordProperty("connect_ms", text);
}

TEST_F(ConnectionTest, CustomHeadersReachTheHub) {
    auto connected =
        connect(hubUrl(), [](HubConnectionBuilder& b) { b.withHeader("X-Test", "abc"); });
    ASSERT_TRUE(connected.ok()) << describe(connected);
    auto header = invoke<std::optional<std::string>>(connected.value(), "GetHeader", {"X-Test"});
    ASSERT_TRUE(header.ok()) << describe(header);
    EXPECT_EQ(header.value(), std::optional<std::string>("abc"));

    auto absent = invoke<std::optional<std::string>>(connected.value(), "GetHeader", {"X-None"});
    ASSERT_TRUE(absent.ok()) << describe(absent);
    EXPECT_FALSE(absent.value().has_value());
}

TEST_F(ConnectionTest, TheUrlsQueryStringIsKept) {
    auto connected = connect(hubUrl("/hub?foo=bar&empty="));
    ASSERT_TRUE(connected.ok()) << describe(connected);
    auto foo = invoke<std::optional<std::string>>(connected.value(), "GetQuery", {"foo"});
    ASSERT_TRUE(foo.ok()) << describe(foo);
    EXPECT_EQ(foo.value(), std::optional<std::string>("bar"));
    EXPECT_EQ(invoke<int>(connected.value(), "Add", {1, 2}).valueOr(0), 3);
}

TEST_F(ConnectionTest, AnAccessTokenProviderAuthenticates) {
    auto calls = std::make_shared<std::atomic<int>>(0);
    auto built = build(hubUrl("/hub-auth"), [calls](HubConnectionBuilder& b) {
        b.withAccessTokenProvider([calls]() -> Result<std::string> {
            ++*calls;
            return std::string("secret-token");
        });
    });
    ASSERT_TRUE(built.ok()) << describe(built);
    auto& connection = built.value();
    auto started = start(connection);
    ASSERT_TRUE(started.ok()) << describe(started);
    auto me = invoke<std::string>(connection, "WhoAmI");
    ASSERT_TRUE(me.ok()) << describe(me);
    EXPECT_EQ(me.value(), "secret-token");
    const int afterFirstStart = calls->load();
    EXPECT_GE(afterFirstStart, 1);

    ASSERT_TRUE(stop(connection).ok());
    started = start(connection);
    ASSERT_TRUE(started.ok()) << describe(started);
    EXPECT_GT(calls->load(), afterFirstStart) << "the provider was not asked again on restart";
    EXPECT_EQ(invoke<std::string>(connection, "WhoAmI").valueOr(""), "secret-token");
}

TEST_F(ConnectionTest, ARestartUsesAFreshToken) {
    auto issued = std::make_shared<std::atomic<int>>(0);
    auto built = build(hubUrl("/hub-auth"), [issued](HubConnectionBuilder& b) {
        b.withAccessTokenProvider(
            [issued]() -> Result<std::string> { return "valid-" + std::to_string(++*issued); });
    });
    ASSERT_TRUE(built.ok()) << describe(built);
    auto& connection = built.value();
    ASSERT_TRUE(start(connection).ok());
    auto first = invoke<std::string>(connection, "WhoAmI");
    ASSERT_TRUE(first.ok()) << describe(first);
    ASSERT_TRUE(stop(connection).ok());
    ASSERT_TRUE(start(connection).ok());
    auto second = invoke<std::string>(connection, "WhoAmI");
    ASSERT_TRUE(second.ok()) << describe(second);
    EXPECT_NE(first.value(), second.value());
    EXPECT_EQ(second.value().rfind("valid-", 0), 0u) << second.value();
}

// Regression for aspnet/SignalR#2526: the access token never appears in a log line.
TEST_F(ConnectionTest, TheAccessTokenNeverAppearsInTheLog) {
    const std::string canary = "valid-CANARY-7f3a9c";
    auto lines = mailbox<std::string>();
    auto built = build(hubUrl("/hub-auth?tenant=x"), [&](HubConnectionBuilder& b) {
        b.withAccessTokenProvider([canary]() -> Result<std::string> {
             return canary;
         }).configureLogging(LogLevel::Trace, [lines](LogLevel, std::string_view line) {
            lines->push(std::string(line));
        });
    });
    ASSERT_TRUE(built.ok()) << describe(built);
    auto& connection = built.value();
    ASSERT_TRUE(start(connection).ok());
    // (Not WhoAmI: its result is the token, and payloads are logged at Trace.)
    EXPECT_EQ(invoke<int>(connection, "Add", {1, 2}).valueOr(0), 3);
    ASSERT_TRUE(stop(connection).ok());
    std::size_t count = 0;
    while (auto line = lines->tryPop()) {
        ++count;
        EXPECT_EQ(line->find("CANARY"), std::string::npos) << "token in the log: " << *line;
    }
    EXPECT_GT(count, 5u) << "expected trace output";
}

TEST_F(ConnectionTest, WithoutATokenStartIsUnauthorized) {
    auto built = build(hubUrl("/hub-auth"));
    ASSERT_TRUE(built.ok()) << describe(built);
    auto started = start(built.value());
    ASSERT_FALSE(started.ok());
    EXPECT_EQ(started.error().code, ErrorCode::Unauthorized) << describe(started);
    EXPECT_EQ(built.value().state(), ConnectionState::Disconnected);
}

TEST_F(ConnectionTest, AWrongTokenIsUnauthorized) {
    auto built = build(hubUrl("/hub-auth"), [](HubConnectionBuilder& b) {
        b.withAccessTokenProvider([]() -> Result<std::string> { return std::string("wrong"); });
    });
    ASSERT_TRUE(built.ok()) << describe(built);
    auto started = start(built.value());
    ASSERT_FALSE(started.ok());
    EXPECT_EQ(started.error().code, ErrorCode::Unauthorized) << describe(started);
    EXPECT_EQ(started.error().message.find("wrong"), std::string::npos)
        << "the token leaked into the message: " << started.error().message;
}

TEST_F(ConnectionTest, AFailingTokenProviderFailsStart) {
    auto built = build(hubUrl("/hub-auth"), [](HubConnectionBuilder& b) {
        b.withAccessTokenProvider(
            []() -> Result<std::string> { return fail(ErrorCode::Unauthorized, "no login"); });
    });
    ASSERT_TRUE(built.ok()) << describe(built);
    auto started = start(built.value());
    ASSERT_FALSE(started.ok());
    EXPECT_EQ(started.error().code, ErrorCode::Unauthorized) << describe(started);
    EXPECT_NE(started.error().message.find("no login"), std::string::npos) << describe(started);
}

TEST_F(ConnectionTest, SkipNegotiationConnectsTheWebSocketDirectly) {
    auto connected = connect(loopbackUrl("ws", sharedHub()->port(), "/hub"),
                             [](HubConnectionBuilder& b) { b.skipNegotiation(); });
    ASSERT_TRUE(connected.ok()) << describe(connected);
    auto& connection = connected.value();
    EXPECT_FALSE(connection.connectionId().has_value());
    auto sum = invoke<std::int64_t>(connection, "Add", {40, 2});
    ASSERT_TRUE(sum.ok()) << describe(sum);
    EXPECT_EQ(sum.value(), 42);
}

TEST_F(ConnectionTest, AWrongPathFailsNegotiateWith404) {
    auto built = build(hubUrl("/nope"));
    ASSERT_TRUE(built.ok()) << describe(built);
    auto started = start(built.value());
    ASSERT_FALSE(started.ok());
    EXPECT_EQ(started.error().code, ErrorCode::NegotiateFailed) << describe(started);
    EXPECT_NE(started.error().message.find("404"), std::string::npos) << describe(started);
    EXPECT_EQ(built.value().state(), ConnectionState::Disconnected);
}

TEST_F(ConnectionTest, AClosedPortFailsFast) {
    const int port = unusedLoopbackPort();
    ASSERT_NE(port, 0);
    for (const bool skip : {false, true}) {
        auto built = build(loopbackUrl(skip ? "ws" : "http", port, "/hub"),
                           [skip](HubConnectionBuilder& b) { b.skipNegotiation(skip); });
        ASSERT_TRUE(built.ok()) << describe(built);
        const auto before = Clock::now();
        auto started = start(built.value());
        const auto took = elapsedMs(before);
        ASSERT_FALSE(started.ok());
        EXPECT_LT(took, 3000);
        const auto code = started.error().code;
        EXPECT_TRUE(code == ErrorCode::TransportFailed || code == ErrorCode::NegotiateFailed)
            << describe(started);
        EXPECT_FALSE(started.error().message.empty());
        std::printf("[ info ] closed port (%s): %lld ms: %s\n", skip ? "ws://" : "http://", took,
                    describe(started).c_str());
    }
}

TEST_F(ConnectionTest, StartWhileConnectedIsInvalidState) {
    auto connected = connect(hubUrl());
    ASSERT_TRUE(connected.ok()) << describe(connected);
    auto again = start(connected.value());
    ASSERT_FALSE(again.ok());
    EXPECT_EQ(again.error().code, ErrorCode::InvalidState) << describe(again);
    EXPECT_EQ(connected.value().state(), ConnectionState::Connected);
}

TEST_F(ConnectionTest, CallsOnADisconnectedConnectionFailAtOnce) {
    auto built = build(hubUrl());
    ASSERT_TRUE(built.ok()) << describe(built);
    auto result = invoke(built.value(), "Add", {1, 2});
    ASSERT_FALSE(result.ok());
    EXPECT_EQ(result.error().code, ErrorCode::InvalidState) << describe(result);
}

TEST_F(ConnectionTest, StopThenStartAgainKeepsHandlers) {
    auto built = build(hubUrl());
    ASSERT_TRUE(built.ok()) << describe(built);
    auto& connection = built.value();
    auto received = mailbox<std::string>();
    connection.on("Broadcast", [received](std::string id, std::string message) {
        received->push(id + ":" + message);
    });
    auto closed = watchClosed(connection);

    std::vector<std::string> ids;
    for (int cycle = 0; cycle < 3; ++cycle) {
        auto started = start(connection);
        ASSERT_TRUE(started.ok()) << "cycle " << cycle << ": " << describe(started);
        ASSERT_TRUE(connection.connectionId().has_value());
        const std::string id = *connection.connectionId();
        for (const auto& old : ids) {
            EXPECT_NE(id, old);
        }
        ids.push_back(id);
        EXPECT_EQ(invoke<std::string>(connection, "GetConnectionId").valueOr(""), id);
        ASSERT_TRUE(invoke<void>(connection, "BroadcastCaller", {"hello"}).ok());
        EXPECT_EQ(received->pop(), id + ":hello");

        auto stopped = stop(connection);
        ASSERT_TRUE(stopped.ok()) << describe(stopped);
        EXPECT_EQ(connection.state(), ConnectionState::Disconnected);
        auto reason = closed->pop();
        ASSERT_TRUE(reason.has_value()) << "onClosed did not run after stop()";
        EXPECT_FALSE(reason->has_value()) << describe(**reason);
        EXPECT_TRUE(stop(connection).ok()) << "stopping a stopped connection succeeds";
    }
    EXPECT_EQ(closed->size(), 0u);
}

// Regression for dotnet/aspnetcore#19750: stop() inside a handler never returned.
TEST_F(ConnectionTest, StopFromInsideAHandlerCompletes) {
    auto built = build(hubUrl());
    ASSERT_TRUE(built.ok()) << describe(built);
    auto& connection = built.value();
    HubConnection* self = &connection;
    auto stopped = mailbox<Result<void>>();
    connection.on("StopMe", [self, stopped](const Arguments&) {
        self->stop([stopped](Result<void> r) { stopped->push(std::move(r)); });
    });
    auto closed = watchClosed(connection);
    ASSERT_TRUE(start(connection).ok());

    auto call = mailbox<Result<Value>>();
    connection.invoke("CallMeBack", {"StopMe", Value::fromArray({})},
                      [call](Result<Value> r) { call->push(std::move(r)); });
    auto result = stopped->pop();
    ASSERT_TRUE(result.has_value()) << "stop() called in a handler never completed";
    EXPECT_TRUE(result->ok()) << describe(*result);
    EXPECT_EQ(connection.state(), ConnectionState::Disconnected);
    EXPECT_TRUE(call->pop().has_value()) << "the pending call never completed";
    auto reason = closed->pop();
    ASSERT_TRUE(reason.has_value());
    EXPECT_FALSE(reason->has_value());
}

TEST_F(ConnectionTest, StopFromInsideOnClosedCompletes) {
    auto built = build(hubUrl());
    ASSERT_TRUE(built.ok()) << describe(built);
    auto& connection = built.value();
    HubConnection* self = &connection;
    auto stoppedInClosed = mailbox<Result<void>>();
    auto closed = mailbox<std::optional<Error>>();
    connection.onClosed([self, closed, stoppedInClosed](const std::optional<Error>& e) {
        closed->push(e);
        self->stop([stoppedInClosed](Result<void> r) { stoppedInClosed->push(std::move(r)); });
    });

    // After the server closed the connection.
    ASSERT_TRUE(start(connection).ok());
    auto closeMe = invoke<void>(connection, "CloseMe", {"bye", false});
    EXPECT_FALSE(closeMe.ok());
    auto reason = closed->pop();
    ASSERT_TRUE(reason.has_value());
    auto inClosed = stoppedInClosed->pop();
    ASSERT_TRUE(inClosed.has_value()) << "stop() called in onClosed never completed";
    EXPECT_TRUE(inClosed->ok()) << describe(*inClosed);

    // After stop() itself: the outer and the nested stop both complete.
    ASSERT_TRUE(start(connection).ok());
    auto outer = stop(connection);
    EXPECT_TRUE(outer.ok()) << describe(outer);
    inClosed = stoppedInClosed->pop();
    ASSERT_TRUE(inClosed.has_value()) << "stop() called in onClosed never completed";
    EXPECT_TRUE(inClosed->ok()) << describe(*inClosed);
    EXPECT_EQ(connection.state(), ConnectionState::Disconnected);
    EXPECT_EQ(closed->take(1).size(), 1u);
    EXPECT_EQ(closed->size(), 0u) << "onClosed ran more than once";
}

/// Starts `connection` against a server that takes the request and never answers, then stops
/// it once the request is on the wire. Regression for dotnet/aspnetcore#25729 and #47304.
void stopWhileStarting(const std::string& url, bool skipNegotiation) {
    SilentServer silent;
    ASSERT_NE(silent.port(), 0);
    auto built = build(loopbackUrl(url, silent.port(), "/hub"),
                       [&](HubConnectionBuilder& b) { b.skipNegotiation(skipNegotiation); });
    ASSERT_TRUE(built.ok()) << describe(built);
    auto& connection = built.value();
    auto started = mailbox<Result<void>>();
    connection.start([started](Result<void> r) { started->push(std::move(r)); });
    ASSERT_TRUE(silent.waitForRequest()) << "the client never sent its request";
    EXPECT_EQ(connection.state(), ConnectionState::Connecting);

    const auto before = Clock::now();
    auto stopped = stop(connection, 5s);
    const auto took = elapsedMs(before);
    ASSERT_TRUE(stopped.ok()) << describe(stopped);
    EXPECT_LT(took, 1000) << "stop() waited for the hanging start";
    auto startResult = started->pop(1s);
    ASSERT_TRUE(startResult.has_value()) << "start() never completed";
    ASSERT_FALSE(startResult->ok());
    EXPECT_EQ(startResult->error().code, ErrorCode::Cancelled) << describe(*startResult);
    EXPECT_EQ(connection.state(), ConnectionState::Disconnected);
    std::printf("[ timing ] stop during %s: %lld ms\n",
                skipNegotiation ? "the WebSocket upgrade" : "negotiate", took);
}

TEST_F(ConnectionTest, StopWhileNegotiateHangsCompletes) {
    stopWhileStarting("http", false);
}

TEST_F(ConnectionTest, StopWhileTheWebSocketUpgradeHangsCompletes) {
    stopWhileStarting("ws", true);
}

// Regression for dotnet/aspnetcore#38776: start() immediately followed by stop().
TEST_F(ConnectionTest, StopRightAfterStartCompletes) {
    auto built = build(hubUrl());
    ASSERT_TRUE(built.ok()) << describe(built);
    auto& connection = built.value();
    for (int i = 0; i < 5; ++i) {
        auto started = mailbox<Result<void>>();
        connection.start([started](Result<void> r) { started->push(std::move(r)); });
        auto stopped = stop(connection);
        ASSERT_TRUE(stopped.ok()) << describe(stopped);
        auto startResult = started->pop();
        ASSERT_TRUE(startResult.has_value()) << "start() never completed";
        if (!startResult->ok()) {
            EXPECT_EQ(startResult->error().code, ErrorCode::Cancelled) << describe(*startResult);
        }
        EXPECT_EQ(connection.state(), ConnectionState::Disconnected);
    }
    auto started = start(connection);
    ASSERT_TRUE(started.ok()) << describe(started);
    EXPECT_EQ(invoke<int>(connection, "Add", {1, 2}).valueOr(0), 3);
}

TEST_F(ConnectionTest, DestroyingTheConnectionCancelsCallsInFlight) {
    auto results = mailbox<Result<std::string>>();
    auto streamDone = mailbox<Result<void>>();
    auto streamItems = mailbox<std::int64_t>();
    std::optional<HubConnection> connection;
    {
        auto connected = connect(hubUrl());
        ASSERT_TRUE(connected.ok()) << describe(connected);
        connection.emplace(std::move(connected).value());
    }
    for (int i = 0; i < 10; ++i) {
        connection->invoke<std::string>("Delay", {5000, "late"}, [results](Result<std::string> r) {
            results->push(std::move(r));
        });
    }
    auto subscription = connection->stream<std::int64_t>(
        "InfiniteCounter", {50}, [streamItems](std::int64_t i) { streamItems->push(i); },
        [streamDone](Result<void> r) { streamDone->push(std::move(r)); });
    // The hub runs the Delays concurrently, so this answers while they are all pending.
    ASSERT_EQ(invoke<int>(*connection, "Add", {1, 2}).valueOr(0), 3);
    ASSERT_TRUE(streamItems->pop().has_value());

    const auto before = Clock::now();
    connection.reset();
    const auto destroyMs = elapsedMs(before);
    std::printf("[ timing ] destroying a connection with 11 calls in flight: %lld ms\n", destroyMs);
    const auto all = results->take(10, 5s);
    ASSERT_EQ(all.size(), 10u) << "some calls never completed";
    for (const auto& r : all) {
        ASSERT_FALSE(r.ok());
        EXPECT_EQ(r.error().code, ErrorCode::Cancelled) << describe(r);
    }
    auto done = streamDone->pop(5s);
    ASSERT_TRUE(done.has_value()) << "the stream never completed";
    ASSERT_FALSE(done->ok());
    EXPECT_EQ(done->error().code, ErrorCode::Cancelled) << describe(*done);
    EXPECT_EQ(results->size(), 0u) << "a completion ran twice";
    EXPECT_EQ(streamDone->size(), 0u) << "a completion ran twice";
}

// Regression for dotnet/aspnetcore#36808: the connection destroyed by its own callback.
TEST_F(ConnectionTest, DestroyingTheConnectionFromItsOwnHandlerIsSafe) {
    auto holder = std::make_shared<std::optional<HubConnection>>();
    {
        auto built = build(hubUrl());
        ASSERT_TRUE(built.ok()) << describe(built);
        holder->emplace(std::move(built).value());
    }
    auto& connection = **holder;
    auto destroyed = mailbox<bool>();
    std::weak_ptr<std::optional<HubConnection>> weak = holder;
    connection.on("Die", [weak, destroyed](const Arguments&) {
        if (auto h = weak.lock()) {
            h->reset();
            destroyed->push(true);
        }
    });
    ASSERT_TRUE(start(connection).ok());
    auto pending = mailbox<Result<std::string>>();
    connection.invoke<std::string>(
        "Delay", {5000, "late"}, [pending](Result<std::string> r) { pending->push(std::move(r)); });
    auto call = mailbox<Result<Value>>();
    connection.invoke("CallMeBack", {"Die", Value::fromArray({})},
                      [call](Result<Value> r) { call->push(std::move(r)); });
    // From here on only the handler touches the connection.
    ASSERT_TRUE(destroyed->pop().has_value()) << "the handler never ran";
    auto late = pending->pop();
    ASSERT_TRUE(late.has_value()) << "the pending call never completed";
    ASSERT_FALSE(late->ok());
    EXPECT_EQ(late->error().code, ErrorCode::Cancelled) << describe(*late);
    auto callResult = call->pop();
    ASSERT_TRUE(callResult.has_value()) << "the call that triggered the handler never completed";
    EXPECT_FALSE(holder->has_value());
}

} // namespace
} // namespace signalr::integration
