// Keep-alive and server timeout against the real hub. /hub-short pings every second and, once a
// client has pinged, drops it after 2 s without a message; /hub pings every 15 s. The tests idle
// for seconds, so they have a binary of their own that ctest runs alongside the others.

#include <cstdio>
#include <string>

#include "integration_fixture.hpp"

namespace signalr::integration {
namespace {

class KeepAliveTest : public ::testing::Test {
protected:
    void SetUp() override { ASSERT_NE(sharedHub(), nullptr); }
};

/// Sends nothing for 5 s, then checks that the connection never closed and still works.
void expectSurvivesFiveIdleSeconds(HubConnection& connection) {
    auto closed = watchClosed(connection);
    auto reason = closed->pop(5s);
    EXPECT_FALSE(reason.has_value())
        << "closed while idle: " << (reason && *reason ? describe(**reason) : "no error");
    EXPECT_EQ(connection.state(), ConnectionState::Connected);
    EXPECT_EQ(invoke<int>(connection, "Add", {1, 2}).valueOr(0), 3);
}

// Pinging every 500 ms keeps an idle client on /hub-short (2 s client timeout).
TEST_F(KeepAliveTest, ClientKeepAliveKeepsAnIdleConnection) {
    auto connected = connect(hubUrl("/hub-short"),
                             [](HubConnectionBuilder& b) { b.withKeepAliveInterval(500ms); });
    ASSERT_TRUE(connected.ok()) << describe(connected);
    expectSurvivesFiveIdleSeconds(connected.value());
}

// The control for the test above: a client that falls silent is dropped. ASP.NET Core arms its
// client timeout at the client's first Ping (tests/hub/README.md), so the client pings once,
// after 4 s, and the server drops it 2-3 s later, before the next Ping is due.
TEST_F(KeepAliveTest, ASilentClientIsDroppedByTheServer) {
    auto connected =
        connect(hubUrl("/hub-short"), [](HubConnectionBuilder& b) { b.withKeepAliveInterval(4s); });
    ASSERT_TRUE(connected.ok()) << describe(connected);
    auto& connection = connected.value();
    auto closed = watchClosed(connection);
    const auto before = Clock::now();
    auto reason = closed->pop(12s);
    const auto took = elapsedMs(before);
    ASSERT_TRUE(reason.has_value()) << "the server kept a silent client";
    ASSERT_TRUE(reason->has_value()) << "closed without an error";
    EXPECT_EQ((*reason)->code, ErrorCode::ServerClosed) << describe(**reason);
    EXPECT_EQ((*reason)->serverMessage, "Connection closed with an error.");
    EXPECT_GE(took, 4000);
    std::printf("[ info ] silent client on /hub-short closed after %lld ms: %s\n", took,
                describe(**reason).c_str());
    EXPECT_EQ(connection.state(), ConnectionState::Disconnected);
}

// /hub-short pings every second, so a client with a 3 s server timeout stays up.
TEST_F(KeepAliveTest, ServerPingsKeepTheServerTimeoutFromFiring) {
    auto connected = connect(hubUrl("/hub-short"), [](HubConnectionBuilder& b) {
        b.withServerTimeout(3s).withKeepAliveInterval(500ms);
    });
    ASSERT_TRUE(connected.ok()) << describe(connected);
    expectSurvivesFiveIdleSeconds(connected.value());
}

// The control for the test above: /hub pings only every 15 s, so a 1 s server timeout fires.
TEST_F(KeepAliveTest, AServerTimeoutShorterThanTheServersPingsFires) {
    auto connected = connect(hubUrl(), [](HubConnectionBuilder& b) {
        b.withServerTimeout(1s).withKeepAliveInterval(300ms);
    });
    ASSERT_TRUE(connected.ok()) << describe(connected);
    auto& connection = connected.value();
    auto closed = watchClosed(connection);
    const auto before = Clock::now();
    auto reason = closed->pop(5s);
    const auto took = elapsedMs(before);
    ASSERT_TRUE(reason.has_value()) << "the server timeout never fired";
    ASSERT_TRUE(reason->has_value());
    EXPECT_EQ((*reason)->code, ErrorCode::Timeout) << describe(**reason);
    EXPECT_LT(took, 3000);
    EXPECT_EQ(connection.state(), ConnectionState::Disconnected);
}

} // namespace
} // namespace signalr::integration
