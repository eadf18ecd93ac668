// Reconnection through the FaultProxy against the real hub: 1,000 calls in flight when the
// connection is cut (each in-flight policy), calls made while reconnecting (Fail, Wait, Queue and
// the queue's limits), 100 cuts in a row, a stalled link caught by the server timeout, and a
// slow link.
//
// Each test prints its measured figures on lines starting with "[ figures ]".

#include <cinttypes>
#include <cstdio>
#include <set>
#include <string>

#include "proxy_fixture.hpp"

namespace signalr::integration {
namespace {

/// One connection event, as the event callbacks saw it.
struct ConnectionEvent {
    enum class Kind { Disconnected, Reconnecting, Reconnected, ReconnectFailed };
    Kind kind = Kind::Disconnected;
    Clock::time_point at{};
    std::uint32_t attempt = 0;
    std::optional<std::string> connectionId;
    std::optional<Error> error;
    DisconnectKind disconnectKind = DisconnectKind::UserRequested;
};

using EventLog = std::shared_ptr<Mailbox<ConnectionEvent>>;

ConnectionEvent event(ConnectionEvent::Kind kind) {
    ConnectionEvent e;
    e.kind = kind;
    e.at = Clock::now();
    return e;
}

/// Records onDisconnected, onReconnecting, onReconnected and onReconnectFailed of `connection`.
EventLog watchEvents(HubConnection& connection) {
    auto log = mailbox<ConnectionEvent>();
    using Kind = ConnectionEvent::Kind;
    connection.onDisconnected([log](const DisconnectReason& reason) {
        auto e = event(Kind::Disconnected);
        e.error = reason.error;
        e.disconnectKind = reason.kind;
        log->push(std::move(e));
    });
    connection.onReconnecting([log](std::uint32_t attempt, const Error& error) {
        auto e = event(Kind::Reconnecting);
        e.attempt = attempt;
        e.error = error;
        log->push(std::move(e));
    });
    connection.onReconnected([log](std::uint32_t attempt, const std::optional<std::string>& id) {
        auto e = event(Kind::Reconnected);
        e.attempt = attempt;
        e.connectionId = id;
        log->push(std::move(e));
    });
    connection.onReconnectFailed([log](const Error& error) {
        auto e = event(Kind::ReconnectFailed);
        e.error = error;
        log->push(std::move(e));
    });
    return log;
}

/// The next event of `kind`, skipping the others; nullopt after `timeout`.
std::optional<ConnectionEvent> nextEvent(Mailbox<ConnectionEvent>& log, ConnectionEvent::Kind kind,
                                         std::chrono::milliseconds timeout = kTimeout) {
    const auto deadline = Clock::now() + timeout;
    for (;;) {
        const auto left =
            std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
        auto event = log.pop(std::max(left, std::chrono::milliseconds(0)));
        if (!event || event->kind == kind) {
            return event;
        }
    }
}

/// Retries at once, then every 100 ms, for up to 30 s: fast enough for tests that hold the
/// client in Reconnecting with the proxy, bounded so a broken test ends.
ReconnectPolicy fastRetries() {
    return ReconnectPolicy::custom(
        [](const RetryContext& context) -> std::optional<std::chrono::milliseconds> {
            if (context.elapsed > 30s) {
                return std::nullopt;
            }
            return context.previousRetryCount == 0 ? 0ms : 100ms;
        });
}

using Kind = ConnectionEvent::Kind;

constexpr std::size_t kCalls = 1000;

// InFlightOptions for one test (GCC warns about designated initializers that leave members out).
InFlightOptions pendingCalls(PendingInvocationPolicy policy) {
    InFlightOptions options;
    options.pendingInvocations = policy;
    return options;
}

InFlightOptions whileReconnecting(ReconnectingCallPolicy policy,
                                  std::chrono::milliseconds waitTimeout = 30s) {
    InFlightOptions options;
    options.whileReconnecting = policy;
    options.waitTimeout = waitTimeout;
    return options;
}

InFlightOptions queued(OutgoingQueueOptions queue) {
    InFlightOptions options;
    options.whileReconnecting = ReconnectingCallPolicy::Queue;
    options.queue = queue;
    return options;
}

OutgoingQueueOptions queueLimit(std::size_t maxMessages, QueueFullStrategy whenFull,
                                std::size_t maxBytes = OutgoingQueueOptions{}.maxBytes) {
    OutgoingQueueOptions queue;
    queue.maxMessages = maxMessages;
    queue.maxBytes = maxBytes;
    queue.whenFull = whenFull;
    return queue;
}

const char* name(PendingInvocationPolicy policy) {
    return policy == PendingInvocationPolicy::Fail ? "Fail" : "ResendAfterReconnect";
}

// ---- calls in flight at the cut ----------------------------------------------------------------

struct InFlightCase {
    PendingInvocationPolicy policy;
    bool stalled; // true: nothing can complete before the cut; false: cut mid-stream
};

class InFlightAtCutTest : public ProxyTest, public ::testing::WithParamInterface<InFlightCase> {};

TEST_P(InFlightAtCutTest, EveryCallCompletesAsThePolicySays) {
    const auto [policy, stalled] = GetParam();
    auto built = build(proxiedUrl(), [&](HubConnectionBuilder& b) {
        b.withAutomaticReconnect(fastRetries());
        b.withInFlightOptions(pendingCalls(policy));
    });
    ASSERT_TRUE(built.ok()) << describe(built);
    auto& connection = built.value();
    auto events = watchEvents(connection);
    ASSERT_TRUE(start(connection).ok());
    const auto firstId = connection.connectionId();

    if (stalled) {
        ASSERT_GE(proxy_->stall(), 1u);
    }
    // Delay(20 ms): the hub runs at most 16 calls of one connection at a time, so the 1,000
    // calls take about 1.3 s and most of them are still pending when the cut comes.
    auto tally = std::make_shared<Tally<std::string>>(kCalls);
    for (std::size_t i = 0; i < kCalls; ++i) {
        connection.invoke<std::string>(
            "Delay", {20, "v" + std::to_string(i)},
            [tally, i](Result<std::string> r) { tally->record(i, std::move(r)); });
    }
    if (!stalled) {
        ASSERT_TRUE(tally->waitCompleted(100, kTimeout)) << tally->summary();
    }
    const auto completedBeforeCut = tally->completed();
    const auto cutAt = Clock::now();
    ASSERT_GE(proxy_->cutAll(), 1u);

    ASSERT_TRUE(tally->waitAll(40s))
        << "calls left hanging: " << kCalls - tally->completed() << " (" << tally->summary() << ")";
    const auto allDone = Clock::now();
    EXPECT_EQ(tally->duplicates(), 0u) << "a completion ran twice";
    auto reconnected = nextEvent(*events, Kind::Reconnected);
    ASSERT_TRUE(reconnected.has_value()) << "no onReconnected after the cut";
    EXPECT_NE(reconnected->connectionId, firstId);

    for (std::size_t i = 0; i < kCalls; ++i) {
        const auto outcome = tally->outcome(i);
        ASSERT_TRUE(outcome.has_value());
        if (outcome->ok()) {
            EXPECT_EQ(outcome->value(), "v" + std::to_string(i));
        } else if (policy == PendingInvocationPolicy::Fail) {
            EXPECT_EQ(outcome->error().code, ErrorCode::ConnectionLost) << describe(*outcome);
        } else {
            ADD_FAILURE() << "call " << i
                          << " failed under ResendAfterReconnect: " << describe(*outcome);
        }
    }
    if (policy == PendingInvocationPolicy::Fail) {
        if (stalled) {
            EXPECT_EQ(tally->failedWith(ErrorCode::ConnectionLost).size(), kCalls);
        }
        EXPECT_GE(tally->failedWith(ErrorCode::ConnectionLost).size(), 1u);
    } else {
        EXPECT_EQ(tally->succeeded(), kCalls);
    }
    EXPECT_EQ(invoke<std::int64_t>(connection, "Add", {1, 2}).valueOr(0), 3);

    std::printf("[ figures ] %zu calls, policy %s, %s: %zu completed before the cut; after the "
                "cut: %s; all completed %.0f ms after the cut; reconnected after %.0f ms "
                "(attempt %u)\n",
                kCalls, name(policy), stalled ? "link stalled" : "cut mid-stream",
                completedBeforeCut, tally->summary().c_str(), millis(allDone - cutAt),
                millis(reconnected->at - cutAt), reconnected->attempt);
}

INSTANTIATE_TEST_SUITE_P(
    Policies, InFlightAtCutTest,
    ::testing::Values(InFlightCase{PendingInvocationPolicy::Fail, true},
                      InFlightCase{PendingInvocationPolicy::Fail, false},
                      InFlightCase{PendingInvocationPolicy::ResendAfterReconnect, true},
                      InFlightCase{PendingInvocationPolicy::ResendAfterReconnect, false}),
    [](const auto& info) {
        return std::string(name(info.param.policy)) +
               (info.param.stalled ? "Stalled" : "MidStream");
    });

// ---- calls made while reconnecting --------------------------------------------------------------

class WhileReconnectingTest : public ProxyTest {
protected:
    // Connects through the proxy with `options`, then cuts and keeps the client reconnecting
    // (the proxy resets every attempt) until release().
    void connectThenLoseTheLink(InFlightOptions options) {
        auto built = build(proxiedUrl(), [&](HubConnectionBuilder& b) {
            b.withAutomaticReconnect(fastRetries());
            b.withInFlightOptions(options);
        });
        ASSERT_TRUE(built.ok()) << describe(built);
        connection_.emplace(std::move(built).value());
        events_ = watchEvents(*connection_);
        ASSERT_TRUE(start(*connection_).ok());
        proxy_->refuseNewConnections(60s);
        ASSERT_GE(proxy_->cutAll(), 1u);
        ASSERT_TRUE(nextEvent(*events_, Kind::Reconnecting).has_value());
        ASSERT_EQ(connection_->state(), ConnectionState::Reconnecting);
    }

    // Lets the reconnect through; the new connection id.
    std::optional<std::string> release() {
        proxy_->acceptNewConnections();
        auto reconnected = nextEvent(*events_, Kind::Reconnected);
        EXPECT_TRUE(reconnected.has_value()) << "no onReconnected";
        return reconnected ? reconnected->connectionId : std::nullopt;
    }

    // Calls Record(i) for i = 0..count-1; each outcome goes to the tally.
    std::shared_ptr<Tally<void>> record(std::size_t count) {
        auto tally = std::make_shared<Tally<void>>(count);
        for (std::size_t i = 0; i < count; ++i) {
            connection_->invoke<void>(
                "Record", {static_cast<std::int64_t>(i)},
                [tally, i](Result<void> r) { tally->record(i, std::move(r)); });
        }
        return tally;
    }

    // kCalls calls made now are held while every attempt is refused, then all succeed once the
    // link is back, reaching the hub in the order they were made.
    void expectHeldThenSentInOrder(const char* policy) {
        auto tally = record(kCalls);
        EXPECT_FALSE(tally->waitCompleted(1, 300ms)) << tally->summary();
        const auto releasedAt = Clock::now();
        const auto id = release();
        ASSERT_TRUE(tally->waitAll(20s)) << tally->summary();
        EXPECT_EQ(tally->succeeded(), kCalls) << tally->summary();
        EXPECT_EQ(recordedFor(id), range(0, kCalls));
        std::printf("[ figures ] while reconnecting, %s: %zu calls, %s, all done %.0f ms after the "
                    "link came back\n",
                    policy, kCalls, tally->summary().c_str(), millis(Clock::now() - releasedAt));
    }

    // kCalls calls made now all fail with Timeout, no sooner than the 300 ms the test configured,
    // and none reaches the hub once the link is back.
    void expectAllTimeOutAfter300ms(const char* figuresLabel) {
        const auto before = Clock::now();
        auto tally = record(kCalls);
        ASSERT_TRUE(tally->waitAll(kTimeout)) << tally->summary();
        const auto took = Clock::now() - before;
        EXPECT_EQ(tally->failedWith(ErrorCode::Timeout).size(), kCalls) << tally->summary();
        EXPECT_GE(took, 300ms);
        const auto id = release();
        EXPECT_EQ(recordedFor(id), std::vector<std::size_t>{});
        std::printf("[ figures ] %s: %s after %.0f ms\n", figuresLabel, tally->summary().c_str(),
                    millis(took));
    }

    // What the hub recorded for `id`, as indexes.
    std::vector<std::size_t> recordedFor(const std::optional<std::string>& id) {
        std::vector<std::size_t> out;
        auto numbers =
            invoke<std::vector<std::int64_t>>(*connection_, "GetRecordedFor", {id.value_or("")});
        EXPECT_TRUE(numbers.ok()) << describe(numbers);
        for (auto n : numbers.valueOr(std::vector<std::int64_t>{})) {
            out.push_back(static_cast<std::size_t>(n));
        }
        return out;
    }

    static std::vector<std::size_t> range(std::size_t from, std::size_t to) {
        std::vector<std::size_t> out;
        for (auto i = from; i < to; ++i) {
            out.push_back(i);
        }
        return out;
    }

    std::optional<HubConnection> connection_;
    EventLog events_;
};

TEST_F(WhileReconnectingTest, FailPolicyRejectsAtOnceWithNotConnected) {
    ASSERT_NO_FATAL_FAILURE(
        connectThenLoseTheLink(whileReconnecting(ReconnectingCallPolicy::Fail)));
    const auto before = Clock::now();
    auto tally = record(kCalls);
    ASSERT_TRUE(tally->waitAll(kTimeout)) << tally->summary();
    const auto rejected = Clock::now() - before;
    EXPECT_EQ(tally->failedWith(ErrorCode::NotConnected).size(), kCalls) << tally->summary();
    const auto id = release();
    EXPECT_EQ(recordedFor(id), std::vector<std::size_t>{});
    std::printf("[ figures ] while reconnecting, Fail: %zu calls rejected (%s) in %.1f ms\n",
                kCalls, tally->summary().c_str(), millis(rejected));
}

TEST_F(WhileReconnectingTest, WaitPolicyCompletesAfterTheReconnect) {
    ASSERT_NO_FATAL_FAILURE(
        connectThenLoseTheLink(whileReconnecting(ReconnectingCallPolicy::Wait, 30s)));
    ASSERT_NO_FATAL_FAILURE(expectHeldThenSentInOrder("Wait"));
}

TEST_F(WhileReconnectingTest, WaitPolicyTimesOut) {
    ASSERT_NO_FATAL_FAILURE(
        connectThenLoseTheLink(whileReconnecting(ReconnectingCallPolicy::Wait, 300ms)));
    ASSERT_NO_FATAL_FAILURE(expectAllTimeOutAfter300ms("while reconnecting, Wait 300 ms"));
}

TEST_F(WhileReconnectingTest, QueuedCallsAreFlushedInOrder) {
    ASSERT_NO_FATAL_FAILURE(connectThenLoseTheLink(queued(OutgoingQueueOptions{})));
    ASSERT_NO_FATAL_FAILURE(expectHeldThenSentInOrder("Queue"));
}

struct QueueLimitCase {
    const char* name;
    OutgoingQueueOptions queue;
    std::vector<std::size_t> sent;    // Record numbers the hub must see, in order
    std::vector<std::size_t> dropped; // calls completed with Dropped
};

std::vector<std::size_t>
indexes(std::initializer_list<std::pair<std::size_t, std::size_t>> ranges) {
    std::vector<std::size_t> out;
    for (auto [from, to] : ranges) {
        for (auto i = from; i < to; ++i) {
            out.push_back(i);
        }
    }
    return out;
}

class QueueLimitTest : public WhileReconnectingTest,
                       public ::testing::WithParamInterface<QueueLimitCase> {};

TEST_P(QueueLimitTest, KeepsAndDropsTheRightCalls) {
    const auto& param = GetParam();
    ASSERT_NO_FATAL_FAILURE(connectThenLoseTheLink(queued(param.queue)));
    auto tally = record(kCalls);
    // Evictions and rejections are immediate; the kept calls wait for the link.
    ASSERT_TRUE(tally->waitCompleted(param.dropped.size(), kTimeout)) << tally->summary();
    EXPECT_EQ(tally->failedWith(ErrorCode::Dropped), param.dropped);
    const auto id = release();
    ASSERT_TRUE(tally->waitAll(20s)) << tally->summary();
    EXPECT_EQ(tally->succeededIndexes(), param.sent);
    EXPECT_EQ(recordedFor(id), param.sent);
    std::printf("[ figures ] queue %s, %zu calls: %s\n", param.name, kCalls,
                tally->summary().c_str());
}

INSTANTIATE_TEST_SUITE_P(
    Strategies, QueueLimitTest,
    ::testing::Values(QueueLimitCase{"Fail", queueLimit(100, QueueFullStrategy::Fail),
                                     indexes({{0, 100}}), indexes({{100, kCalls}})},
                      QueueLimitCase{"DropOldest", queueLimit(100, QueueFullStrategy::DropOldest),
                                     indexes({{900, kCalls}}), indexes({{0, 900}})},
                      QueueLimitCase{"DropNewest", queueLimit(100, QueueFullStrategy::DropNewest),
                                     indexes({{0, 99}, {999, kCalls}}), indexes({{99, 999}})}),
    [](const auto& info) { return std::string(info.param.name); });

TEST_F(WhileReconnectingTest, QueueByteLimitKeepsAPrefix) {
    ASSERT_NO_FATAL_FAILURE(
        connectThenLoseTheLink(queued(queueLimit(kCalls, QueueFullStrategy::Fail, 4096))));
    auto tally = record(kCalls);
    const auto id = release();
    ASSERT_TRUE(tally->waitAll(20s)) << tally->summary();
    const auto kept = tally->succeededIndexes();
    ASSERT_FALSE(kept.empty());
    EXPECT_LT(kept.size(), kCalls);
    EXPECT_EQ(kept, range(0, kept.size()));
    EXPECT_EQ(tally->failedWith(ErrorCode::Dropped), range(kept.size(), kCalls));
    EXPECT_EQ(recordedFor(id), kept);
    std::printf("[ figures ] queue limited to 4096 bytes: %zu calls: %s\n", kCalls,
                tally->summary().c_str());
}

TEST_F(WhileReconnectingTest, QueuedCallsExpireAfterTheirDeadline) {
    OutgoingQueueOptions shortDeadline;
    shortDeadline.messageDeadline = 300ms;
    ASSERT_NO_FATAL_FAILURE(connectThenLoseTheLink(queued(shortDeadline)));
    ASSERT_NO_FATAL_FAILURE(expectAllTimeOutAfter300ms("queue deadline 300 ms"));
}

// ---- many cuts ----------------------------------------------------------------------------------

TEST_F(ProxyTest, HundredCutsEachReconnectWithANewIdAndHandlersKeepFiring) {
    constexpr int kCuts = 100;
    auto built = build(proxiedUrl(),
                       [](HubConnectionBuilder& b) { b.withAutomaticReconnect(fastRetries()); });
    ASSERT_TRUE(built.ok()) << describe(built);
    auto& connection = built.value();
    auto events = watchEvents(connection);
    auto broadcasts = mailbox<std::string>();
    connection.on("Broadcast", [broadcasts](std::string, std::string text) {
        broadcasts->push(std::move(text));
    });
    ASSERT_TRUE(start(connection).ok());

    std::set<std::string> ids{connection.connectionId().value_or("")};
    std::vector<double> reconnectMs;
    const auto begin = Clock::now();
    for (int cut = 1; cut <= kCuts; ++cut) {
        const auto cutAt = Clock::now();
        ASSERT_GE(proxy_->cutAll(), 1u) << "cut " << cut;
        auto disconnected = nextEvent(*events, Kind::Disconnected);
        ASSERT_TRUE(disconnected.has_value()) << "cut " << cut;
        EXPECT_EQ(disconnected->disconnectKind, DisconnectKind::NetworkError);
        auto reconnected = nextEvent(*events, Kind::Reconnected);
        ASSERT_TRUE(reconnected.has_value()) << "no reconnect after cut " << cut;
        EXPECT_EQ(reconnected->attempt, 1u);
        reconnectMs.push_back(millis(reconnected->at - cutAt));
        ids.insert(reconnected->connectionId.value_or(""));
        // The handler registered before the first cut still fires.
        const auto text = "after cut " + std::to_string(cut);
        ASSERT_TRUE(invoke<void>(connection, "BroadcastCaller", {text}).ok());
        EXPECT_EQ(broadcasts->pop(), text);
    }
    EXPECT_EQ(ids.size(), static_cast<std::size_t>(kCuts + 1)) << "connection ids were reused";
    EXPECT_EQ(connection.metrics().reconnections, static_cast<std::uint64_t>(kCuts));
    std::printf("[ figures ] %d cuts, ordinary reconnect (attempt 1 at 0 ms): reconnected after "
                "%s; %zu distinct connection ids; %.1f s in total\n",
                kCuts, percentiles(reconnectMs).c_str(), ids.size(),
                millis(Clock::now() - begin) / 1000);
}

// ---- stalled and slow links
// ----------------------------------------------------------------------

TEST_F(ProxyTest, AStalledLinkIsCaughtByTheServerTimeoutAndReconnected) {
    // /hub-short pings every second; the client gives up after 3 s of silence.
    auto built = build(proxiedUrl("/hub-short"), [](HubConnectionBuilder& b) {
        b.withAutomaticReconnect(fastRetries());
        b.withServerTimeout(3s);
        b.withKeepAliveInterval(500ms);
    });
    ASSERT_TRUE(built.ok()) << describe(built);
    auto& connection = built.value();
    auto events = watchEvents(connection);
    ASSERT_TRUE(start(connection).ok());
    const auto firstId = connection.connectionId();

    const auto stalledAt = Clock::now();
    ASSERT_GE(proxy_->stall(), 1u);
    auto disconnected = nextEvent(*events, Kind::Disconnected, 10s);
    ASSERT_TRUE(disconnected.has_value()) << "the stall was not detected";
    EXPECT_EQ(disconnected->disconnectKind, DisconnectKind::Timeout);
    EXPECT_GE(disconnected->at - stalledAt, 2500ms);
    auto reconnected = nextEvent(*events, Kind::Reconnected, 10s);
    ASSERT_TRUE(reconnected.has_value()) << "no reconnect after the timeout";
    EXPECT_NE(reconnected->connectionId, firstId);
    EXPECT_EQ(connection.state(), ConnectionState::Connected);
    EXPECT_EQ(invoke<std::string>(connection, "Echo", {"after"}).valueOr(""), "after");
    EXPECT_EQ(connection.metrics().reconnections, 1u);
    std::printf("[ figures ] stalled link: server timeout after %.0f ms, reconnected %.0f ms "
                "after the stall\n",
                millis(disconnected->at - stalledAt), millis(reconnected->at - stalledAt));
}

TEST_F(ProxyTest, ASlowLinkStillWorksAndReconnects) {
    proxy_->setDelay(50ms); // 100 ms round trip on top of everything
    auto built = build(proxiedUrl(),
                       [](HubConnectionBuilder& b) { b.withAutomaticReconnect(fastRetries()); });
    ASSERT_TRUE(built.ok()) << describe(built);
    auto& connection = built.value();
    auto events = watchEvents(connection);
    const auto startAt = Clock::now();
    ASSERT_TRUE(start(connection).ok());
    const auto started = Clock::now() - startAt;

    const auto echoAt = Clock::now();
    EXPECT_EQ(invoke<std::string>(connection, "Echo", {"slow"}).valueOr(""), "slow");
    const auto roundTrip = Clock::now() - echoAt;
    EXPECT_GE(roundTrip, 100ms);

    auto items = mailbox<std::int64_t>();
    auto done = mailbox<Result<void>>();
    connection.stream<std::int64_t>(
        "Counter", {20, 0}, [items](std::int64_t i) { items->push(i); },
        [done](Result<void> r) { done->push(std::move(r)); });
    auto got = items->take(20);
    std::vector<std::int64_t> expected(20);
    for (std::size_t i = 0; i < expected.size(); ++i) {
        expected[i] = static_cast<std::int64_t>(i);
    }
    EXPECT_EQ(got, expected);
    auto end = done->pop();
    ASSERT_TRUE(end.has_value());
    EXPECT_TRUE(end->ok()) << describe(*end);

    const auto cutAt = Clock::now();
    ASSERT_GE(proxy_->cutAll(), 1u);
    auto reconnected = nextEvent(*events, Kind::Reconnected);
    ASSERT_TRUE(reconnected.has_value()) << "no reconnect over the slow link";
    EXPECT_EQ(invoke<std::int64_t>(connection, "Add", {2, 3}).valueOr(0), 5);
    std::printf("[ figures ] link delayed 50 ms each way: start %.0f ms, Echo round trip %.0f "
                "ms, reconnect after a cut %.0f ms\n",
                millis(started), millis(roundTrip), millis(reconnected->at - cutAt));
}

} // namespace
} // namespace signalr::integration
