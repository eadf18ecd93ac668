#include "connection_fixture.hpp"

namespace signalr::test {
namespace {

using namespace std::chrono_literals;

class StartTest : public ConnectionFixture {};

TEST_F(StartTest, NegotiatesThenOpensTheWebSocketWithTheConnectionToken) {
    auto connection = build();
    auto result = start(connection);
    ASSERT_TRUE(result.has_value());
    ASSERT_TRUE(result->ok()) << result->error().toString();
    ASSERT_EQ(http->requests.size(), 1u);
    EXPECT_EQ(http->requests[0].method, "POST");
    EXPECT_EQ(http->requests[0].url, "http://example.test/hub/negotiate?negotiateVersion=1");
    EXPECT_EQ(http->requests[0].headers.at("X-Requested-With"), "XMLHttpRequest");
    EXPECT_EQ(transport()->request.url, "ws://example.test/hub?id=token-1");
    ASSERT_FALSE(transport()->sent.empty());
    EXPECT_EQ(transport()->sent[0], std::string(R"({"protocol":"json","version":1})") + kRS);
    EXPECT_EQ(connection.state(), ConnectionState::Connected);
    EXPECT_EQ(connection.connectionId(), "conn-1");
}

TEST_F(StartTest, KeepsTheQueryStringOnNegotiateAndTransport) {
    auto connection = builder("https://example.test/app/hub/?tenant=a%20b").build().value();
    ASSERT_TRUE(start(connection)->ok());
    EXPECT_EQ(http->requests[0].url,
              "https://example.test/app/hub/negotiate?tenant=a%20b&negotiateVersion=1");
    EXPECT_EQ(transport()->request.url, "wss://example.test/app/hub/?tenant=a%20b&id=token-1");
}

TEST_F(StartTest, NegotiateVersionZeroUsesTheConnectionIdAsToken) {
    http->handler = [](const HttpRequest&) {
        return Result<HttpResponse>(HttpResponse{
            200,
            R"({"connectionId":"old-id","availableTransports":[{"transport":"WebSockets","transferFormats":["Text"]}]})"});
    };
    auto connection = build();
    ASSERT_TRUE(start(connection)->ok());
    EXPECT_EQ(transport()->request.url, "ws://example.test/hub?id=old-id");
    EXPECT_EQ(connection.connectionId(), "old-id");
}

TEST_F(StartTest, HeadersAndTokenGoOnNegotiateAndUpgrade) {
    int calls = 0;
    auto connection = builder()
                          .withHeader("X-Custom", "42")
                          .withAccessTokenProvider([&calls]() -> Result<std::string> {
                              ++calls;
                              return std::string("tok");
                          })
                          .build()
                          .value();
    ASSERT_TRUE(start(connection)->ok());
    EXPECT_EQ(calls, 1);
    EXPECT_EQ(http->requests[0].headers.at("Authorization"), "Bearer tok");
    EXPECT_EQ(http->requests[0].headers.at("X-Custom"), "42");
    EXPECT_EQ(transport()->request.headers.at("Authorization"), "Bearer tok");
    EXPECT_EQ(transport()->request.headers.at("X-Custom"), "42");
    EXPECT_EQ(transport()->request.url.find("access_token"), std::string::npos);
}

TEST_F(StartTest, TokenTravelsInTheQueryWhenTheTransportCannotSendHeaders) {
    transports->defaults.supportsHeaders = false;
    auto connection =
        builder()
            .withAccessTokenProvider([]() -> Result<std::string> { return std::string("a b"); })
            .build()
            .value();
    ASSERT_TRUE(start(connection)->ok());
    EXPECT_EQ(transport()->request.url, "ws://example.test/hub?id=token-1&access_token=a%20b");
}

TEST_F(StartTest, TokensNeverAppearInLogs) {
    transports->defaults.supportsHeaders = false;
    auto connection = builder()
                          .withAccessTokenProvider(
                              []() -> Result<std::string> { return std::string("canary-secret"); })
                          .build()
                          .value();
    ASSERT_TRUE(start(connection)->ok());
    ASSERT_FALSE(logs.empty());
    for (const auto& [level, message] : logs) {
        EXPECT_EQ(message.find("canary-secret"), std::string::npos) << message;
    }
}

TEST_F(StartTest, AFailingTokenProviderFailsStart) {
    auto connection = builder()
                          .withAccessTokenProvider([]() -> Result<std::string> {
                              return fail(ErrorCode::Unauthorized, "no token today");
                          })
                          .build()
                          .value();
    auto result = start(connection);
    ASSERT_FALSE(result->ok());
    EXPECT_EQ(result->error().code, ErrorCode::Unauthorized);
    EXPECT_NE(result->error().message.find("no token today"), std::string::npos);
    EXPECT_TRUE(http->requests.empty());
}

TEST_F(StartTest, FollowsRedirectsWithTheirAccessToken) {
    http->handler = [](const HttpRequest& request) {
        if (request.url.rfind("http://example.test/", 0) == 0) {
            return Result<HttpResponse>(HttpResponse{
                200,
                R"({"url":"https://service.test/client/?hub=chat","accessToken":"redirect-token"})"});
        }
        return Result<HttpResponse>(HttpResponse{200, FakeHttpClient::negotiateV1("c2", "t2")});
    };
    auto connection = build();
    ASSERT_TRUE(start(connection)->ok());
    ASSERT_EQ(http->requests.size(), 2u);
    EXPECT_EQ(http->requests[1].url,
              "https://service.test/client/negotiate?hub=chat&negotiateVersion=1");
    EXPECT_EQ(http->requests[1].headers.at("Authorization"), "Bearer redirect-token");
    EXPECT_EQ(transport()->request.url, "wss://service.test/client/?hub=chat&id=t2");
    EXPECT_EQ(transport()->request.headers.at("Authorization"), "Bearer redirect-token");
}

TEST_F(StartTest, StopsAfterAHundredRedirects) {
    http->handler = [](const HttpRequest&) {
        return Result<HttpResponse>(HttpResponse{200, R"({"url":"http://loop.test/hub"})"});
    };
    auto connection = build();
    auto result = start(connection);
    ASSERT_FALSE(result->ok());
    EXPECT_EQ(result->error().code, ErrorCode::NegotiateFailed);
    EXPECT_EQ(result->error().message, "Negotiate redirection limit exceeded.");
    EXPECT_EQ(http->requests.size(), 101u);
    EXPECT_EQ(connection.state(), ConnectionState::Disconnected);
}

TEST_F(StartTest, NegotiateErrorsReachTheCaller) {
    struct Case {
        int status;
        std::string body;
        ErrorCode code;
        std::string serverMessage;
    };
    const std::vector<Case> cases = {
        {200, R"({"error":"Hub is closed"})", ErrorCode::NegotiateFailed, "Hub is closed"},
        {401, "", ErrorCode::Unauthorized, ""},
        {404, "", ErrorCode::NegotiateFailed, ""},
        {500, "oops", ErrorCode::NegotiateFailed, ""},
        {200, "not json", ErrorCode::NegotiateFailed, ""},
        {200,
         R"({"connectionId":"x","availableTransports":[{"transport":"LongPolling","transferFormats":["Text"]}]})",
         ErrorCode::NegotiateFailed, ""},
    };
    for (const auto& c : cases) {
        http->handler = [c](const HttpRequest&) {
            return Result<HttpResponse>(HttpResponse{c.status, c.body});
        };
        auto connection = build();
        auto result = start(connection);
        ASSERT_TRUE(result.has_value()) << c.body;
        ASSERT_FALSE(result->ok()) << c.body;
        EXPECT_EQ(result->error().code, c.code)
            << c.status << " " << c.body << ": " << result->error().toString();
        EXPECT_EQ(result->error().serverMessage, c.serverMessage);
        EXPECT_EQ(connection.state(), ConnectionState::Disconnected);
    }
}

TEST_F(StartTest, UnreachableServerFailsStartWithTheHttpError) {
    http->handler = [](const HttpRequest&) -> Result<HttpResponse> {
        return fail(ErrorCode::TransportFailed, "connection refused");
    };
    auto connection = build();
    auto result = start(connection);
    ASSERT_FALSE(result->ok());
    EXPECT_EQ(result->error().code, ErrorCode::TransportFailed);
    EXPECT_NE(result->error().message.find("connection refused"), std::string::npos);
}

TEST_F(StartTest, SkipNegotiationConnectsDirectly) {
    auto connection = builder("ws://example.test/hub").skipNegotiation().build().value();
    ASSERT_TRUE(start(connection)->ok());
    EXPECT_TRUE(http->requests.empty());
    EXPECT_EQ(transport()->request.url, "ws://example.test/hub");
    EXPECT_EQ(connection.connectionId(), std::nullopt);
}

TEST_F(StartTest, BuildRejectsBadUrls) {
    EXPECT_EQ(builder("not a url").build().error().code, ErrorCode::InvalidArgument);
    EXPECT_EQ(builder("ftp://x/hub").build().error().code, ErrorCode::InvalidArgument);
    EXPECT_EQ(builder("ws://x/hub").build().error().code, ErrorCode::InvalidArgument);
    EXPECT_EQ(HubConnectionBuilder().withPlatform(platform()).build().error().code,
              ErrorCode::InvalidArgument);
}

TEST_F(StartTest, HandshakeErrorFailsStartWithTheServerText) {
    transports->defaults.autoHandshake = false;
    auto connection = build();
    bool closedFired = false;
    connection.onClosed([&](const std::optional<Error>&) { closedFired = true; });
    std::optional<Result<void>> result;
    connection.start([&](Result<void> r) { result = std::move(r); });
    executor->runPending();
    ASSERT_FALSE(result.has_value());
    serverSends(R"({"error":"Requested protocol 'json' is not available."})");
    ASSERT_TRUE(result.has_value());
    ASSERT_FALSE(result->ok());
    EXPECT_EQ(result->error().code, ErrorCode::HandshakeFailed);
    EXPECT_EQ(result->error().serverMessage, "Requested protocol 'json' is not available.");
    EXPECT_EQ(connection.state(), ConnectionState::Disconnected);
    EXPECT_FALSE(closedFired) << "a failed start is not a closed connection";
    EXPECT_TRUE(transport()->closeCalled);
}

TEST_F(StartTest, InvalidHandshakeReplyFailsStart) {
    transports->defaults.autoHandshake = false;
    auto connection = build();
    std::optional<Result<void>> result;
    connection.start([&](Result<void> r) { result = std::move(r); });
    executor->runPending();
    serverSends("[1,2]");
    ASSERT_TRUE(result.has_value());
    EXPECT_EQ(result->error().code, ErrorCode::HandshakeFailed);
}

TEST_F(StartTest, HandshakeReplySplitAcrossFramesCompletes) {
    transports->defaults.autoHandshake = false;
    auto connection = build();
    std::optional<Result<void>> result;
    connection.start([&](Result<void> r) { result = std::move(r); });
    executor->runPending();
    transport()->receive("{");
    executor->runPending();
    EXPECT_FALSE(result.has_value());
    transport()->receive(std::string("}") + kRS);
    executor->runPending();
    ASSERT_TRUE(result.has_value());
    EXPECT_TRUE(result->ok());
}

TEST_F(StartTest, HandshakeTimesOutAfterFifteenSeconds) {
    transports->defaults.autoHandshake = false;
    auto connection = build();
    std::optional<Result<void>> result;
    connection.start([&](Result<void> r) { result = std::move(r); });
    executor->advance(14'999ms);
    EXPECT_FALSE(result.has_value());
    executor->advance(1ms);
    ASSERT_TRUE(result.has_value());
    EXPECT_EQ(result->error().code, ErrorCode::Timeout);
    EXPECT_EQ(connection.state(), ConnectionState::Disconnected);
}

TEST_F(StartTest, MessagesInTheHandshakeFrameAreDelivered) {
    transports->defaults.autoHandshake = false;
    auto connection = build();
    std::vector<std::string> got;
    connection.on("Hello", [&](std::string who) { got.push_back(who); });
    std::optional<Result<void>> result;
    connection.start([&](Result<void> r) { result = std::move(r); });
    executor->runPending();
    transport()->receive(std::string("{}") + kRS +
                         R"({"type":1,"target":"Hello","arguments":["a"]})" + kRS +
                         R"({"type":1,"target":"Hello","arguments":["b"]})" + kRS);
    executor->runPending();
    ASSERT_TRUE(result.has_value() && result->ok());
    EXPECT_EQ(got, (std::vector<std::string>{"a", "b"}));
}

TEST_F(StartTest, TransportFailureFailsStart) {
    transports->defaults.autoOpen = false;
    auto connection = build();
    std::optional<Result<void>> result;
    connection.start([&](Result<void> r) { result = std::move(r); });
    executor->runPending();
    transport()->drop(fail(ErrorCode::TransportFailed, "WebSocket upgrade failed: HTTP 404"));
    executor->runPending();
    ASSERT_TRUE(result.has_value());
    EXPECT_EQ(result->error().code, ErrorCode::TransportFailed);
    EXPECT_EQ(connection.state(), ConnectionState::Disconnected);
}

TEST_F(StartTest, StartTwiceIsAnInvalidState) {
    auto connection = connected();
    auto second = start(connection);
    ASSERT_TRUE(second.has_value());
    EXPECT_EQ(second->error().code, ErrorCode::InvalidState);
    EXPECT_EQ(connection.state(), ConnectionState::Connected);
}

TEST_F(StartTest, StopDuringNegotiateCancelsStartAndIgnoresTheLateAnswer) {
    http->hold = true;
    auto connection = build();
    std::optional<Result<void>> started;
    std::optional<Result<void>> stopped;
    connection.start([&](Result<void> r) { started = std::move(r); });
    executor->runPending();
    ASSERT_EQ(http->held.size(), 1u);
    connection.stop([&](Result<void> r) { stopped = std::move(r); });
    executor->runPending();
    ASSERT_TRUE(started.has_value());
    EXPECT_EQ(started->error().code, ErrorCode::Cancelled);
    ASSERT_TRUE(stopped.has_value());
    EXPECT_TRUE(stopped->ok());
    http->held[0](HttpResponse{200, FakeHttpClient::negotiateV1()});
    executor->runPending();
    EXPECT_TRUE(transports->created.empty());
    EXPECT_EQ(connection.state(), ConnectionState::Disconnected);
}

TEST_F(StartTest, StopDuringNegotiateDoesNotFollowALateRedirect) {
    http->hold = true;
    auto connection = build();
    connection.start();
    executor->runPending();
    connection.stop();
    executor->runPending();
    ASSERT_EQ(http->held.size(), 1u);
    http->held[0](HttpResponse{200, R"({"url":"http://elsewhere.test/hub","accessToken":"t"})"});
    executor->runPending();
    EXPECT_EQ(http->requests.size(), 1u) << "no request after stop()";
}

TEST_F(StartTest, ZeroHandshakeTimeoutWaitsForever) {
    transports->defaults.autoHandshake = false;
    auto connection = builder().withHandshakeTimeout(std::chrono::milliseconds(0)).build().value();
    std::optional<Result<void>> result;
    connection.start([&](Result<void> r) { result = std::move(r); });
    executor->advance(std::chrono::hours(1));
    EXPECT_FALSE(result.has_value());
    serverSends("{}");
    ASSERT_TRUE(result.has_value());
    EXPECT_TRUE(result->ok());
}

TEST_F(StartTest, AFactoryThatMakesNoTransportFailsStart) {
    Platform p = platform();
    p.makeTransport = [] { return std::unique_ptr<Transport>(); };
    auto connection = builder().withPlatform(p).build().value();
    auto result = start(connection);
    ASSERT_TRUE(result.has_value());
    EXPECT_EQ(result->error().code, ErrorCode::InvalidArgument);
}

TEST_F(StartTest, StopDuringHandshakeCancelsStart) {
    transports->defaults.autoHandshake = false;
    auto connection = build();
    std::optional<Result<void>> started;
    connection.start([&](Result<void> r) { started = std::move(r); });
    executor->runPending();
    bool stopped = false;
    connection.stop([&](Result<void> r) { stopped = r.ok(); });
    executor->runPending();
    EXPECT_TRUE(stopped);
    ASSERT_TRUE(started.has_value());
    EXPECT_EQ(started->error().code, ErrorCode::Cancelled);
    EXPECT_EQ(executor->pendingTimers(), 0u);
}

TEST_F(StartTest, RestartAfterStopNegotiatesAgainAndKeepsHandlers) {
    auto connection = connected();
    int calls = 0;
    connection.on("Tick", [&](const Arguments&) { ++calls; });
    connection.stop();
    executor->runPending();
    ASSERT_EQ(connection.state(), ConnectionState::Disconnected);
    ASSERT_TRUE(start(connection)->ok());
    EXPECT_EQ(http->requests.size(), 2u);
    EXPECT_EQ(transports->created.size(), 2u);
    serverSends(R"({"type":1,"target":"Tick","arguments":[]})");
    EXPECT_EQ(calls, 1);
}

} // namespace
} // namespace signalr::test
