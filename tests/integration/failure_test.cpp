// The connection ending against the real hub: a server Close, an abort, the hub process killed
// or frozen.

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
        stateInClosed->push(self->state().state);
        closed->push(e);
    });
    ASSERT_TRUE(start(connection).ok());

    auto pending = mailbox<Result<std::string>>();
    connection.invoke<std::string>(
        "Delay", {5000, "late"}, [pending](Result<std::string> r) { pending->push(std::move(r)); });
    const auto before = Clock::now();
    auto closeMe = invoke<void>(connection, "CloseMe", {"bye", false});
    const auto invokeFailedMs = elapsedMs(before);
    EXPECT_FALSE(closeMe.ok());

    auto reason = closed->pop();
    const auto closedMs = elapsedMs(before);
    std::printf("[ timing ] CloseMe: invoke failed after %lld ms, onClosed after %lld ms\n",
                invokeFailedMs, closedMs);
    EXPECT_LT(closedMs, 1000);
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

    // Calls after the close fail at once instead of going to a dead transport.
    auto after = invoke(connection, "Add", {1, 2}, 2s);
    ASSERT_FALSE(after.ok());
    EXPECT_EQ(after.error().code, ErrorCode::InvalidState) << describe(after);
}

TEST_F(FailureTest, AMessageOverTheServersLimitClosesTheConnection) {
    auto connected = connect(hubUrl());
    ASSERT_TRUE(connected.ok()) << describe(connected);
    auto& connection = connected.value();
    auto closed = watchClosed(connection);
    // The hub accepts at most 1 MiB per message.
    auto echoed = invoke<std::string>(connection, "EchoString", {std::string(1'100'000, 'x')});
    ASSERT_FALSE(echoed.ok());
    EXPECT_EQ(echoed.error().code, ErrorCode::ConnectionLost) << describe(echoed);
    auto reason = closed->pop();
    ASSERT_TRUE(reason.has_value()) << "onClosed did not run";
    ASSERT_TRUE(reason->has_value());
    EXPECT_EQ((*reason)->code, ErrorCode::ServerClosed) << describe(**reason);
    EXPECT_EQ((*reason)->serverMessage, "Connection closed with an error.");
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

TEST_F(FailureTest, AServerAbortIsACleanClose) {
    auto connected = connect(hubUrl());
    ASSERT_TRUE(connected.ok()) << describe(connected);
    auto& connection = connected.value();
    auto closed = watchClosed(connection);
    auto pending = mailbox<Result<std::string>>();
    connection.invoke<std::string>(
        "Delay", {5000, "late"}, [pending](Result<std::string> r) { pending->push(std::move(r)); });
    connection.send("AbortMe", {});
    auto reason = closed->pop();
    ASSERT_TRUE(reason.has_value()) << "onClosed did not run";
    // Abort() ends the connection with the server's plain Close, {"type":7}: no error (the TS
    // client reports onclose(undefined)).
    EXPECT_FALSE(reason->has_value()) << describe(**reason);
    EXPECT_EQ(connection.state(), ConnectionState::Disconnected);
    auto late = pending->pop();
    ASSERT_TRUE(late.has_value()) << "the pending call never completed";
    ASSERT_FALSE(late->ok());
    EXPECT_EQ(late->error().code, ErrorCode::ConnectionLost) << describe(*late);
}

/// A hub of the test's own, for tests that kill or freeze it.
struct PrivateHub {
    std::string error; // declared first: start() writes to it
    std::unique_ptr<test::HubProcess> process = test::HubProcess::start(error);
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

    // Once the hub is back on the same port, the same object connects again.
    ASSERT_TRUE(hub.process->restart(hub.error)) << hub.error;
    restarted = start(connection);
    ASSERT_TRUE(restarted.ok()) << describe(restarted);
    EXPECT_EQ(invoke<int>(connection, "Add", {1, 2}).valueOr(0), 3);
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

} // namespace
} // namespace signalr::integration
