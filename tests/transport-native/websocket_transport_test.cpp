// The libwebsockets WebSocket transport against an in-process lws server.

#include <sys/resource.h>

#include <chrono>
#include <cstdlib>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "signalr/event_loop.hpp"
#include "test_server.hpp"
#include "test_support.hpp"
#include "trusted_tls_server.hpp"

namespace signalr::test {
namespace {

using Clock = std::chrono::steady_clock;

/// (gcc 12 warns about designated initializers that leave members out.)
TransportRequest wsRequest(std::string url, HttpHeaders headers = {},
                           std::chrono::milliseconds connectTimeout = std::chrono::seconds(30)) {
    TransportRequest r;
    r.url = std::move(url);
    r.headers = std::move(headers);
    r.connectTimeout = connectTimeout;
    return r;
}

struct WebSocketFixture : ::testing::Test {
    void SetUp() override {
        loop = EventLoop::create();
        ASSERT_NE(loop, nullptr);
        loop->startThread();
        platform = loop->platform();
        executor = platform.executor;
    }
    void TearDown() override {
        // Transports belong to the loop thread: destroy them there.
        onLoop(*executor, [this] { transports.clear(); });
        loop->stop();
    }

    /// A new transport and its event recorder, opened on the loop.
    std::shared_ptr<TransportEvents> open(TransportRequest request) {
        auto events = std::make_shared<TransportEvents>(executor);
        onLoop(*executor, [&] {
            transports.push_back(platform.makeTransport());
            transports.back()->open(std::move(request), events->handlers());
        });
        return events;
    }
    std::shared_ptr<TransportEvents> open(const std::string& url) { return open(wsRequest(url)); }
    Transport& last() { return *transports.back(); }

    static bool opened(const TransportEvents& e) { return e.opens == 1; }
    static bool closed(const TransportEvents& e) { return e.closes > 0; }
    static auto messageCount(std::size_t n) {
        return [n](const TransportEvents& e) { return e.messages.size() >= n; };
    }

    TestServer server;
    std::shared_ptr<EventLoop> loop;
    Platform platform;
    std::shared_ptr<Executor> executor;
    std::vector<std::unique_ptr<Transport>> transports;
};

TEST_F(WebSocketFixture, SupportsHeaders) {
    EXPECT_TRUE(platform.makeTransport()->supportsHeaders());
}

TEST_F(WebSocketFixture, EchoesTextAndBinaryFramesWithTheirTypes) {
    auto events = open(server.wsUrl("/echo-type"));
    ASSERT_TRUE(events->waitUntil(opened));
    onLoop(*executor, [&] {
        last().send("hello", TransferFormat::Text);
        last().send(std::string("\x00\x01\xff", 3), TransferFormat::Binary);
    });
    ASSERT_TRUE(events->waitUntil(messageCount(2)));
    events->read([](TransportEvents& e) {
        EXPECT_EQ(e.messages[0], "text:hello");
        EXPECT_EQ(e.messages[1], std::string("binary:\x00\x01\xff", 10));
        EXPECT_FALSE(e.offLoopCallback);
        EXPECT_EQ(e.closes, 0);
        return 0;
    });
}

TEST_F(WebSocketFixture, SendHandsBackTheStorageOfAWrittenMessage) {
    auto events = open(server.wsUrl("/echo"));
    ASSERT_TRUE(events->waitUntil(opened));
    const std::string first(100, 'a');
    std::string spare = "not empty";
    onLoop(*executor, [&] { spare = last().send(first, TransferFormat::Text); });
    EXPECT_TRUE(spare.empty());
    ASSERT_TRUE(events->waitUntil(messageCount(1))); // written, and echoed
    onLoop(*executor, [&] { spare = last().send("second", TransferFormat::Text); });
    EXPECT_TRUE(spare.empty());
    EXPECT_GE(spare.capacity(), first.size());
    ASSERT_TRUE(events->waitUntil(messageCount(2)));
    events->read([&](TransportEvents& e) {
        EXPECT_EQ(e.messages[0], first);
        EXPECT_EQ(e.messages[1], "second");
        return 0;
    });
}

TEST_F(WebSocketFixture, SendsQueuedBeforeOpenAreDelivered) {
    auto events = std::make_shared<TransportEvents>(executor);
    onLoop(*executor, [&] {
        transports.push_back(platform.makeTransport());
        transports.back()->open(wsRequest(server.wsUrl("/echo")), events->handlers());
        transports.back()->send("early", TransferFormat::Text);
    });
    ASSERT_TRUE(events->waitUntil(messageCount(1)));
    EXPECT_EQ(events->read([](TransportEvents& e) { return e.messages[0]; }), "early");
}

TEST_F(WebSocketFixture, OneMegabyteMessagesArriveWhole) {
    std::string big(1 << 20, '\0');
    for (std::size_t i = 0; i < big.size(); ++i) {
        big[i] = static_cast<char>('a' + (i * 7) % 26);
    }
    auto events = open(server.wsUrl("/echo"));
    ASSERT_TRUE(events->waitUntil(opened));
    // Sent as fragments of 16 KB; the server answers with one 1 MB frame that lws hands over in
    // pieces: both directions must be reassembled into exactly one message.
    onLoop(*executor, [&] {
        last().send(big, TransferFormat::Text);
        last().send("after", TransferFormat::Text);
    });
    ASSERT_TRUE(events->waitUntil(messageCount(2), 20s));
    events->read([&](TransportEvents& e) {
        EXPECT_EQ(e.messages.size(), 2u);
        EXPECT_TRUE(e.messages[0] == big) << "size " << e.messages[0].size();
        EXPECT_EQ(e.messages[1], "after");
        return 0;
    });
}

TEST_F(WebSocketFixture, AMessageOverTheSizeLimitClosesWithAProtocolError) {
    auto request = wsRequest(server.wsUrl("/echo"));
    request.maxMessageSize = 64 * 1024;
    auto events = open(std::move(request));
    ASSERT_TRUE(events->waitUntil(opened));
    onLoop(*executor, [&] {
        last().send(std::string(64 * 1024, 'x'), TransferFormat::Text);
        last().send(std::string(64 * 1024 + 1, 'y'), TransferFormat::Text);
    });
    ASSERT_TRUE(events->waitUntil(closed, 20s));
    events->read([](TransportEvents& e) {
        EXPECT_EQ(e.messages.size(), 1u) << "the message at the limit still arrives";
        EXPECT_EQ(e.closes, 1);
        EXPECT_TRUE(e.closeError.has_value());
        if (e.closeError) {
            EXPECT_EQ(e.closeError->code, ErrorCode::ProtocolError);
            EXPECT_NE(e.closeError->message.find("65536 bytes"), std::string::npos);
        }
        return 0;
    });
}

TEST_F(WebSocketFixture, FragmentedMessagesAreJoined) {
    std::string payload(100'000, '\0');
    for (std::size_t i = 0; i < payload.size(); ++i) {
        payload[i] = static_cast<char>(i % 251);
    }
    auto events = open(server.wsUrl("/echo-fragmented"));
    ASSERT_TRUE(events->waitUntil(opened));
    onLoop(*executor, [&] {
        last().send(payload, TransferFormat::Binary);
        last().send("tail", TransferFormat::Text);
    });
    ASSERT_TRUE(events->waitUntil(messageCount(2)));
    events->read([&](TransportEvents& e) {
        EXPECT_TRUE(e.messages[0] == payload) << "size " << e.messages[0].size();
        EXPECT_EQ(e.messages[1], "tail");
        return 0;
    });
}

TEST_F(WebSocketFixture, SendsHeadersOnTheUpgrade) {
    auto events = open(wsRequest(server.wsUrl("/headers"),
                                 {{"X-Test", "abc 123"}, {"Authorization", "Bearer token-1"}}));
    ASSERT_TRUE(events->waitUntil(messageCount(1)));
    EXPECT_EQ(events->read([](TransportEvents& e) { return e.messages[0]; }),
              "x-test=abc 123;authorization=Bearer token-1");
}

TEST_F(WebSocketFixture, RejectsHeadersThatCouldInjectOthers) {
    auto events = open(wsRequest(server.wsUrl("/echo"), {{"X-Test", "a\r\nX-Evil: 1"}}));
    ASSERT_TRUE(events->waitUntil(closed));
    events->read([](TransportEvents& e) {
        EXPECT_EQ(e.opens, 0);
        EXPECT_TRUE(e.closeError && e.closeError->code == ErrorCode::InvalidArgument);
        return 0;
    });
}

TEST_F(WebSocketFixture, CloseSendsCode1000AndReportsACleanClose) {
    auto events = open(server.wsUrl("/echo"));
    ASSERT_TRUE(events->waitUntil(opened));
    // The echo first: a server that is still writing answers a close frame by just hanging up.
    onLoop(*executor, [&] { last().send("hello", TransferFormat::Text); });
    ASSERT_TRUE(events->waitUntil(messageCount(1)));
    onLoop(*executor, [&] {
        last().close();
        last().close(); // no second onClose
    });
    ASSERT_TRUE(events->waitUntil(closed));
    events->read([](TransportEvents& e) {
        EXPECT_EQ(e.closes, 1);
        EXPECT_FALSE(e.closeError.has_value()) << e.closeError->toString();
        return 0;
    });
    EXPECT_EQ(server.lastClientCloseCode(), 1000);
}

TEST_F(WebSocketFixture, MessagesSentBeforeCloseAreFlushedFirst) {
    auto events = open(server.wsUrl("/echo"));
    ASSERT_TRUE(events->waitUntil(opened));
    const int before = server.messagesReceived();
    onLoop(*executor, [&] {
        for (int i = 0; i < 5; ++i) {
            last().send(std::string(40'000, 'm'), TransferFormat::Text); // several pieces each
        }
        last().close();
    });
    ASSERT_TRUE(events->waitUntil(closed));
    EXPECT_FALSE(events->read([](TransportEvents& e) { return e.closeError.has_value(); }));
    // The server read them all before the close frame that came after them.
    EXPECT_EQ(server.messagesReceived() - before, 5);
}

TEST_F(WebSocketFixture, ServerClose1000IsClean) {
    auto events = open(server.wsUrl("/close/1000"));
    ASSERT_TRUE(events->waitUntil(closed));
    events->read([](TransportEvents& e) {
        EXPECT_EQ(e.opens, 1);
        EXPECT_EQ(e.closes, 1);
        EXPECT_FALSE(e.closeError.has_value()) << e.closeError->toString();
        return 0;
    });
}

TEST_F(WebSocketFixture, ServerCloseWithAnotherCodeIsAnError) {
    auto events = open(server.wsUrl("/close/4001"));
    ASSERT_TRUE(events->waitUntil(closed));
    events->read([](TransportEvents& e) {
        EXPECT_EQ(e.closes, 1);
        EXPECT_TRUE(e.closeError.has_value());
        if (e.closeError) {
            EXPECT_EQ(e.closeError->code, ErrorCode::ConnectionLost);
            EXPECT_NE(e.closeError->message.find("4001"), std::string::npos)
                << e.closeError->message;
            EXPECT_NE(e.closeError->message.find("bye"), std::string::npos);
        }
        return 0;
    });
}

TEST_F(WebSocketFixture, AbruptDropIsConnectionLost) {
    auto events = open(server.wsUrl("/drop"));
    ASSERT_TRUE(events->waitUntil(closed));
    events->read([](TransportEvents& e) {
        EXPECT_EQ(e.closes, 1);
        EXPECT_TRUE(e.closeError && e.closeError->code == ErrorCode::ConnectionLost);
        return 0;
    });
}

TEST_F(WebSocketFixture, FailedUpgradeReportsTheHttpStatus) {
    for (const int status : {404, 500}) {
        auto events = open(server.wsUrl("/status/" + std::to_string(status)));
        ASSERT_TRUE(events->waitUntil(closed));
        events->read([&](TransportEvents& e) {
            EXPECT_EQ(e.opens, 0);
            EXPECT_EQ(e.closes, 1);
            EXPECT_TRUE(e.closeError.has_value());
            if (e.closeError) {
                EXPECT_EQ(e.closeError->code, ErrorCode::TransportFailed);
                EXPECT_NE(e.closeError->message.find("WebSocket upgrade failed: HTTP " +
                                                     std::to_string(status)),
                          std::string::npos)
                    << e.closeError->message;
            }
            return 0;
        });
    }
}

TEST_F(WebSocketFixture, RefusedPortFailsQuickly) {
    const auto start = Clock::now();
    auto events = open("ws://127.0.0.1:" + std::to_string(refusedPort()) + "/hub");
    ASSERT_TRUE(events->waitUntil(closed, 5s));
    EXPECT_LT(Clock::now() - start, 2s);
    events->read([](TransportEvents& e) {
        EXPECT_EQ(e.opens, 0);
        EXPECT_TRUE(e.closeError && e.closeError->code == ErrorCode::TransportFailed);
        return 0;
    });
}

TEST_F(WebSocketFixture, ConnectTimeout) {
    SilentListener silent;
    const auto start = Clock::now();
    auto events =
        open(wsRequest("ws://127.0.0.1:" + std::to_string(silent.port()) + "/hub", {}, 300ms));
    ASSERT_TRUE(events->waitUntil(closed, 5s));
    const auto elapsed = Clock::now() - start;
    EXPECT_GE(elapsed, 290ms);
    EXPECT_LT(elapsed, 3s);
    events->read([](TransportEvents& e) {
        EXPECT_TRUE(e.closeError && e.closeError->code == ErrorCode::TransportFailed);
        if (e.closeError) {
            EXPECT_NE(e.closeError->message.find("timed out"), std::string::npos);
        }
        return 0;
    });
}

TEST_F(WebSocketFixture, InvalidUrlIsReportedThroughOnClose) {
    auto events = open("ftp://example.com/hub");
    ASSERT_TRUE(events->waitUntil(closed));
    events->read([](TransportEvents& e) {
        EXPECT_EQ(e.closes, 1);
        EXPECT_TRUE(e.closeError && e.closeError->code == ErrorCode::InvalidArgument);
        return 0;
    });
}

TEST_F(WebSocketFixture, CloseWhileConnectingIsCleanAndOnce) {
    SilentListener silent;
    auto events = open("ws://127.0.0.1:" + std::to_string(silent.port()) + "/hub");
    onLoop(*executor, [&] { last().close(); });
    ASSERT_TRUE(events->waitUntil(closed));
    // Nothing more may follow, even once the socket dies.
    onLoop(*executor, [&] { transports.clear(); });
    onLoop(*executor, [] {});
    events->read([](TransportEvents& e) {
        EXPECT_EQ(e.closes, 1);
        EXPECT_FALSE(e.closeError.has_value());
        return 0;
    });
}

TEST_F(WebSocketFixture, NoCallbacksAfterTheTransportIsDestroyed) {
    auto events = open(server.wsUrl("/echo"));
    ASSERT_TRUE(events->waitUntil(opened));
    // Echoes are on their way (and some may already sit in the loop's queue) when the transport
    // dies on the loop thread.
    onLoop(*executor, [&] {
        for (int i = 0; i < 50; ++i) {
            last().send("message " + std::to_string(i), TransferFormat::Text);
        }
    });
    events->waitUntil(messageCount(1));
    const auto seen = onLoop(*executor, [&] {
        const auto count = events->read([](TransportEvents& e) { return e.messages.size(); });
        transports.clear();
        return count;
    });
    // A quiet window for a negative check: the server's remaining echoes and the close
    // handshake land meanwhile, and none of them may reach a handler.
    std::this_thread::sleep_for(300ms);
    onLoop(*executor, [] {});
    events->read([&](TransportEvents& e) {
        EXPECT_EQ(e.messages.size(), seen);
        EXPECT_EQ(e.closes, 0);
        return 0;
    });
}

TEST_F(WebSocketFixture, DestroyingTheTransportInsideItsOwnHandler) {
    auto events = std::make_shared<TransportEvents>(executor);
    std::promise<void> destroyed;
    onLoop(*executor, [&] {
        transports.push_back(platform.makeTransport());
        auto handlers = events->handlers();
        auto inner = handlers.onMessage;
        handlers.onMessage = [this, inner, &destroyed](std::string_view data) {
            inner(data);
            transports.clear(); // destroys the transport whose handler is running
            destroyed.set_value();
        };
        transports.back()->open(wsRequest(server.wsUrl("/echo")), std::move(handlers));
        transports.back()->send("one", TransferFormat::Text);
        transports.back()->send("two", TransferFormat::Text);
    });
    ASSERT_EQ(destroyed.get_future().wait_for(10s), std::future_status::ready);
    onLoop(*executor, [] {});
    events->read([](TransportEvents& e) {
        EXPECT_EQ(e.messages.size(), 1u);
        EXPECT_EQ(e.closes, 0);
        return 0;
    });
}

TEST_F(WebSocketFixture, DestroyingAConnectingTransport) {
    SilentListener silent; // the connection cannot open before it is destroyed
    auto events = open("ws://127.0.0.1:" + std::to_string(silent.port()) + "/hub");
    onLoop(*executor, [&] { transports.clear(); });
    onLoop(*executor, [] {});
    EXPECT_EQ(events->read([](TransportEvents& e) { return e.opens + e.closes; }), 0);
}

TEST_F(WebSocketFixture, AThousandConnectionsShareTheLoopThread) {
    constexpr int kConnections = 1000;
    // Each connection is one descriptor here and one in the server.
    rlimit limit{};
    getrlimit(RLIMIT_NOFILE, &limit);
    if (limit.rlim_cur < 2 * kConnections + 200) {
        limit.rlim_cur = std::min<rlim_t>(limit.rlim_max, 2 * kConnections + 1000);
        setrlimit(RLIMIT_NOFILE, &limit);
    }
    if (limit.rlim_cur < 2 * kConnections + 200) {
        GTEST_SKIP() << "RLIMIT_NOFILE too low: " << limit.rlim_cur;
    }
    // The fixture's loop was created before the limit was raised and lws sizes its tables
    // from it: use a fresh loop.
    auto bigLoop = EventLoop::create();
    ASSERT_NE(bigLoop, nullptr);
    bigLoop->startThread();
    auto bigPlatform = bigLoop->platform();
    auto bigExecutor = bigPlatform.executor;
    TestServer bigServer;
    onLoop(*bigExecutor, [] {});
    const int threadsBefore = processThreadCount();

    std::vector<std::shared_ptr<TransportEvents>> events;
    std::vector<std::unique_ptr<Transport>> many;
    for (int i = 0; i < kConnections; ++i) {
        events.push_back(std::make_shared<TransportEvents>(bigExecutor));
    }
    onLoop(*bigExecutor, [&] {
        for (int i = 0; i < kConnections; ++i) {
            many.push_back(bigPlatform.makeTransport());
            many.back()->open(wsRequest(bigServer.wsUrl("/echo")), events[i]->handlers());
            many.back()->send("ping " + std::to_string(i), TransferFormat::Text);
        }
    });
    int opened = 0;
    int echoed = 0;
    for (int i = 0; i < kConnections; ++i) {
        opened += events[i]->waitUntil([](const TransportEvents& e) { return e.opens == 1; }, 60s);
        echoed += events[i]->waitUntil(
            [](const TransportEvents& e) { return e.messages.size() == 1; }, 60s);
    }
    const int threadsDuring = processThreadCount();
    std::printf("%d connections open, %d echoed; threads before %d, with them open %d; "
                "server sees %d\n",
                opened, echoed, threadsBefore, threadsDuring, bigServer.openWebSockets());
    RecordProperty("threads_with_1000_connections", threadsDuring);
    EXPECT_EQ(opened, kConnections);
    EXPECT_EQ(echoed, kConnections);
    EXPECT_EQ(threadsDuring, threadsBefore);

    onLoop(*bigExecutor, [&] {
        for (auto& transport : many) {
            transport->close();
        }
    });
    int closedCleanly = 0;
    for (int i = 0; i < kConnections; ++i) {
        closedCleanly += events[i]->waitUntil(
            [](const TransportEvents& e) { return e.closes == 1 && !e.closeError; }, 60s);
    }
    EXPECT_EQ(closedCleanly, kConnections);
    onLoop(*bigExecutor, [&] { many.clear(); });
    bigLoop->stop();
}

TEST(WebSocketTls, RejectsAnUntrustedCertificateWithAClearReason) {
    SelfSignedCertificate certificate;
    TestServer server(TestServer::Options{
        .certificateFile = certificate.certificateFile(),
        .privateKeyFile = certificate.privateKeyFile(),
    });
    auto loop = EventLoop::create();
    loop->startThread();
    auto platform = loop->platform();
    auto events = std::make_shared<TransportEvents>(platform.executor);
    std::unique_ptr<Transport> transport;
    onLoop(*platform.executor, [&] {
        transport = platform.makeTransport();
        transport->open(wsRequest(server.wsUrl("/echo")), events->handlers());
    });
    ASSERT_TRUE(events->waitUntil([](const TransportEvents& e) { return e.closes > 0; }));
    events->read([](TransportEvents& e) {
        EXPECT_EQ(e.opens, 0);
        EXPECT_TRUE(e.closeError.has_value());
        if (e.closeError) {
            EXPECT_EQ(e.closeError->code, ErrorCode::TransportFailed);
            EXPECT_NE(e.closeError->message.find("certificate"), std::string::npos)
                << e.closeError->message;
            EXPECT_NE(e.closeError->message.find("self-signed"), std::string::npos)
                << e.closeError->message;
        }
        return 0;
    });
    onLoop(*platform.executor, [&] { transport.reset(); });
}

TEST(WebSocketTls, ConnectsWhenTheCertificateIsTrusted) {
    TrustedTlsServer tls;
    ASSERT_NE(tls.loop, nullptr);
    auto platform = tls.loop->platform();
    auto events = std::make_shared<TransportEvents>(platform.executor);
    std::unique_ptr<Transport> transport;
    onLoop(*platform.executor, [&] {
        transport = platform.makeTransport();
        transport->open(wsRequest(tls.server.wsUrl("/echo")), events->handlers());
        transport->send("secure", TransferFormat::Text);
    });
    ASSERT_TRUE(events->waitUntil(
        [](const TransportEvents& e) { return !e.messages.empty() || e.closes > 0; }));
    events->read([](TransportEvents& e) {
        EXPECT_EQ(e.opens, 1);
        EXPECT_EQ(e.messages, std::vector<std::string>{"secure"});
        EXPECT_FALSE(e.closeError.has_value()) << e.closeError->toString();
        return 0;
    });
    onLoop(*platform.executor, [&] { transport.reset(); });
}

} // namespace
} // namespace signalr::test
