// Automatic reconnection against the real hub, without a proxy: the hub process killed and
// restarted on the same port, server Close messages with and without allowReconnect, a policy
// that runs out of attempts, and stop() during a retry delay.
//
// Prints its measured figures on lines starting with "[ figures ]".

#include <cstdio>
#include <string>

#include "integration_fixture.hpp"

namespace signalr::integration {
namespace {

/// Every connection event and onClosed of one connection, as text, in order.
struct EventLog {
    std::shared_ptr<Mailbox<std::string>> events = mailbox<std::string>();
    std::shared_ptr<Mailbox<std::optional<std::string>>> reconnectedIds =
        mailbox<std::optional<std::string>>();
    std::shared_ptr<Mailbox<std::optional<Error>>> closed = mailbox<std::optional<Error>>();
    std::shared_ptr<Mailbox<Error>> failed = mailbox<Error>();
    std::shared_ptr<Mailbox<DisconnectReason>> disconnects = mailbox<DisconnectReason>();

    void watch(HubConnection& connection) {
        auto e = events;
        auto ids = reconnectedIds;
        auto c = closed;
        auto f = failed;
        auto d = disconnects;
        connection.onDisconnected([e, d](const DisconnectReason& r) {
            d->push(r);
            e->push("disconnected");
        });
        connection.onReconnecting([e](std::uint32_t attempt, const Error&) {
            e->push("reconnecting " + std::to_string(attempt));
        });
        connection.onReconnected([e, ids](std::uint32_t, const std::optional<std::string>& id) {
            ids->push(id);
            e->push("reconnected");
        });
        connection.onReconnectFailed([e, f](const Error& error) {
            f->push(error);
            e->push("reconnectFailed");
        });
        connection.onClosed([e, c](const std::optional<Error>& error) {
            c->push(error);
            e->push("closed");
        });
    }

    /// The events queued so far, waiting up to `timeout` for `last` to be among them.
    std::vector<std::string> until(const std::string& last,
                                   std::chrono::milliseconds timeout = kTimeout) {
        std::vector<std::string> out;
        const auto deadline = Clock::now() + timeout;
        while (Clock::now() < deadline) {
            auto next = events->pop(
                std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()));
            if (!next) {
                break;
            }
            out.push_back(*next);
            if (*next == last) {
                break;
            }
        }
        return out;
    }
};

/// "disconnected", "reconnecting 1", "reconnecting 2", ... "reconnected": the order the API
/// promises, with any number of attempts.
void expectReconnectOrder(const std::vector<std::string>& events) {
    ASSERT_GE(events.size(), 3u);
    EXPECT_EQ(events.front(), "disconnected");
    EXPECT_EQ(events.back(), "reconnected");
    for (std::size_t i = 1; i + 1 < events.size(); ++i) {
        EXPECT_EQ(events[i], "reconnecting " + std::to_string(i));
    }
}

ReconnectPolicy fastPolicy(std::uint32_t attempts) {
    ExponentialBackoff backoff;
    backoff.initialDelay = 50ms;
    backoff.maxDelay = 500ms;
    backoff.maxAttempts = attempts;
    return ReconnectPolicy::exponential(backoff);
}

class ReconnectTest : public ::testing::Test {
protected:
    void SetUp() override { ASSERT_NE(sharedHub(), nullptr); }
};

TEST_F(ReconnectTest, HubRestartedOnTheSamePortReconnectsWithANewConnectionId) {
    std::string error;
    auto hub = test::HubProcess::start(error);
    ASSERT_TRUE(hub) << error;
    auto built = build(hub->baseUrl() + "/hub",
                       [](HubConnectionBuilder& b) { b.withAutomaticReconnect(fastPolicy(200)); });
    ASSERT_TRUE(built.ok()) << describe(built);
    auto& connection = built.value();
    EventLog log;
    log.watch(connection);
    auto hello = mailbox<std::int64_t>();
    connection.on("Hello", [hello](std::int64_t n) { hello->push(n); });
    ASSERT_TRUE(start(connection).ok());
    const auto before = connection.connectionId();
    ASSERT_TRUE(invoke<void>(connection, "CallMeBack", {"Hello", Value::fromArray({1})}).ok());
    EXPECT_EQ(hello->pop(), 1);

    const auto killedAt = Clock::now();
    hub->kill();
    ASSERT_TRUE(hub->restart(error)) << error;
    const auto upAt = Clock::now();
    auto events = log.until("reconnected", 30s);
    const auto reconnectedAt = Clock::now();
    expectReconnectOrder(events);
    ASSERT_EQ(connection.state(), ConnectionState::Connected);
    const auto after = connection.connectionId();
    ASSERT_TRUE(after.has_value());
    EXPECT_NE(after, before);
    EXPECT_EQ(log.reconnectedIds->pop(), after);
    std::printf(
        "[ figures ] hub killed and restarted: hub down for %lld ms, reconnected %lld ms "
        "after it answered again (%lld ms after the kill), %zu attempt(s)\n",
        static_cast<long long>(
            std::chrono::duration_cast<std::chrono::milliseconds>(upAt - killedAt).count()),
        static_cast<long long>(
            std::chrono::duration_cast<std::chrono::milliseconds>(reconnectedAt - upAt).count()),
        elapsedMs(killedAt), events.size() - 2);

    // Handlers registered before the drop still fire.
    ASSERT_TRUE(invoke<void>(connection, "CallMeBack", {"Hello", Value::fromArray({2})}).ok());
    EXPECT_EQ(hello->pop(), 2);
    EXPECT_EQ(connection.metrics().reconnections, 1u);
    ASSERT_TRUE(stop(connection).ok());
}

TEST_F(ReconnectTest, ServerCloseWithAllowReconnectReconnects) {
    auto built = build(hubUrl(), [](HubConnectionBuilder& b) {
        b.withAutomaticReconnect(ReconnectPolicy::delays({0ms, 100ms, 100ms}));
    });
    ASSERT_TRUE(built.ok()) << describe(built);
    auto& connection = built.value();
    EventLog log;
    log.watch(connection);
    ASSERT_TRUE(start(connection).ok());
    const auto before = connection.connectionId();
    const auto begin = Clock::now();
    connection.invoke<void>("CloseMe", {"restarting", true}, [](Result<void>) {});
    auto events = log.until("reconnected");
    const auto ms = elapsedMs(begin);
    EXPECT_EQ(events, (std::vector<std::string>{"disconnected", "reconnecting 1", "reconnected"}));
    auto reason = log.disconnects->pop();
    ASSERT_TRUE(reason.has_value());
    EXPECT_EQ(reason->kind, DisconnectKind::ServerClosed);
    EXPECT_TRUE(reason->allowReconnect);
    ASSERT_TRUE(reason->error.has_value());
    EXPECT_EQ(reason->error->serverMessage, "restarting");
    EXPECT_EQ(connection.state(), ConnectionState::Connected);
    EXPECT_NE(connection.connectionId(), before);
    EXPECT_EQ(invoke<std::int64_t>(connection, "Add", {2, 3}).value(), 5);
    std::printf("[ figures ] server Close with allowReconnect: reconnected after %lld ms\n", ms);
    ASSERT_TRUE(stop(connection).ok());
}

TEST_F(ReconnectTest, ServerCloseWithoutAllowReconnectEndsWithTheServersError) {
    auto built = build(hubUrl(), [](HubConnectionBuilder& b) {
        b.withAutomaticReconnect(ReconnectPolicy::delays({0ms}));
    });
    ASSERT_TRUE(built.ok()) << describe(built);
    auto& connection = built.value();
    EventLog log;
    log.watch(connection);
    ASSERT_TRUE(start(connection).ok());
    connection.invoke<void>("CloseMe", {"bye", false}, [](Result<void>) {});
    auto events = log.until("closed");
    EXPECT_EQ(events, (std::vector<std::string>{"disconnected", "closed"}));
    auto reason = log.closed->pop();
    ASSERT_TRUE(reason.has_value() && reason->has_value());
    EXPECT_EQ((*reason)->code, ErrorCode::ServerClosed);
    EXPECT_EQ((*reason)->serverMessage, "bye");
    EXPECT_EQ(connection.state(), ConnectionState::Disconnected);
}

TEST_F(ReconnectTest, ExhaustedAttemptsEndInFailedWithTheLastError) {
    std::string error;
    auto hub = test::HubProcess::start(error);
    ASSERT_TRUE(hub) << error;
    auto built = build(hub->baseUrl() + "/hub",
                       [](HubConnectionBuilder& b) { b.withAutomaticReconnect(fastPolicy(3)); });
    ASSERT_TRUE(built.ok()) << describe(built);
    auto& connection = built.value();
    EventLog log;
    log.watch(connection);
    ASSERT_TRUE(start(connection).ok());
    const auto begin = Clock::now();
    hub->kill();
    auto events = log.until("closed");
    EXPECT_EQ(events, (std::vector<std::string>{"disconnected", "reconnecting 1", "reconnecting 2",
                                                "reconnecting 3", "reconnectFailed", "closed"}));
    auto last = log.failed->pop();
    ASSERT_TRUE(last.has_value());
    auto snapshot = connection.state();
    EXPECT_EQ(snapshot.state, ConnectionState::Failed);
    ASSERT_TRUE(snapshot.error.has_value());
    EXPECT_EQ(*snapshot.error, *last);
    auto closed = log.closed->pop();
    ASSERT_TRUE(closed.has_value() && closed->has_value());
    EXPECT_EQ(**closed, *last);
    std::printf("[ figures ] hub killed for good: Failed after %lld ms and 3 attempts (%s)\n",
                elapsedMs(begin), describe(*last).c_str());
}

TEST_F(ReconnectTest, StopDuringARetryDelayEndsAtOnce) {
    auto built = build(hubUrl(), [](HubConnectionBuilder& b) {
        b.withAutomaticReconnect(ReconnectPolicy::delays({30s}));
    });
    ASSERT_TRUE(built.ok()) << describe(built);
    auto& connection = built.value();
    EventLog log;
    log.watch(connection);
    ASSERT_TRUE(start(connection).ok());
    connection.invoke<void>("CloseMe", {"later", true}, [](Result<void>) {});
    EXPECT_EQ(log.until("reconnecting 1"),
              (std::vector<std::string>{"disconnected", "reconnecting 1"}));
    const auto begin = Clock::now();
    ASSERT_TRUE(stop(connection, 2s).ok());
    EXPECT_LT(elapsedMs(begin), 1000);
    EXPECT_EQ(connection.state(), ConnectionState::Disconnected);
    auto closed = log.closed->pop();
    ASSERT_TRUE(closed.has_value());
    EXPECT_FALSE(closed->has_value());
}

} // namespace
} // namespace signalr::integration
