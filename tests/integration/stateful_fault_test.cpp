// Stateful reconnect through the FaultProxy against the real hub (/hub-stateful): 100 abortive
// cuts while numbers flow both ways. Every number must arrive exactly once and in order on both
// sides, and the connection id must never change.
//
// Prints its measured figures on lines starting with "[ figures ]".

#include <cstdio>
#include <functional>
#include <string>

#include "proxy_fixture.hpp"

namespace signalr::integration {
namespace {

constexpr int kCuts = 100;
// Server -> client: a paced Invocation sequence and a paced stream, each long enough to span
// most of the cuts (the hub's 5 ms pacing gives about 9 ms per number, so about 14 s); the cut
// loop does not wait for them once they are done.
constexpr std::int64_t kServerNumbers = 1500;
constexpr int kIntervalMs = 5;
// Client -> server: Record(1), Record(2), ... with this many calls in flight at any time.
constexpr int kWindow = 8;

// Everything the callbacks touch; shared so late callbacks never see a dead test.
struct Flow {
    std::mutex mutex;
    std::condition_variable changed;
    std::vector<std::int64_t> seq;      // "Seq" invocations received
    std::vector<std::int64_t> counter;  // Counter stream items received
    std::optional<Result<void>> seqEnd; // PacedSequence completion
    std::optional<Result<void>> counterEnd;
    std::int64_t nextRecord = 1;
    std::int64_t recordsDone = 0;
    int inFlight = 0;
    bool stopSending = false;
    std::optional<Error> recordError;

    std::optional<Error> error() {
        std::lock_guard lock(mutex);
        return recordError;
    }

    template <class Predicate>
    bool waitUntil(std::chrono::milliseconds timeout, Predicate predicate) {
        std::unique_lock lock(mutex);
        return changed.wait_for(lock, timeout, [&] { return predicate(); });
    }
};

// Keeps kWindow Record calls in flight. Runs on the executor only (from completions), so the
// numbers go on the wire in the order they were taken.
void pump(const std::shared_ptr<Flow>& flow, HubConnection* connection) {
    for (;;) {
        std::int64_t number = 0;
        {
            std::lock_guard lock(flow->mutex);
            if (flow->stopSending || flow->recordError || flow->inFlight >= kWindow) {
                return;
            }
            number = flow->nextRecord++;
            ++flow->inFlight;
        }
        connection->invoke<void>("Record", {number}, [flow, connection](Result<void> r) {
            {
                std::lock_guard lock(flow->mutex);
                --flow->inFlight;
                if (r.ok()) {
                    ++flow->recordsDone;
                } else if (!flow->recordError) {
                    flow->recordError = r.error();
                }
            }
            flow->changed.notify_all();
            if (r.ok()) {
                pump(flow, connection);
            }
        });
    }
}

std::vector<std::int64_t> numbers(std::int64_t from, std::int64_t to) {
    std::vector<std::int64_t> out;
    for (auto i = from; i <= to; ++i) {
        out.push_back(i);
    }
    return out;
}

TEST_F(ProxyTest, HundredCutsLoseAndDuplicateNothingInEitherDirection) {
    auto built = build(proxiedUrl("/hub-stateful"),
                       [](HubConnectionBuilder& b) { b.withStatefulReconnect(); });
    ASSERT_TRUE(built.ok()) << describe(built);
    auto& connection = built.value();
    auto closed = watchClosed(connection);
    auto flow = std::make_shared<Flow>();
    connection.on("Seq", [flow](std::int64_t n) {
        {
            std::lock_guard lock(flow->mutex);
            flow->seq.push_back(n);
        }
        flow->changed.notify_all();
    });
    ASSERT_TRUE(start(connection).ok());
    const auto id = connection.connectionId();
    ASSERT_TRUE(id.has_value());

    const auto begin = Clock::now();
    connection.invoke<void>("PacedSequence", {kServerNumbers, kIntervalMs}, [flow](Result<void> r) {
        {
            std::lock_guard lock(flow->mutex);
            flow->seqEnd = std::move(r);
        }
        flow->changed.notify_all();
    });
    auto subscription = connection.stream<std::int64_t>(
        "Counter", {kServerNumbers, kIntervalMs},
        [flow](std::int64_t i) {
            {
                std::lock_guard lock(flow->mutex);
                flow->counter.push_back(i);
            }
            flow->changed.notify_all();
        },
        [flow](Result<void> r) {
            {
                std::lock_guard lock(flow->mutex);
                flow->counterEnd = std::move(r);
            }
            flow->changed.notify_all();
        });
    // The first Record is made here; its completion fills the window from the executor.
    {
        std::lock_guard lock(flow->mutex);
        flow->nextRecord = 2;
        flow->inFlight = 1;
    }
    HubConnection* self = &connection;
    connection.invoke<void>("Record", {std::int64_t{1}}, [flow, self](Result<void> r) {
        {
            std::lock_guard lock(flow->mutex);
            --flow->inFlight;
            if (r.ok()) {
                ++flow->recordsDone;
            } else {
                flow->recordError = r.error();
            }
        }
        flow->changed.notify_all();
        if (r.ok()) {
            pump(flow, self);
        }
    });

    std::vector<double> recovery;
    int cutsWhileServerSending = 0;
    for (int cut = 1; cut <= kCuts; ++cut) {
        // Traffic must have flowed since the previous cut (and its reconnect completed).
        std::int64_t records = 0;
        std::size_t seq = 0;
        std::size_t items = 0;
        {
            std::lock_guard lock(flow->mutex);
            records = flow->recordsDone;
            seq = flow->seq.size();
            items = flow->counter.size();
        }
        const bool flowed = flow->waitUntil(kTimeout, [&] {
            return flow->recordError || (flow->recordsDone >= records + 20 &&
                                         (flow->seqEnd || flow->seq.size() >= seq + 3) &&
                                         (flow->counterEnd || flow->counter.size() >= items + 3));
        });
        ASSERT_TRUE(flowed) << "no traffic after cut " << cut - 1;
        ASSERT_FALSE(flow->error()) << "cut " << cut - 1 << ": " << describe(*flow->error());
        {
            std::lock_guard lock(flow->mutex);
            cutsWhileServerSending += flow->seqEnd && flow->counterEnd ? 0 : 1;
        }
        const auto acceptedBefore = proxy_->stats().accepted;
        const auto cutAt = Clock::now();
        ASSERT_GE(proxy_->cutAll(), 1u) << "cut " << cut;
        // Resumed = the new transport's TCP connection came through the proxy and a call
        // completed over it.
        ASSERT_TRUE(proxy_->waitForAccepted(acceptedBefore + 1, kTimeout))
            << "no new connection after cut " << cut;
        std::int64_t recordsAtAccept = 0;
        {
            std::lock_guard lock(flow->mutex);
            recordsAtAccept = flow->recordsDone;
        }
        Clock::time_point recoveredAt{};
        const bool recovered = flow->waitUntil(kTimeout, [&] {
            if (flow->recordError || flow->recordsDone > recordsAtAccept) {
                recoveredAt = Clock::now();
                return true;
            }
            return false;
        });
        ASSERT_TRUE(recovered) << "no call completed after cut " << cut;
        ASSERT_FALSE(flow->error()) << "cut " << cut << ": " << describe(*flow->error());
        recovery.push_back(millis(recoveredAt - cutAt));
    }
    const auto cutsDone = Clock::now();

    {
        std::lock_guard lock(flow->mutex);
        flow->stopSending = true;
    }
    ASSERT_TRUE(flow->waitUntil(kTimeout, [&] { return flow->inFlight == 0; }))
        << "Record calls left pending";
    ASSERT_TRUE(flow->waitUntil(40s, [&] { return flow->seqEnd && flow->counterEnd; }))
        << "the server's sequences did not finish";
    const auto end = Clock::now();

    // Callbacks take the flow's lock: copy out, then call the hub without holding it.
    std::unique_lock lock(flow->mutex);
    const auto recordError = flow->recordError;
    const auto seqEnd = *flow->seqEnd;
    const auto counterEnd = *flow->counterEnd;
    const auto seqReceived = flow->seq;
    const auto counterReceived = flow->counter;
    const auto sent = flow->nextRecord - 1;
    lock.unlock();
    EXPECT_FALSE(recordError) << describe(*recordError);
    ASSERT_TRUE(seqEnd.ok()) << describe(seqEnd);
    ASSERT_TRUE(counterEnd.ok()) << describe(counterEnd);
    // Exactly once and in order, both ways.
    EXPECT_EQ(seqReceived, numbers(1, kServerNumbers));
    EXPECT_EQ(counterReceived, numbers(0, kServerNumbers - 1));
    auto recorded = invoke<std::vector<std::int64_t>>(connection, "GetRecordedFor", {*id});
    ASSERT_TRUE(recorded.ok()) << describe(recorded);
    EXPECT_EQ(recorded.value(), numbers(1, sent));
    // The same connection all along.
    EXPECT_EQ(connection.connectionId(), id);
    EXPECT_EQ(invoke<std::string>(connection, "GetConnectionId").valueOr(""), *id);
    // A resume counts as a reconnection, though it fires no connection event.
    EXPECT_EQ(connection.metrics().reconnections, static_cast<std::uint64_t>(kCuts));
    EXPECT_EQ(closed->size(), 0u) << "the connection closed";
    const auto stats = proxy_->stats();
    EXPECT_EQ(stats.cut, static_cast<std::uint64_t>(kCuts));

    std::printf("[ figures ] stateful reconnect: %d cuts in %.1f s (%d while the server was "
                "still sending); resumed (first call completed) after %s; "
                "client->server %lld Record calls, server->client %lld Seq + %lld stream items, "
                "all exactly once and in order; connection id unchanged; %.1f s in total; "
                "%llu TCP connections through the proxy\n",
                kCuts, millis(cutsDone - begin) / 1000, cutsWhileServerSending,
                percentiles(recovery).c_str(), static_cast<long long>(sent),
                static_cast<long long>(seqReceived.size()),
                static_cast<long long>(counterReceived.size()), millis(end - begin) / 1000,
                static_cast<unsigned long long>(stats.accepted));
    (void)subscription;
}

} // namespace
} // namespace signalr::integration
