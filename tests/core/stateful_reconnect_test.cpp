#include "connection_fixture.hpp"

namespace signalr::test {
namespace {

using namespace std::chrono_literals;

/// A server that grants stateful reconnect when asked, as ASP.NET does with
/// AllowStatefulReconnects.
class StatefulReconnectTest : public ConnectionFixture {
protected:
    void SetUp() override {
        http->handler = [](const HttpRequest& request) {
            std::string body = FakeHttpClient::negotiateV1("conn-1", "token-1");
            if (request.url.find("useStatefulReconnect=true") != std::string::npos) {
                body.insert(body.size() - 1, R"(,"useStatefulReconnect":true)");
            }
            return Result<HttpResponse>(HttpResponse{200, body});
        };
    }

    HubConnection statefulConnected(std::size_t bufferBytes = 100'000) {
        auto built = builder().withStatefulReconnect(bufferBytes).build();
        EXPECT_TRUE(built.ok());
        auto connection = std::move(built).value();
        connection.onClosed([this](const std::optional<Error>& e) { closed.push_back(e); });
        auto result = start(connection);
        EXPECT_TRUE(result.has_value() && result->ok());
        return connection;
    }

    /// Cuts the current transport with an error, as a dead socket does, and lets the resume run.
    void cut() {
        transport()->drop(fail(ErrorCode::ConnectionLost, "the WebSocket connection was lost"));
        executor->runPending();
    }

    std::vector<std::optional<Error>> closed;
};

TEST_F(StatefulReconnectTest, NegotiateAsksOnlyWhenEnabledAndTheHandshakeSaysVersionTwo) {
    auto plain = connected();
    EXPECT_EQ(http->requests.back().url, "http://example.test/hub/negotiate?negotiateVersion=1");
    EXPECT_EQ(transport()->sent[0], std::string(R"({"protocol":"json","version":1})") + kRS);

    auto stateful = statefulConnected();
    EXPECT_EQ(http->requests.back().url,
              "http://example.test/hub/negotiate?negotiateVersion=1&useStatefulReconnect=true");
    EXPECT_EQ(transport()->sent[0], std::string(R"({"protocol":"json","version":2})") + kRS);
}

TEST_F(StatefulReconnectTest, AServerThatDoesNotAgreeGetsVersionOneAndNoResume) {
    http->handler = [](const HttpRequest&) {
        return Result<HttpResponse>(HttpResponse{200, FakeHttpClient::negotiateV1()});
    };
    auto connection = statefulConnected();
    EXPECT_EQ(transport()->sent[0], std::string(R"({"protocol":"json","version":1})") + kRS);
    cut();
    EXPECT_EQ(connection.state(), ConnectionState::Disconnected);
    EXPECT_EQ(transports->created.size(), 1u);
    ASSERT_EQ(closed.size(), 1u);
}

TEST_F(StatefulReconnectTest, ADropResumesTheSameConnectionAndReplaysWhatWasNotAcked) {
    auto connection = statefulConnected();
    int events = 0;
    connection.onDisconnected([&](const DisconnectReason&) { ++events; });
    connection.onReconnecting([&](std::uint32_t, const Error&) { ++events; });
    connection.onReconnected([&](std::uint32_t, const std::optional<std::string>&) { ++events; });
    connection.onConnected([&](const std::optional<std::string>&) { ++events; });
    std::optional<Result<std::int64_t>> sum;
    connection.invoke<std::int64_t>("Add", {1, 2}, [&](Result<std::int64_t> r) { sum = r; });
    executor->runPending();
    const auto url = transport()->request.url;
    cut();

    ASSERT_EQ(transports->created.size(), 2u);
    EXPECT_EQ(transport()->request.url, url) << "same URL, same id=connectionToken";
    EXPECT_EQ(transport()->request.connectTimeout, 15s) << "bounded like the handshake";
    EXPECT_EQ(http->requests.size(), 1u) << "no new negotiate";
    ASSERT_EQ(transport()->sent.size(), 2u) << "no handshake on a resumed session";
    EXPECT_EQ(sent()[0], R"({"type":9,"sequenceId":1})");
    EXPECT_EQ(sent()[1], R"({"type":1,"invocationId":"0","target":"Add","arguments":[1,2]})");
    EXPECT_EQ(connection.state(), ConnectionState::Connected);
    EXPECT_EQ(connection.connectionId(), "conn-1");
    EXPECT_TRUE(closed.empty());
    EXPECT_EQ(connection.metrics().reconnections, 1u);
    EXPECT_EQ(events, 0) << "a resume is invisible to connection events";
    EXPECT_FALSE(sum.has_value()) << "pending invocations survive";

    serverSends(R"({"type":9,"sequenceId":1})");
    serverSends(R"({"type":3,"invocationId":"0","result":3})");
    ASSERT_TRUE(sum.has_value());
    EXPECT_EQ(sum->value(), 3);
}

TEST_F(StatefulReconnectTest, AckedMessagesAreNotReplayed) {
    auto connection = statefulConnected();
    connection.send("Record", {1});
    connection.send("Record", {2});
    executor->runPending();
    serverSends(R"({"type":8,"sequenceId":1})");
    cut();
    ASSERT_EQ(sent().size(), 2u);
    EXPECT_EQ(sent()[0], R"({"type":9,"sequenceId":2})");
    EXPECT_EQ(sent()[1], R"({"type":1,"target":"Record","arguments":[2]})");

    serverSends(R"({"type":8,"sequenceId":2})");
    cut();
    ASSERT_EQ(sent().size(), 1u);
    EXPECT_EQ(sent()[0], R"({"type":9,"sequenceId":3})") << "nothing kept: the next id";
}

TEST_F(StatefulReconnectTest, SendsWhileResumingGoOutAfterTheReplay) {
    auto connection = statefulConnected();
    connection.send("Record", {1});
    executor->runPending();
    transports->defaults.autoOpen = false;
    cut();
    std::optional<Result<void>> during;
    connection.send("Record", {2}, [&](Result<void> r) { during = r; });
    executor->runPending();
    EXPECT_TRUE(transport()->sent.empty());
    EXPECT_FALSE(during.has_value()) << "completes once it is written";
    EXPECT_EQ(connection.state(), ConnectionState::Connected);

    transport()->accept();
    executor->runPending();
    ASSERT_EQ(sent().size(), 3u);
    EXPECT_EQ(sent()[0], R"({"type":9,"sequenceId":1})");
    EXPECT_EQ(sent()[1], R"({"type":1,"target":"Record","arguments":[1]})");
    EXPECT_EQ(sent()[2], R"({"type":1,"target":"Record","arguments":[2]})");
    ASSERT_TRUE(during.has_value());
    EXPECT_TRUE(during->ok());
}

TEST_F(StatefulReconnectTest, ReplayedDuplicatesReachHandlersOnce) {
    auto connection = statefulConnected();
    std::vector<std::int64_t> seen;
    connection.on("Seq", [&](std::int64_t n) { seen.push_back(n); });
    serverSends(R"({"type":1,"target":"Seq","arguments":[1]})");
    serverSends(R"({"type":1,"target":"Seq","arguments":[2]})");
    cut();
    serverSends(R"({"type":9,"sequenceId":1})");
    serverSends(R"({"type":1,"target":"Seq","arguments":[1]})");
    serverSends(R"({"type":1,"target":"Seq","arguments":[2]})");
    serverSends(R"({"type":1,"target":"Seq","arguments":[3]})");
    EXPECT_EQ(seen, (std::vector<std::int64_t>{1, 2, 3}));
}

TEST_F(StatefulReconnectTest, StreamsSurviveAResume) {
    auto connection = statefulConnected();
    std::vector<std::int64_t> items;
    std::optional<Result<void>> end;
    auto subscription = connection.stream<std::int64_t>(
        "Counter", {3, 0}, [&](std::int64_t i) { items.push_back(i); },
        [&](Result<void> r) { end = r; });
    executor->runPending();
    serverSends(R"({"type":2,"invocationId":"0","item":0})");
    cut();
    serverSends(R"({"type":9,"sequenceId":1})");
    serverSends(R"({"type":2,"invocationId":"0","item":0})");
    serverSends(R"({"type":2,"invocationId":"0","item":1})");
    serverSends(R"({"type":2,"invocationId":"0","item":2})");
    serverSends(R"({"type":3,"invocationId":"0"})");
    EXPECT_EQ(items, (std::vector<std::int64_t>{0, 1, 2}));
    ASSERT_TRUE(end.has_value());
    EXPECT_TRUE(end->ok());
}

TEST_F(StatefulReconnectTest, AnAckGoesOutAboutOnceASecondAfterMessagesArrive) {
    auto connection = statefulConnected();
    connection.on("Seq", [](std::int64_t) {});
    executor->advance(3s);
    EXPECT_TRUE(sent().empty()) << "no Ack when nothing arrived";
    serverSends(R"({"type":1,"target":"Seq","arguments":[1]})");
    serverSends(R"({"type":1,"target":"Seq","arguments":[2]})");
    serverSends(R"({"type":6})");
    executor->advance(1s);
    ASSERT_EQ(sent().size(), 1u);
    EXPECT_EQ(sent()[0], R"({"type":8,"sequenceId":2})");
}

TEST_F(StatefulReconnectTest, ASequenceBeyondWhatWasReceivedClosesWithAProtocolError) {
    auto connection = statefulConnected();
    std::optional<Result<Value>> pending;
    connection.invoke("Delay", {1000, "x"}, [&](Result<Value> r) { pending = std::move(r); });
    executor->runPending();
    serverSends(R"({"type":9,"sequenceId":5})");
    EXPECT_EQ(connection.state(), ConnectionState::Disconnected);
    ASSERT_EQ(closed.size(), 1u);
    ASSERT_TRUE(closed[0].has_value());
    EXPECT_EQ(closed[0]->code, ErrorCode::ProtocolError);
    ASSERT_TRUE(pending.has_value());
    EXPECT_EQ(pending->error().code, ErrorCode::ConnectionLost);
}

TEST_F(StatefulReconnectTest, AFailedResumeFallsBackToTheOrdinaryClose) {
    auto connection = statefulConnected(10);
    std::optional<Result<Value>> pending;
    connection.invoke("Delay", {1000, "x"}, [&](Result<Value> r) { pending = std::move(r); });
    std::optional<Result<void>> blocked;
    connection.send("Record", {1}, [&](Result<void> r) { blocked = r; });
    executor->runPending();
    EXPECT_FALSE(blocked.has_value()) << "over the tiny buffer: waits for an Ack";
    transports->defaults.autoOpen = false;
    cut();
    ASSERT_EQ(transports->created.size(), 2u);
    transport()->drop(fail(ErrorCode::TransportFailed, "HTTP 404"));
    executor->runPending();

    EXPECT_EQ(connection.state(), ConnectionState::Disconnected);
    ASSERT_EQ(closed.size(), 1u);
    ASSERT_TRUE(closed[0].has_value());
    EXPECT_EQ(closed[0]->code, ErrorCode::ConnectionLost);
    EXPECT_NE(closed[0]->message.find("was lost"), std::string::npos) << closed[0]->message;
    ASSERT_TRUE(blocked.has_value());
    EXPECT_FALSE(blocked->ok());
    ASSERT_TRUE(pending.has_value());
    EXPECT_EQ(pending->error().code, ErrorCode::ConnectionLost);
    EXPECT_EQ(transports->created.size(), 2u) << "one resume attempt only";
    EXPECT_TRUE(logged(LogLevel::Warning, "resuming the session failed: HTTP 404"));
}

TEST_F(StatefulReconnectTest, ACleanCloseOrACloseMessageIsNotResumed) {
    auto connection = statefulConnected();
    transport()->drop(std::nullopt);
    executor->runPending();
    EXPECT_EQ(connection.state(), ConnectionState::Disconnected);
    EXPECT_EQ(transports->created.size(), 1u);

    closed.clear();
    ASSERT_TRUE(start(connection).value().ok());
    serverSends(R"({"type":7,"error":"bye"})");
    EXPECT_EQ(connection.state(), ConnectionState::Disconnected);
    EXPECT_EQ(transports->created.size(), 2u);
    ASSERT_EQ(closed.size(), 1u);
    EXPECT_EQ(closed[0]->code, ErrorCode::ServerClosed);
}

TEST_F(StatefulReconnectTest, StopWhileResumingEndsAtOnceAndRejectsWaitingSends) {
    auto connection = statefulConnected();
    transports->defaults.autoOpen = false;
    cut();
    std::optional<Result<void>> waiting;
    connection.send("Record", {1}, [&](Result<void> r) { waiting = r; });
    std::optional<Result<void>> stopped;
    connection.stop([&](Result<void> r) { stopped = r; });
    executor->runPending();
    ASSERT_TRUE(stopped.has_value());
    EXPECT_TRUE(stopped->ok());
    EXPECT_EQ(connection.state(), ConnectionState::Disconnected);
    ASSERT_TRUE(waiting.has_value());
    EXPECT_EQ(waiting->error().code, ErrorCode::Cancelled);
    EXPECT_TRUE(transport()->sent.empty()) << "no Close on a transport that never opened";
}

TEST_F(StatefulReconnectTest, BackpressureHoldsSendCompletionsUntilAnAck) {
    auto connection = statefulConnected(60);
    std::vector<Result<void>> results;
    for (int i = 0; i < 3; ++i) {
        connection.send("Record", {i}, [&](Result<void> r) { results.push_back(r); });
    }
    executor->runPending();
    // Each Record is 46 bytes: the second crosses 60 bytes, the third waits unwritten.
    EXPECT_EQ(sent().size(), 2u);
    EXPECT_EQ(results.size(), 1u);
    serverSends(R"({"type":8,"sequenceId":2})");
    EXPECT_EQ(sent().size(), 3u);
    EXPECT_EQ(results.size(), 3u);
}

TEST_F(StatefulReconnectTest, NoTimerOrCallbackAfterTheConnectionIsDestroyed) {
    {
        auto connection = statefulConnected();
        connection.on("Seq", [](std::int64_t) {});
        serverSends(R"({"type":1,"target":"Seq","arguments":[1]})");
    }
    executor->advance(10s);
    executor->runPending();
    for (const auto& message : sent()) {
        EXPECT_EQ(message.find(R"("type":8)"), std::string::npos) << message;
    }
}

TEST_F(StatefulReconnectTest, NoAckWhileResumingAndOneAfter) {
    auto connection = statefulConnected();
    connection.on("Seq", [](std::int64_t) {});
    serverSends(R"({"type":1,"target":"Seq","arguments":[1]})");
    transports->defaults.autoOpen = false;
    cut();
    executor->advance(5s);
    EXPECT_TRUE(transport()->sent.empty()) << "nothing is written before the transport opens";
    transport()->accept();
    executor->runPending();
    executor->advance(1s);
    ASSERT_EQ(sent().size(), 2u);
    EXPECT_EQ(sent()[0], R"({"type":9,"sequenceId":1})");
    EXPECT_EQ(sent()[1], R"({"type":8,"sequenceId":1})") << "the old transport's Ack may be lost";
}

TEST_F(StatefulReconnectTest, ABlockedSendEndsWithAServerCloseOrStop) {
    for (bool byStop : {false, true}) {
        auto connection = statefulConnected(10);
        std::vector<Result<void>> results;
        connection.send("Record", {1}, [&](Result<void> r) { results.push_back(r); });
        connection.send("Record", {2}, [&](Result<void> r) { results.push_back(r); });
        executor->runPending();
        EXPECT_TRUE(results.empty()) << "over the limit: both wait";
        if (byStop) {
            connection.stop();
            executor->runPending();
        } else {
            serverSends(R"({"type":7,"error":"bye"})");
        }
        ASSERT_EQ(results.size(), 2u);
        const auto expected = byStop ? ErrorCode::Cancelled : ErrorCode::ConnectionLost;
        EXPECT_EQ(results[0].error().code, expected);
        EXPECT_EQ(results[1].error().code, expected);
    }
}

TEST_F(StatefulReconnectTest, EveryDropGetsItsOwnResume) {
    auto connection = statefulConnected();
    for (int i = 0; i < 5; ++i) {
        cut();
        serverSends(R"({"type":9,"sequenceId":1})");
    }
    EXPECT_EQ(transports->created.size(), 6u);
    EXPECT_EQ(http->requests.size(), 1u);
    EXPECT_EQ(connection.state(), ConnectionState::Connected);
    EXPECT_TRUE(closed.empty());
}

TEST_F(StatefulReconnectTest, PingsAreNotBufferedAndGoOutWhileSendsAreBlocked) {
    auto connection = statefulConnected(10);
    std::vector<Result<void>> results;
    connection.send("Record", {1}, [&](Result<void> r) { results.push_back(r); });
    connection.send("Record", {2}, [&](Result<void> r) { results.push_back(r); });
    executor->runPending();
    ASSERT_EQ(sent().size(), 1u);
    executor->advance(15s);
    ASSERT_EQ(sent().size(), 2u);
    EXPECT_EQ(sent()[1], R"({"type":6})");
    EXPECT_TRUE(results.empty());
    connection.stop();
    executor->runPending();
    EXPECT_EQ(results.size(), 2u) << "stop() completes the blocked sends";
}

} // namespace
} // namespace signalr::test
