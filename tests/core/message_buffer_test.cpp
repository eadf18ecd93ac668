#include <gtest/gtest.h>

#include <cmath>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "json_hub_protocol.hpp"
#include "manual_executor.hpp"
#include "message_buffer.hpp"

namespace signalr::test {
namespace {

using namespace std::chrono_literals;
using detail::AckMessage;
using detail::CancelInvocationMessage;
using detail::CompletionMessage;
using detail::HubMessage;
using detail::InvocationMessage;
using detail::MessageBuffer;
using detail::PingMessage;
using detail::SequenceMessage;
using detail::StreamInvocationMessage;
using detail::StreamItemMessage;
using Verdict = MessageBuffer::Verdict;

/// A send's completion as the test sees it.
struct Sent {
    std::shared_ptr<std::optional<Result<void>>> result =
        std::make_shared<std::optional<Result<void>>>();
    MessageBuffer::Completion callback() {
        return [r = result](Result<void> v) { *r = std::move(v); };
    }
    bool done() const { return result->has_value(); }
    bool ok() const { return done() && (*result)->ok(); }
};

InvocationMessage call(const std::string& target, std::string arg = "x") {
    return InvocationMessage{{}, std::nullopt, target, {Value(std::move(arg))}, {}};
}

class MessageBufferTest : public ::testing::Test {
protected:
    std::shared_ptr<ManualExecutor> executor = std::make_shared<ManualExecutor>();
    std::unique_ptr<detail::HubProtocol> protocol = detail::makeJsonHubProtocol();
    std::vector<std::string> wire;

    std::unique_ptr<MessageBuffer> make(std::size_t limit = 100'000) {
        return std::make_unique<MessageBuffer>(
            executor, *protocol, limit, [this](std::string bytes) { wire.push_back(bytes); });
    }

    std::string bytesOf(const HubMessage& message) {
        std::string out;
        EXPECT_TRUE(protocol->write(message, out).ok());
        return out;
    }

    Sent send(MessageBuffer& buffer, const HubMessage& message) {
        Sent sent;
        EXPECT_TRUE(buffer.send(message, sent.callback()).ok());
        return sent;
    }
};

TEST_F(MessageBufferTest, OnlyTypesOneToFiveAreTrackable) {
    EXPECT_TRUE(detail::isTrackable(InvocationMessage{}));
    EXPECT_TRUE(detail::isTrackable(StreamItemMessage{}));
    EXPECT_TRUE(detail::isTrackable(CompletionMessage{}));
    EXPECT_TRUE(detail::isTrackable(StreamInvocationMessage{}));
    EXPECT_TRUE(detail::isTrackable(CancelInvocationMessage{}));
    EXPECT_FALSE(detail::isTrackable(PingMessage{}));
    EXPECT_FALSE(detail::isTrackable(detail::CloseMessage{}));
    EXPECT_FALSE(detail::isTrackable(AckMessage{}));
    EXPECT_FALSE(detail::isTrackable(SequenceMessage{}));
}

TEST_F(MessageBufferTest, SendWritesAtOnceAndKeepsACopyNumberedFromOne) {
    auto buffer = make();
    EXPECT_EQ(buffer->nextSendId(), 1);
    auto a = send(*buffer, call("A"));
    auto b = send(*buffer, call("B"));
    EXPECT_TRUE(a.ok());
    EXPECT_TRUE(b.ok());
    ASSERT_EQ(wire.size(), 2u);
    EXPECT_EQ(wire[0], bytesOf(call("A")));
    EXPECT_EQ(buffer->bufferedMessages(), 2u);
    EXPECT_EQ(buffer->bufferedBytes(), wire[0].size() + wire[1].size());
    EXPECT_EQ(buffer->nextSendId(), 3);
}

TEST_F(MessageBufferTest, SerializationErrorIsReturnedAndNothingIsNumbered) {
    auto buffer = make();
    Sent sent;
    auto result = buffer->send(
        InvocationMessage{{}, std::nullopt, "NaN", {Value(std::nan(""))}, {}}, sent.callback());
    EXPECT_FALSE(result.ok());
    EXPECT_FALSE(sent.done());
    EXPECT_TRUE(wire.empty());
    EXPECT_EQ(buffer->nextSendId(), 1);
}

TEST_F(MessageBufferTest, AckReleasesEveryIdUpToIt) {
    auto buffer = make();
    for (int i = 0; i < 5; ++i) {
        (void)send(*buffer, call("M" + std::to_string(i)));
    }
    EXPECT_EQ(buffer->onReceived(AckMessage{3}), Verdict::Skip);
    EXPECT_EQ(buffer->bufferedMessages(), 2u);
    EXPECT_EQ(buffer->bufferedBytes(), wire[3].size() + wire[4].size());
    // Old or repeated Acks change nothing; one beyond what was sent releases everything.
    EXPECT_EQ(buffer->onReceived(AckMessage{2}), Verdict::Skip);
    EXPECT_EQ(buffer->bufferedMessages(), 2u);
    EXPECT_EQ(buffer->onReceived(AckMessage{99}), Verdict::Skip);
    EXPECT_EQ(buffer->bufferedMessages(), 0u);
    EXPECT_EQ(buffer->bufferedBytes(), 0u);
}

TEST_F(MessageBufferTest, WriteBlocksOnAckWhenMessageBufferFull) {
    const std::size_t size = bytesOf(call("Big", std::string(50, 'x'))).size();
    auto buffer = make(size + size / 2);
    auto first = send(*buffer, call("Big", std::string(50, 'x')));
    EXPECT_TRUE(first.ok());
    // This one crosses the limit: it is written and kept, but its send waits for an Ack.
    auto second = send(*buffer, call("Big", std::string(50, 'y')));
    EXPECT_FALSE(second.done());
    EXPECT_EQ(wire.size(), 2u);
    // Once over the limit, later sends wait unwritten, however small.
    auto third = send(*buffer, call("S"));
    EXPECT_FALSE(third.done());
    EXPECT_EQ(wire.size(), 2u);
    EXPECT_EQ(buffer->waitingMessages(), 1u);

    executor->advance(10s);
    EXPECT_FALSE(second.done()) << "backpressure has no timeout: nothing is dropped";

    EXPECT_EQ(buffer->onReceived(AckMessage{1}), Verdict::Skip);
    EXPECT_TRUE(second.ok());
    ASSERT_EQ(wire.size(), 3u);
    EXPECT_EQ(wire[2], bytesOf(call("S")));
    EXPECT_EQ(buffer->waitingMessages(), 0u);
    EXPECT_EQ(buffer->nextSendId(), 4);
    EXPECT_TRUE(third.ok()) << "it fits behind the big one";
}

TEST_F(MessageBufferTest, AMessageLargerThanTheLimitStillGoesOut) {
    auto buffer = make(10);
    auto big = send(*buffer, call("Big", std::string(100, 'x')));
    EXPECT_EQ(wire.size(), 1u);
    EXPECT_FALSE(big.done());
    (void)buffer->onReceived(AckMessage{1});
    EXPECT_TRUE(big.ok());
}

TEST_F(MessageBufferTest, MessageBufferLimitCanBeModified) {
    const std::size_t size = bytesOf(call("M")).size();
    auto small = make(size * 3);
    std::vector<Sent> sends;
    for (int i = 0; i < 5; ++i) {
        sends.push_back(send(*small, call("M")));
    }
    EXPECT_EQ(wire.size(), 3u) << "the third reaches the limit, the rest wait";
    EXPECT_TRUE(sends[1].ok());
    EXPECT_FALSE(sends[3].done());

    wire.clear();
    auto large = make(size * 10);
    for (int i = 0; i < 5; ++i) {
        EXPECT_TRUE(send(*large, call("M")).ok());
    }
    EXPECT_EQ(wire.size(), 5u);
}

TEST_F(MessageBufferTest, WriteManyMessagesAckSomeProperlyBuffers) {
    std::mt19937 random(12345);
    auto buffer = make(1 << 30);
    std::size_t total = 0;
    for (int i = 0; i < 1000; ++i) {
        EXPECT_TRUE(send(*buffer, call("M", std::to_string(i))).ok());
        total += wire.back().size();
    }
    const auto ackAt = std::uniform_int_distribution<int>(1, 999)(random);
    (void)buffer->onReceived(AckMessage{ackAt});
    std::size_t remaining = 0;
    for (std::size_t i = static_cast<std::size_t>(ackAt); i < wire.size(); ++i) {
        remaining += wire[i].size();
    }
    EXPECT_EQ(buffer->bufferedMessages(), static_cast<std::size_t>(1000 - ackAt));
    EXPECT_EQ(buffer->bufferedBytes(), remaining);
    EXPECT_LT(remaining, total);

    // The replay starts exactly after the ack point.
    wire.clear();
    buffer->pause();
    buffer->resume();
    ASSERT_EQ(wire.size(), static_cast<std::size_t>(1000 - ackAt + 1));
    EXPECT_EQ(wire[0], bytesOf(SequenceMessage{ackAt + 1}));
    EXPECT_EQ(wire[1], bytesOf(call("M", std::to_string(ackAt))));
}

TEST_F(MessageBufferTest, UnAckedMessageResentOnReconnect) {
    auto buffer = make();
    (void)send(*buffer, call("A"));
    (void)send(*buffer, call("B"));
    buffer->pause();
    wire.clear();
    buffer->resume();
    ASSERT_EQ(wire.size(), 3u);
    EXPECT_EQ(wire[0], bytesOf(SequenceMessage{1}));
    EXPECT_EQ(wire[1], bytesOf(call("A")));
    EXPECT_EQ(wire[2], bytesOf(call("B")));
}

TEST_F(MessageBufferTest, AckedMessageNotResentOnReconnect) {
    auto buffer = make();
    (void)send(*buffer, call("A"));
    (void)send(*buffer, call("B"));
    (void)buffer->onReceived(AckMessage{1});
    buffer->pause();
    wire.clear();
    buffer->resume();
    ASSERT_EQ(wire.size(), 2u);
    EXPECT_EQ(wire[0], bytesOf(SequenceMessage{2}));
    EXPECT_EQ(wire[1], bytesOf(call("B")));
}

TEST_F(MessageBufferTest, EverythingAckedResumesWithTheNextId) {
    auto buffer = make();
    (void)send(*buffer, call("A"));
    (void)send(*buffer, call("B"));
    (void)buffer->onReceived(AckMessage{2});
    buffer->pause();
    wire.clear();
    buffer->resume();
    ASSERT_EQ(wire.size(), 1u);
    EXPECT_EQ(wire[0], bytesOf(SequenceMessage{3}));
}

// aspnetcore#55575: every kind of trackable message must count, or the two sides' ids drift.
TEST_F(MessageBufferTest, UnAckedSerializedMessageResentOnReconnect) {
    auto buffer = make();
    std::vector<HubMessage> messages{
        InvocationMessage{{}, std::string("1"), "Up", {}, {"2"}},
        StreamItemMessage{{}, "2", Value(7)},
        CompletionMessage{{}, "2", std::nullopt, std::nullopt},
        StreamInvocationMessage{{}, "3", "Counter", {Value(3)}, {}},
        CancelInvocationMessage{{}, "3"},
    };
    for (const auto& m : messages) {
        (void)send(*buffer, m);
    }
    EXPECT_EQ(buffer->nextSendId(), 6);
    (void)buffer->onReceived(AckMessage{2});
    buffer->pause();
    wire.clear();
    buffer->resume();
    ASSERT_EQ(wire.size(), 4u);
    EXPECT_EQ(wire[0], bytesOf(SequenceMessage{3}));
    EXPECT_EQ(wire[1], bytesOf(messages[2]));
    EXPECT_EQ(wire[2], bytesOf(messages[3]));
    EXPECT_EQ(wire[3], bytesOf(messages[4]));
}

TEST_F(MessageBufferTest, SendsWhilePausedAreKeptAndWrittenAfterTheReplay) {
    auto buffer = make();
    (void)send(*buffer, call("A"));
    buffer->pause();
    wire.clear();
    auto during = send(*buffer, call("B"));
    EXPECT_TRUE(wire.empty());
    EXPECT_FALSE(during.done()) << "completes once it is on a live transport";
    buffer->resume();
    ASSERT_EQ(wire.size(), 3u);
    EXPECT_EQ(wire[0], bytesOf(SequenceMessage{1}));
    EXPECT_EQ(wire[1], bytesOf(call("A")));
    EXPECT_EQ(wire[2], bytesOf(call("B")));
    EXPECT_TRUE(during.ok());
}

TEST_F(MessageBufferTest, BackpressureWriteMessageSurvivesReconnect) {
    auto buffer = make(10);
    auto big = send(*buffer, call("Big", std::string(100, 'x')));
    auto waiting = send(*buffer, call("Next"));
    EXPECT_FALSE(big.done());
    buffer->pause();
    wire.clear();
    buffer->resume();
    ASSERT_EQ(wire.size(), 2u);
    EXPECT_EQ(wire[0], bytesOf(SequenceMessage{1}));
    EXPECT_EQ(wire[1], bytesOf(call("Big", std::string(100, 'x'))));
    EXPECT_FALSE(big.done());
    EXPECT_FALSE(waiting.done());
    (void)buffer->onReceived(AckMessage{1});
    EXPECT_TRUE(big.ok());
    EXPECT_EQ(wire.back(), bytesOf(call("Next")));
    (void)buffer->onReceived(AckMessage{2});
    EXPECT_TRUE(waiting.ok());
}

TEST_F(MessageBufferTest, DisposeRejectsEverySendStillWaiting) {
    auto buffer = make(10);
    auto big = send(*buffer, call("Big", std::string(100, 'x')));
    auto waiting = send(*buffer, call("Next"));
    buffer->dispose(fail(ErrorCode::ConnectionLost, "gone"));
    ASSERT_TRUE(big.done());
    EXPECT_EQ((*big.result)->error().code, ErrorCode::ConnectionLost);
    ASSERT_TRUE(waiting.done());
    EXPECT_EQ((*waiting.result)->error().code, ErrorCode::ConnectionLost);
    auto late = send(*buffer, call("Late"));
    ASSERT_TRUE(late.done());
    EXPECT_FALSE(late.ok());
    EXPECT_EQ(executor->pendingTimers(), 0u);
}

TEST_F(MessageBufferTest, IncomingMessagesAreNumberedAndDuplicatesSkipped) {
    auto buffer = make();
    EXPECT_EQ(buffer->onReceived(call("A")), Verdict::Process);
    EXPECT_EQ(buffer->onReceived(call("B")), Verdict::Process);
    EXPECT_EQ(buffer->onReceived(PingMessage{}), Verdict::Process);
    EXPECT_EQ(buffer->nextReceiveId(), 3);
    // The server replays from id 1: both are duplicates, the third is new.
    EXPECT_EQ(buffer->onReceived(SequenceMessage{1}), Verdict::Skip);
    EXPECT_EQ(buffer->onReceived(call("A")), Verdict::Skip);
    EXPECT_EQ(buffer->onReceived(call("B")), Verdict::Skip);
    EXPECT_EQ(buffer->onReceived(call("C")), Verdict::Process);
    EXPECT_EQ(buffer->nextReceiveId(), 4);
}

TEST_F(MessageBufferTest, ReceiveSequenceMessageWithLargerIdThanMessagesReceived) {
    auto buffer = make();
    (void)buffer->onReceived(call("A"));
    EXPECT_EQ(buffer->onReceived(SequenceMessage{2}), Verdict::Skip) << "the next expected id";
    EXPECT_EQ(buffer->onReceived(SequenceMessage{3}), Verdict::Violation);
    EXPECT_EQ(buffer->onReceived(SequenceMessage{0}), Verdict::Violation);
}

// aspnetcore PR #50409: the server's Sequence may arrive before, between or after our own
// replay; no order may drop or duplicate a message. Messages that arrive before a Sequence are
// processed (the .NET client's rule), since the server always sends its Sequence first.
TEST_F(MessageBufferTest, SequenceAndResendInterleaveInAnyOrder) {
    enum Step { Resume, Sequence, Replay1, Replay2, New3 };
    const std::vector<std::vector<Step>> orders{
        {Resume, Sequence, Replay1, Replay2, New3}, {Sequence, Resume, Replay1, Replay2, New3},
        {Sequence, Replay1, Resume, Replay2, New3}, {Sequence, Replay1, Replay2, Resume, New3},
        {Sequence, Replay1, Replay2, New3, Resume},
    };
    for (const auto& order : orders) {
        wire.clear();
        auto buffer = make();
        (void)send(*buffer, call("Out"));
        std::vector<std::string> processed;
        auto receive = [&](const std::string& name) {
            if (buffer->onReceived(call(name)) == Verdict::Process) {
                processed.push_back(name);
            }
        };
        receive("In1"); // processed, but the server did not see our Ack
        buffer->pause();
        for (Step step : order) {
            switch (step) {
            case Resume: buffer->resume(); break;
            case Sequence: EXPECT_EQ(buffer->onReceived(SequenceMessage{1}), Verdict::Skip); break;
            case Replay1: receive("In1"); break;
            case Replay2: receive("In2"); break;
            case New3: receive("In3"); break;
            }
        }
        EXPECT_EQ(processed, (std::vector<std::string>{"In1", "In2", "In3"}));
        ASSERT_EQ(wire.size(), 3u);
        EXPECT_EQ(wire[1], bytesOf(SequenceMessage{1}));
        EXPECT_EQ(wire[2], bytesOf(call("Out")));
    }
}

TEST_F(MessageBufferTest, AckIsSentAboutOnceASecondCoalesced) {
    auto buffer = make();
    EXPECT_EQ(executor->pendingTimers(), 0u) << "no timer before anything arrived";
    for (int i = 0; i < 10; ++i) {
        (void)buffer->onReceived(call("In"));
    }
    EXPECT_EQ(executor->pendingTimers(), 1u);
    executor->advance(999ms);
    EXPECT_TRUE(wire.empty());
    executor->advance(1ms);
    ASSERT_EQ(wire.size(), 1u);
    EXPECT_EQ(wire[0], bytesOf(AckMessage{10}));
    EXPECT_EQ(executor->pendingTimers(), 0u) << "idle: no timer until something arrives";
    executor->advance(5s);
    EXPECT_EQ(wire.size(), 1u);
    (void)buffer->onReceived(call("In"));
    executor->advance(1s);
    ASSERT_EQ(wire.size(), 2u);
    EXPECT_EQ(wire[1], bytesOf(AckMessage{11}));
}

TEST_F(MessageBufferTest, NoAckWhilePausedAndOneAfterResume) {
    auto buffer = make();
    (void)buffer->onReceived(call("In"));
    buffer->pause();
    EXPECT_EQ(executor->pendingTimers(), 0u);
    (void)buffer->onReceived(call("In"));
    EXPECT_EQ(executor->pendingTimers(), 0u) << "not armed while reconnecting";
    executor->advance(5s);
    EXPECT_TRUE(wire.empty());
    buffer->resume();
    executor->advance(1s);
    ASSERT_EQ(wire.size(), 2u);
    EXPECT_EQ(wire[0], bytesOf(SequenceMessage{1}));
    EXPECT_EQ(wire[1], bytesOf(AckMessage{2}));
}

TEST_F(MessageBufferTest, NoTimerRunsAfterTheBufferIsGone) {
    auto buffer = make();
    (void)buffer->onReceived(call("In"));
    buffer.reset();
    executor->advance(5s);
    EXPECT_TRUE(wire.empty());
}

} // namespace
} // namespace signalr::test
