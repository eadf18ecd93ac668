// Stateful reconnect against the real hub (/hub-stateful, AllowStatefulReconnects), through the
// fault proxy: a cut resets both TCP connections, so neither side sees a WebSocket close and the
// server keeps the session for the client to resume.

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <cstdio>
#include <numeric>
#include <string>
#include <vector>

#include "integration_fixture.hpp"
#include "support/fault_proxy.hpp"

namespace signalr::integration {
namespace {

std::vector<std::int64_t> range(std::int64_t from, std::int64_t to) {
    std::vector<std::int64_t> out(static_cast<std::size_t>(to - from + 1));
    std::iota(out.begin(), out.end(), from);
    return out;
}

class StatefulReconnectTest : public ::testing::Test {
protected:
    void SetUp() override {
        ASSERT_NE(sharedHub(), nullptr);
        std::string error;
        proxy = test::FaultProxy::start(sharedHub()->port(), error);
        ASSERT_TRUE(proxy) << error;
    }

    void TearDown() override {
        if (!HasFailure()) {
            return;
        }
        // The client's own account of the failure: every frame and state change.
        (void)logged("");
        const std::size_t from = lines.size() > 80 ? lines.size() - 80 : 0;
        for (std::size_t i = from; i < lines.size(); ++i) {
            std::fprintf(stderr, "  log: %.2000s\n", lines[i].c_str());
        }
    }

    /// A stateful connection through the proxy, with its log lines collected.
    Result<HubConnection> connectStateful(const Configure& extra = {}) {
        auto logs = log;
        return connect(proxy->baseUrl() + "/hub-stateful", [logs, extra](HubConnectionBuilder& b) {
            b.withStatefulReconnect().configureLogging(
                LogLevel::Trace, [logs](LogLevel level, std::string_view text) {
                    logs->push(std::string(toString(level)) + ": " + std::string(text));
                    if (level >= LogLevel::Warning) {
                        std::fprintf(stderr, "[signalr] %.*s\n", static_cast<int>(text.size()),
                                     text.data());
                    }
                });
            if (extra) {
                extra(b);
            }
        });
    }

    /// Cuts every connection through the proxy and waits until the client resumed: one new
    /// connection accepted, and a round trip answered on it.
    void cutAndWaitForResume(HubConnection& connection) {
        const auto before = proxy->stats().accepted;
        ASSERT_GE(proxy->cutAll(), 1u);
        ASSERT_TRUE(proxy->waitForAccepted(before + 1, kTimeout)) << "no resume attempt";
        auto id = invoke<std::string>(connection, "GetConnectionId");
        ASSERT_TRUE(id.ok()) << describe(id);
    }

    /// Waits for a log line containing `needle` (Trace lines include every frame).
    bool waitForLog(const std::string& needle) {
        const auto deadline = Clock::now() + kTimeout;
        while (Clock::now() < deadline) {
            auto line = log->pop(
                std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()));
            if (!line) {
                return false;
            }
            lines.push_back(*line);
            if (line->find(needle) != std::string::npos) {
                return true;
            }
        }
        return false;
    }

    std::size_t logged(const std::string& needle) {
        std::size_t count = 0;
        while (auto line = log->tryPop()) {
            lines.push_back(*line);
        }
        for (const auto& line : lines) {
            count += line.find(needle) != std::string::npos ? 1 : 0;
        }
        return count;
    }

    std::unique_ptr<test::FaultProxy> proxy;
    std::shared_ptr<Mailbox<std::string>> log = mailbox<std::string>();
    std::vector<std::string> lines;
};

TEST_F(StatefulReconnectTest, CutsKeepTheConnectionIdAndLoseOrDuplicateNothing) {
    auto connected = connectStateful();
    ASSERT_TRUE(connected.ok()) << describe(connected);
    auto& connection = connected.value();
    auto closed = watchClosed(connection);
    const auto id = connection.connectionId();
    ASSERT_TRUE(id.has_value());
    auto seq = mailbox<std::int64_t>();
    connection.on("Seq", [seq](std::int64_t n) { seq->push(n); });

    std::int64_t next = 1;
    const auto start = Clock::now();
    for (int cut = 0; cut < 5; ++cut) {
        // Client -> server: non-blocking sends, the last ones surely unacknowledged at the cut.
        for (int i = 0; i < 20; ++i) {
            connection.send("Record", {next++});
        }
        if (cut == 2) {
            // Let the server acknowledge part of it: the next resume starts past the Ack.
            ASSERT_TRUE(waitForLog("recv: {\"type\":8,"));
            connection.send("Record", {next++});
        }
        cutAndWaitForResume(connection);
        // Sent while the session is resuming: kept, then written after the replay.
        connection.send("Record", {next++});
        EXPECT_EQ(connection.state(), ConnectionState::Connected);
        EXPECT_EQ(connection.connectionId(), id);
    }
    const auto elapsed = elapsedMs(start);

    auto recorded = invoke<std::vector<std::int64_t>>(connection, "GetRecordedFor", {*id});
    ASSERT_TRUE(recorded.ok()) << describe(recorded);
    EXPECT_EQ(recorded.value(), range(1, next - 1));
    auto serverId = invoke<std::string>(connection, "GetConnectionId");
    EXPECT_EQ(serverId.valueOr(""), *id);
    EXPECT_FALSE(closed->tryPop().has_value()) << "no close event for a resumed session";
    EXPECT_EQ(logged("the session resumed"), 5u);
    // The server accepted a Sequence past its Ack (the oldest unacknowledged id), or the
    // records above would be short or duplicated.
    const auto sequences = logged("send: {\"type\":9,");
    EXPECT_EQ(sequences, 5u);
    EXPECT_GE(sequences - logged("send: {\"type\":9,\"sequenceId\":1}"), 1u);
    std::printf("[ timing ] 5 cuts with sends, resumed in %lld ms in total\n", elapsed);
}

TEST_F(StatefulReconnectTest, AnInvocationAndAStreamInFlightSurviveCuts) {
    auto connected = connectStateful();
    ASSERT_TRUE(connected.ok()) << describe(connected);
    auto& connection = connected.value();
    auto closed = watchClosed(connection);

    auto delayed = mailbox<Result<std::string>>();
    connection.invoke<std::string>("Delay", {600, "late"},
                                   [delayed](Result<std::string> r) { delayed->push(r); });
    auto items = mailbox<std::int64_t>();
    auto ended = mailbox<Result<void>>();
    auto subscription = connection.stream<std::int64_t>(
        "Counter", {40, 25}, [items](std::int64_t i) { items->push(i); },
        [ended](Result<void> r) { ended->push(r); });

    // Cut three times while both are running (the stream takes about a second).
    std::vector<std::int64_t> got;
    for (int cut = 0; cut < 3; ++cut) {
        auto item = items->pop();
        ASSERT_TRUE(item.has_value());
        got.push_back(*item);
        cutAndWaitForResume(connection);
    }
    auto result = delayed->pop();
    ASSERT_TRUE(result.has_value());
    ASSERT_TRUE(result->ok()) << describe(*result);
    EXPECT_EQ(result->value(), "late");
    auto end = ended->pop();
    ASSERT_TRUE(end.has_value());
    EXPECT_TRUE(end->ok()) << describe(*end);
    auto rest = items->take(37);
    got.insert(got.end(), rest.begin(), rest.end());
    EXPECT_EQ(got, range(0, 39));
    EXPECT_FALSE(items->tryPop().has_value()) << "no duplicate item";
    EXPECT_FALSE(closed->tryPop().has_value());
}

TEST_F(StatefulReconnectTest, ServerMessagesAcrossACutArriveOnceAndInOrder) {
    auto connected = connectStateful();
    ASSERT_TRUE(connected.ok()) << describe(connected);
    auto& connection = connected.value();
    auto seq = mailbox<std::int64_t>();
    connection.on("Seq", [seq](std::int64_t n) { seq->push(n); });
    auto done = mailbox<Result<Value>>();
    // 1000 messages (45 KB): the server must not fill its 64 KiB transport pipe before the
    // resume. ASP.NET Core 10 leaves a sender blocked on the dead connection's full pipe forever
    // (the hub method never completes), whatever the client does.
    connection.invoke("Sequence", {1000}, [done](Result<Value> r) { done->push(std::move(r)); });
    ASSERT_TRUE(seq->pop().has_value());
    const auto before = proxy->stats().accepted;
    ASSERT_GE(proxy->cutAll(), 1u);
    ASSERT_TRUE(proxy->waitForAccepted(before + 1, kTimeout));
    auto result = done->pop();
    ASSERT_TRUE(result.has_value());
    EXPECT_TRUE(result->ok()) << describe(*result);
    std::vector<std::int64_t> got{1};
    auto rest = seq->take(999);
    got.insert(got.end(), rest.begin(), rest.end());
    EXPECT_EQ(got, range(1, 1000));
    EXPECT_FALSE(seq->tryPop().has_value()) << "no duplicate";
}

TEST_F(StatefulReconnectTest, BackpressuredSendsCompleteAcrossACut) {
    // A tiny buffer: most sends wait for the server's Ack (about once a second).
    auto connected = connectStateful([](HubConnectionBuilder& b) { b.withStatefulReconnect(200); });
    ASSERT_TRUE(connected.ok()) << describe(connected);
    auto& connection = connected.value();
    const auto id = *connection.connectionId();
    auto completions = mailbox<Result<void>>();
    for (std::int64_t i = 1; i <= 12; ++i) {
        connection.send("Record", {i}, [completions](Result<void> r) { completions->push(r); });
    }
    ASSERT_TRUE(completions->pop().has_value());
    ASSERT_GE(proxy->cutAll(), 1u);
    auto all = completions->take(11, 20s);
    ASSERT_EQ(all.size(), 11u);
    for (const auto& r : all) {
        EXPECT_TRUE(r.ok()) << describe(r);
    }
    auto recorded = invoke<std::vector<std::int64_t>>(connection, "GetRecordedFor", {id});
    ASSERT_TRUE(recorded.ok()) << describe(recorded);
    EXPECT_EQ(recorded.value(), range(1, 12));
}

TEST_F(StatefulReconnectTest, AFailedResumeEndsTheConnectionTheOrdinaryWay) {
    auto connected = connectStateful();
    ASSERT_TRUE(connected.ok()) << describe(connected);
    auto& connection = connected.value();
    auto closed = watchClosed(connection);
    auto pending = mailbox<Result<std::string>>();
    connection.invoke<std::string>("Delay", {5000, "never"},
                                   [pending](Result<std::string> r) { pending->push(r); });
    ASSERT_EQ(invoke<int>(connection, "Add", {1, 1}).valueOr(0), 2);

    proxy->refuseNewConnections(5s);
    ASSERT_GE(proxy->cutAll(), 1u);
    auto reason = closed->pop();
    ASSERT_TRUE(reason.has_value()) << "the resume failed, so the connection closes";
    ASSERT_TRUE(reason->has_value());
    EXPECT_EQ((*reason)->code, ErrorCode::ConnectionLost) << describe(**reason);
    EXPECT_EQ(connection.state(), ConnectionState::Disconnected);
    auto failed = pending->pop();
    ASSERT_TRUE(failed.has_value());
    ASSERT_FALSE(failed->ok());
    EXPECT_EQ(failed->error().code, ErrorCode::ConnectionLost);
    EXPECT_EQ(logged("resuming the session failed"), 1u);

    proxy->acceptNewConnections();
    auto restarted = start(connection);
    ASSERT_TRUE(restarted.ok()) << describe(restarted);
    EXPECT_EQ(invoke<int>(connection, "Add", {2, 2}).valueOr(0), 4);
}

TEST_F(StatefulReconnectTest, AFailedResumeFallsBackToTheReconnectPolicy) {
    auto connected = connectStateful([](HubConnectionBuilder& b) {
        b.withAutomaticReconnect(ReconnectPolicy::delays({0ms, 300ms, 300ms, 300ms, 300ms}));
    });
    ASSERT_TRUE(connected.ok()) << describe(connected);
    auto& connection = connected.value();
    const auto oldId = *connection.connectionId();
    auto reconnecting = mailbox<std::uint32_t>();
    auto reconnected = mailbox<std::optional<std::string>>();
    connection.onReconnecting(
        [reconnecting](std::uint32_t attempt, const Error&) { reconnecting->push(attempt); });
    connection.onReconnected([reconnected](std::uint32_t, const std::optional<std::string>& id) {
        reconnected->push(id);
    });

    // A cut resumes in place: no policy, no event.
    cutAndWaitForResume(connection);
    EXPECT_FALSE(reconnecting->tryPop().has_value());
    EXPECT_EQ(connection.connectionId(), oldId);

    // A cut whose resume is refused goes to the policy: a new logical connection.
    proxy->refuseNewConnections(200ms);
    ASSERT_GE(proxy->cutAll(), 1u);
    auto first = reconnecting->pop();
    ASSERT_TRUE(first.has_value()) << "the policy takes over after the failed resume";
    EXPECT_EQ(*first, 1u);
    auto newId = reconnected->pop();
    ASSERT_TRUE(newId.has_value());
    ASSERT_TRUE(newId->has_value());
    EXPECT_NE(**newId, oldId);
    EXPECT_EQ(invoke<std::string>(connection, "GetConnectionId").valueOr(""), **newId);

    // The new connection negotiated stateful reconnect again: the next cut resumes it.
    cutAndWaitForResume(connection);
    EXPECT_EQ(connection.connectionId(), *newId);
    EXPECT_GE(logged("the session resumed"), 2u);
}

} // namespace
} // namespace signalr::integration
