// The connection ending against the real hub: a server Close, the hub process killed or frozen,
// and keep-alive / server-timeout behaviour on the /hub-short endpoint (server keep-alive 1 s,
// client timeout 2 s).

#include <signal.h>

#include <cstdio>
#include <string>

#include "integration_fixture.hpp"

namespace signalr::integration {
namespace {

class FailureTest : public ::testing::Test {
protected:
    void SetUp() override { ASSERT_NE(sharedHub(), nullptr); }
};

TEST_F(FailureTest, ServerCloseWithAnErrorReachesOnClosed) {
    auto built = build(hubUrl());
    ASSERT_TRUE(built.ok()) << describe(built);
    auto& connection = built.value();
    HubConnection* self = &connection;
    auto closed = mailbox<std::optional<Error>>();
    auto stateInClosed = mailbox<ConnectionState>();
    connection.onClosed([self, closed, stateInClosed](const std::optional<Error>& e) {
        stateInClosed->push(self->state());
        closed->push(e);
    });
    ASSERT_TRUE(start(connection).ok());

    auto pending = mailbox<Result<std::string>>();
    connection.invoke<std::string>(
        "Delay", {5000, "late"}, [pending](Result<std::string> r) { pending->push(std::move(r)); });
    auto closeMe = invoke<void>(connection, "CloseMe", {"bye", false});
    EXPECT_FALSE(closeMe.ok());

    auto reason = closed->pop();
    ASSERT_TRUE(reason.has_value()) << "onClosed did not run";
    ASSERT_TRUE(reason->has_value()) << "onClosed ran without an error";
    EXPECT_EQ((*reason)->code, ErrorCode::ServerClosed) << describe(**reason);
    EXPECT_EQ((*reason)->serverMessage, "bye");
    EXPECT_EQ(stateInClosed->pop(), ConnectionState::Disconnected);
    EXPECT_EQ(connection.state(), ConnectionState::Disconnected);

    auto late = pending->pop();
    ASSERT_TRUE(late.has_value()) << "the pending call never completed";
    ASSERT_FALSE(late->ok());
    EXPECT_EQ(late->error().code, ErrorCode::ConnectionLost) << describe(*late);
    if (!closeMe.ok()) {
        EXPECT_EQ(closeMe.error().code, ErrorCode::ConnectionLost) << describe(closeMe);
    }
    EXPECT_EQ(closed->size(), 0u) << "onClosed ran twice";
}

TEST_F(FailureTest, ServerCloseWithoutAnErrorIsACleanClose) {
    auto connected = connect(hubUrl());
    ASSERT_TRUE(connected.ok()) << describe(connected);
    auto& connection = connected.value();
    auto closed = watchClosed(connection);
    auto closeMe = invoke<void>(connection, "CloseMe", {nullptr, false});
    EXPECT_FALSE(closeMe.ok());
    auto reason = closed->pop();
    ASSERT_TRUE(reason.has_value()) << "onClosed did not run";
    EXPECT_FALSE(reason->has_value()) << describe(**reason);
    EXPECT_EQ(connection.state(), ConnectionState::Disconnected);

    // The same object connects again.
    auto started = start(connection);
    ASSERT_TRUE(started.ok()) << describe(started);
    EXPECT_EQ(invoke<int>(connection, "Add", {1, 2}).valueOr(0), 3);
}

TEST_F(FailureTest, AbortedConnectionIsLost) {
    auto connected = connect(hubUrl());
    ASSERT_TRUE(connected.ok()) << describe(connected);
    auto& connection = connected.value();
    auto closed = watchClosed(connection);
    connection.send("AbortMe", {});
    auto reason = closed->pop();
    ASSERT_TRUE(reason.has_value()) << "onClosed did not run";
    // Abort() ends the connection with the server's plain Close message.
    if (reason->has_value()) {
        std::printf("[ info ] AbortMe closed with %s\n", describe(**reason).c_str());
    }
    EXPECT_EQ(connection.state(), ConnectionState::Disconnected);
}

/// A hub of the test's own, for tests that kill or freeze it.
struct PrivateHub {
    std::unique_ptr<test::HubProcess> process;
    std::string error;
    PrivateHub() : process(test::HubProcess::start(error)) {}
};

TEST_F(FailureTest, KillingTheHubFailsEveryPendingCall) {
    PrivateHub hub;
    ASSERT_TRUE(hub.process) << hub.error;
    auto connected = connect(hub.process->baseUrl() + "/hub", [](HubConnectionBuilder& b) {
        b.withServerTimeout(3s).withKeepAliveInterval(1s);
    });
    ASSERT_TRUE(connected.ok()) << describe(connected);
    auto& connection = connected.value();
    auto closed = watchClosed(connection);
    auto results = mailbox<Result<std::string>>();
    for (int i = 0; i < 20; ++i) {
        connection.invoke<std::string>("Delay", {10000, "late"}, [results](Result<std::string> r) {
            results->push(std::move(r));
        });
    }

    const auto before = Clock::now();
    hub.process->kill();
    auto reason = closed->pop();
    const auto detected = elapsedMs(before);
    ASSERT_TRUE(reason.has_value()) << "onClosed did not run";
    ASSERT_TRUE(reason->has_value()) << "a lost connection closed without an error";
    EXPECT_TRUE((*reason)->code == ErrorCode::ConnectionLost ||
                (*reason)->code == ErrorCode::Timeout)
        << describe(**reason);
    EXPECT_LT(detected, 5000);
    std::printf("[ timing ] hub killed: onClosed after %lld ms (%s)\n", detected,
                describe(**reason).c_str());

    const auto all = results->take(20, 5s);
    ASSERT_EQ(all.size(), 20u) << "some pending calls never completed";
    for (const auto& r : all) {
        ASSERT_FALSE(r.ok());
        EXPECT_EQ(r.error().code, ErrorCode::ConnectionLost) << describe(r);
    }
    EXPECT_EQ(connection.state(), ConnectionState::Disconnected);

    // Nothing listens any more: a new start fails instead of hanging.
    auto restarted = start(connection);
    EXPECT_FALSE(restarted.ok());
}

TEST_F(FailureTest, AFrozenHubIsDetectedByTheServerTimeout) {
    PrivateHub hub;
    ASSERT_TRUE(hub.process) << hub.error;
    const int pid = hubPid(hub.process->port());
    ASSERT_GT(pid, 0) << "cannot find the hub's process";
    auto connected = connect(hub.process->baseUrl() + "/hub", [](HubConnectionBuilder& b) {
        b.withServerTimeout(3s).withKeepAliveInterval(1s);
    });
    ASSERT_TRUE(connected.ok()) << describe(connected);
    auto& connection = connected.value();
    auto closed = watchClosed(connection);
    auto pending = mailbox<Result<std::string>>();
    connection.invoke<std::string>("Delay", {10000, "late"}, [pending](Result<std::string> r) {
        pending->push(std::move(r));
    });

    // A stopped process keeps its sockets open and sends nothing: no FIN, no pings.
    const auto before = Clock::now();
    ASSERT_EQ(::kill(pid, SIGSTOP), 0);
    auto reason = closed->pop();
    const auto detected = elapsedMs(before);
    hub.process->kill();
    ASSERT_TRUE(reason.has_value()) << "onClosed did not run";
    ASSERT_TRUE(reason->has_value());
    EXPECT_EQ((*reason)->code, ErrorCode::Timeout) << describe(**reason);
    EXPECT_GE(detected, 1500);
    EXPECT_LT(detected, 5000);
    std::printf("[ timing ] hub frozen: onClosed after %lld ms (%s)\n", detected,
                describe(**reason).c_str());
    auto late = pending->pop();
    ASSERT_TRUE(late.has_value());
    ASSERT_FALSE(late->ok());
    EXPECT_EQ(late->error().code, ErrorCode::ConnectionLost) << describe(*late);
}

// /hub-short drops a client that sends nothing for 2 s; pinging every 500 ms keeps it.
TEST_F(FailureTest, ClientKeepAliveKeepsAnIdleConnection) {
    auto connected = connect(hubUrl("/hub-short"),
                             [](HubConnectionBuilder& b) { b.withKeepAliveInterval(500ms); });
    ASSERT_TRUE(connected.ok()) << describe(connected);
    auto& connection = connected.value();
    auto closed = watchClosed(connection);
    auto reason = closed->pop(5s);
    EXPECT_FALSE(reason.has_value())
        << "closed while idle: " << (reason && *reason ? describe(**reason) : "no error");
    EXPECT_EQ(connection.state(), ConnectionState::Connected);
    EXPECT_EQ(invoke<int>(connection, "Add", {1, 2}).valueOr(0), 3);
}

// The control for the test above: without client pings the server drops the connection.
TEST_F(FailureTest, WithoutClientPingsTheServerDropsAnIdleConnection) {
    auto connected = connect(hubUrl("/hub-short"),
                             [](HubConnectionBuilder& b) { b.withKeepAliveInterval(60s); });
    ASSERT_TRUE(connected.ok()) << describe(connected);
    auto& connection = connected.value();
    auto closed = watchClosed(connection);
    const auto before = Clock::now();
    auto reason = closed->pop(6s);
    ASSERT_TRUE(reason.has_value()) << "the server kept a silent client";
    std::printf("[ info ] silent client on /hub-short closed after %lld ms: %s\n",
                elapsedMs(before), *reason ? describe(**reason).c_str() : "no error");
    EXPECT_EQ(connection.state(), ConnectionState::Disconnected);
}

// /hub-short pings every second, so a client with a 3 s server timeout stays up.
TEST_F(FailureTest, ServerPingsKeepTheServerTimeoutFromFiring) {
    auto connected = connect(hubUrl("/hub-short"), [](HubConnectionBuilder& b) {
        b.withServerTimeout(3s).withKeepAliveInterval(500ms);
    });
    ASSERT_TRUE(connected.ok()) << describe(connected);
    auto& connection = connected.value();
    auto closed = watchClosed(connection);
    auto reason = closed->pop(5s);
    EXPECT_FALSE(reason.has_value())
        << "closed while idle: " << (reason && *reason ? describe(**reason) : "no error");
    EXPECT_EQ(connection.state(), ConnectionState::Connected);
    EXPECT_EQ(invoke<int>(connection, "Add", {1, 2}).valueOr(0), 3);
}

// The control for the test above: /hub pings only every 15 s, so a 1 s server timeout fires.
TEST_F(FailureTest, AServerTimeoutShorterThanTheServersPingsFires) {
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
