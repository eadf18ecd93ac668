// The libwebsockets HTTP client against an in-process lws server.

#include <chrono>
#include <cstdlib>
#include <future>
#include <memory>
#include <string>

#include <gtest/gtest.h>

#include "signalr/event_loop.hpp"
#include "test_server.hpp"
#include "test_support.hpp"
#include "trusted_tls_server.hpp"

namespace signalr::test {
namespace {

using Clock = std::chrono::steady_clock;

/// (gcc 12 warns about designated initializers that leave members out.)
HttpRequest request(std::string method, std::string url, HttpHeaders headers = {},
                    std::string body = {},
                    std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
    HttpRequest r;
    r.method = std::move(method);
    r.url = std::move(url);
    r.headers = std::move(headers);
    r.body = std::move(body);
    r.timeout = timeout;
    return r;
}

struct HttpFixture : ::testing::Test {
    void SetUp() override {
        loop = EventLoop::create();
        ASSERT_NE(loop, nullptr);
        loop->startThread();
        platform = loop->platform();
    }
    void TearDown() override { loop->stop(); }

    struct Outcome {
        std::optional<Result<HttpResponse>> result;
        int calls = 0;
        bool onLoopThread = false;
        bool insideSend = false;
    };

    /// Sends on the loop thread and waits for the single completion.
    Outcome send(HttpRequest request, std::chrono::seconds timeout = 10s) {
        auto outcome = std::make_shared<Outcome>();
        auto promise = std::make_shared<std::promise<void>>();
        auto executor = platform.executor;
        onLoop(*executor, [&] {
            auto sending = std::make_shared<bool>(true);
            platform.httpClient->send(
                std::move(request), [outcome, promise, executor, sending](Result<HttpResponse> r) {
                    outcome->insideSend = *sending;
                    outcome->onLoopThread = executor->isExecutorThread();
                    if (outcome->calls++ == 0) {
                        outcome->result.emplace(std::move(r));
                        promise->set_value();
                    }
                });
            *sending = false;
        });
        EXPECT_EQ(promise->get_future().wait_for(timeout), std::future_status::ready);
        onLoop(*executor, [] {}); // a second completion would have been queued by now
        return *outcome;
    }

    TestServer server;
    std::shared_ptr<EventLoop> loop;
    Platform platform;
};

TEST_F(HttpFixture, PostsABodyWithHeadersAndReadsTheResponse) {
    auto outcome =
        send(request("POST", server.httpUrl("/http/echo"),
                     {{"X-Test", "value 1"}, {"Authorization", "Bearer abc"}}, "hello body"));
    ASSERT_TRUE(outcome.result && outcome.result->ok()) << outcome.result->error().toString();
    EXPECT_EQ(outcome.calls, 1);
    EXPECT_TRUE(outcome.onLoopThread);
    EXPECT_FALSE(outcome.insideSend);
    EXPECT_EQ(outcome.result->value().status, 200);
    EXPECT_EQ(outcome.result->value().body,
              "method=POST;x-test=value 1;authorization=Bearer abc;content-length=10;"
              "body=hello body");
}

TEST_F(HttpFixture, PostWithoutBodySendsContentLengthZero) {
    auto outcome = send(request("POST", server.httpUrl("/http/echo")));
    ASSERT_TRUE(outcome.result && outcome.result->ok());
    EXPECT_EQ(outcome.result->value().body,
              "method=POST;x-test=;authorization=;content-length=0;body=");
}

TEST_F(HttpFixture, FixedBody) {
    auto outcome = send(request("POST", server.httpUrl("/http/fixed")));
    ASSERT_TRUE(outcome.result && outcome.result->ok());
    EXPECT_EQ(outcome.result->value().status, 200);
    EXPECT_EQ(outcome.result->value().body, R"({"fixed":true})");
}

TEST_F(HttpFixture, ErrorStatusesAreResponses) {
    for (const int status : {404, 500}) {
        auto outcome =
            send(request("GET", server.httpUrl("/http/status/" + std::to_string(status))));
        ASSERT_TRUE(outcome.result && outcome.result->ok());
        EXPECT_EQ(outcome.result->value().status, status);
        EXPECT_EQ(outcome.result->value().body, "status " + std::to_string(status));
    }
}

TEST_F(HttpFixture, LargeBodiesBothWays) {
    std::string body(200'000, 'x');
    auto up = send(request("POST", server.httpUrl("/http/echo"), {}, body));
    ASSERT_TRUE(up.result && up.result->ok());
    EXPECT_NE(up.result->value().body.find("content-length=200000;body=" + body),
              std::string::npos);

    auto down = send(request("GET", server.httpUrl("/http/large/300000")));
    ASSERT_TRUE(down.result && down.result->ok());
    const auto& received = down.result->value().body;
    ASSERT_EQ(received.size(), 300'000u);
    for (std::size_t i = 0; i < received.size(); i += 9973) {
        ASSERT_EQ(received[i], static_cast<char>('a' + i % 26)) << i;
    }
}

TEST_F(HttpFixture, AResponseOverTheSizeLimitFails) {
    auto limited = request("GET", server.httpUrl("/http/large/300000"));
    limited.maxResponseSize = 100'000;
    auto outcome = send(std::move(limited));
    ASSERT_TRUE(outcome.result.has_value());
    ASSERT_FALSE(outcome.result->ok());
    EXPECT_EQ(outcome.result->error().code, ErrorCode::ProtocolError);
    EXPECT_NE(outcome.result->error().message.find("100000 bytes"), std::string::npos);
}

TEST_F(HttpFixture, Timeout) {
    const auto start = Clock::now();
    auto outcome = send(request("GET", server.httpUrl("/http/slow"), {}, {}, 300ms));
    const auto elapsed = Clock::now() - start;
    ASSERT_TRUE(outcome.result && !outcome.result->ok());
    EXPECT_EQ(outcome.result->error().code, ErrorCode::Timeout);
    EXPECT_GE(elapsed, 290ms);
    EXPECT_LT(elapsed, 3s);
    EXPECT_EQ(outcome.calls, 1);
}

TEST_F(HttpFixture, RefusedConnectionFails) {
    auto outcome =
        send(request("POST", "http://127.0.0.1:" + std::to_string(refusedPort()) + "/negotiate"));
    ASSERT_TRUE(outcome.result && !outcome.result->ok());
    EXPECT_EQ(outcome.result->error().code, ErrorCode::TransportFailed);
    EXPECT_FALSE(outcome.insideSend);
}

TEST_F(HttpFixture, InvalidRequestsFailAsynchronously) {
    for (const auto& invalid : {request("POST", "not a url"), request("POST", "ws://host/x"),
                                request("BAD METHOD", server.httpUrl("/x")),
                                request("POST", server.httpUrl("/x"), {{"A\nB", "c"}})}) {
        auto outcome = send(invalid);
        ASSERT_TRUE(outcome.result && !outcome.result->ok()) << invalid.url;
        EXPECT_EQ(outcome.result->error().code, ErrorCode::InvalidArgument);
        EXPECT_FALSE(outcome.insideSend);
        EXPECT_EQ(outcome.calls, 1);
    }
}

TEST(HttpTls, RejectsAnUntrustedCertificate) {
    SelfSignedCertificate certificate;
    TestServer server(TestServer::Options{
        .certificateFile = certificate.certificateFile(),
        .privateKeyFile = certificate.privateKeyFile(),
    });
    auto loop = EventLoop::create();
    loop->startThread();
    auto platform = loop->platform();
    auto result = std::make_shared<std::promise<Result<HttpResponse>>>();
    onLoop(*platform.executor, [&] {
        platform.httpClient->send(request("POST", server.httpUrl("/http/fixed")),
                                  [result](Result<HttpResponse> r) { result->set_value(r); });
    });
    auto future = result->get_future();
    ASSERT_EQ(future.wait_for(10s), std::future_status::ready);
    auto r = future.get();
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, ErrorCode::TransportFailed);
    EXPECT_NE(r.error().message.find("certificate"), std::string::npos) << r.error().message;
}

TEST(HttpTls, SucceedsWhenTheCertificateIsTrusted) {
    TrustedTlsServer tls;
    ASSERT_NE(tls.loop, nullptr);
    auto platform = tls.loop->platform();
    auto result = std::make_shared<std::promise<Result<HttpResponse>>>();
    onLoop(*platform.executor, [&] {
        platform.httpClient->send(request("POST", tls.server.httpUrl("/http/echo"), {}, "over tls"),
                                  [result](Result<HttpResponse> r) { result->set_value(r); });
    });
    auto future = result->get_future();
    ASSERT_EQ(future.wait_for(10s), std::future_status::ready);
    auto r = future.get();
    ASSERT_TRUE(r.ok()) << r.error().toString();
    EXPECT_EQ(r.value().status, 200);
    EXPECT_NE(r.value().body.find("body=over tls"), std::string::npos) << r.value().body;
}

} // namespace
} // namespace signalr::test
