#include "reconnect_fixture.hpp"

namespace signalr::test {
namespace {

using namespace std::chrono_literals;

class MetricsTest : public ReconnectFixture {};

TEST_F(MetricsTest, CountsMessagesAndBytesBothWays) {
    auto b = reconnecting(ReconnectPolicy::delays({0ms}));
    auto connection = build(b);
    EXPECT_EQ(connection.metrics().messagesSent, 0u);
    ASSERT_TRUE(start(connection)->ok());
    auto m = connection.metrics();
    // The handshake request and its reply.
    EXPECT_EQ(m.messagesSent, 1u);
    EXPECT_EQ(m.messagesReceived, 1u);
    EXPECT_EQ(m.bytesSent, transport()->sent[0].size());
    EXPECT_EQ(m.bytesReceived, 3u);
    connection.send("X", {}, {});
    executor->runPending();
    serverSends(R"({"type":6})");
    m = connection.metrics();
    EXPECT_EQ(m.messagesSent, 2u);
    EXPECT_EQ(m.messagesReceived, 2u);
    EXPECT_EQ(m.bytesSent, transport()->sent[0].size() + transport()->sent[1].size());
    EXPECT_EQ(m.bytesReceived, 3u + 11u);
}

TEST_F(MetricsTest, StateAndTimeInStateFollowTheExecutorClock) {
    auto b = reconnecting(ReconnectPolicy::delays({5s}));
    auto connection = build(b);
    ASSERT_TRUE(start(connection)->ok());
    executor->advance(2s);
    auto m = connection.metrics();
    EXPECT_EQ(m.state, ConnectionState::Connected);
    EXPECT_EQ(m.timeInState, 2s);
    dropTransport();
    executor->advance(1s);
    m = connection.metrics();
    EXPECT_EQ(m.state, ConnectionState::Reconnecting);
    EXPECT_EQ(m.timeInState, 1s);
    executor->advance(4s);
    m = connection.metrics();
    EXPECT_EQ(m.state, ConnectionState::Connected);
    EXPECT_EQ(m.reconnections, 1u);
}

TEST_F(MetricsTest, InvocationRoundTripPercentiles) {
    auto b = reconnecting(ReconnectPolicy::delays({0ms}));
    auto connection = build(b);
    ASSERT_TRUE(start(connection)->ok());
    // Call i is answered i+1 ms after it was sent: 1..100 ms.
    for (int i = 0; i < 100; ++i) {
        connection.invoke("Echo", {}, [](Result<Value>) {});
    }
    executor->runPending();
    for (int i = 0; i < 100; ++i) {
        executor->advance(1ms);
        serverSends(R"({"type":3,"invocationId":")" + std::to_string(99 - i) + R"(","result":1})");
    }
    auto rtt = connection.metrics().invocationRtt;
    EXPECT_EQ(rtt.count, 100u);
    EXPECT_EQ(rtt.p50, 50ms);
    EXPECT_EQ(rtt.p99, 99ms);
}

TEST_F(MetricsTest, RoundTripsCoverTheMostRecentWindowOnly) {
    auto b = reconnecting(ReconnectPolicy::delays({0ms}));
    auto connection = build(b);
    ASSERT_TRUE(start(connection)->ok());
    auto round = [&](int n, std::chrono::milliseconds delay) {
        for (int i = 0; i < n; ++i) {
            connection.invoke("Echo", {}, [](Result<Value>) {});
        }
        executor->runPending();
        const auto first = static_cast<int>(connection.metrics().invocationRtt.count);
        executor->advance(delay);
        for (int i = 0; i < n; ++i) {
            transport()->receive(R"({"type":3,"invocationId":")" + std::to_string(first + i) +
                                 R"(","result":1})" + kRS);
        }
        executor->runPending();
    };
    round(1024, 500ms);
    round(1024, 10ms);
    auto rtt = connection.metrics().invocationRtt;
    EXPECT_EQ(rtt.count, 2048u);
    EXPECT_EQ(rtt.p50, 10ms);
    EXPECT_EQ(rtt.p99, 10ms);
}

} // namespace
} // namespace signalr::test
