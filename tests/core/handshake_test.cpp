#include <string>

#include <gtest/gtest.h>

#include "handshake.hpp"

namespace signalr::detail {
namespace {

TEST(HandshakeTest, WritesTheRequestByteExact) {
    EXPECT_EQ(writeHandshakeRequest("json", 1), "{\"protocol\":\"json\",\"version\":1}\x1e");
    EXPECT_EQ(writeHandshakeRequest("messagepack", 2),
              "{\"protocol\":\"messagepack\",\"version\":2}\x1e");
}

TEST(HandshakeTest, EmptyObjectIsSuccess) {
    const auto reply = parseHandshakeReply("{}\x1e");
    ASSERT_TRUE(reply.ok()) << reply.error().message;
    EXPECT_EQ(reply->consumed, 3u);
    EXPECT_EQ(reply->error, std::nullopt);
}

TEST(HandshakeTest, LeavesFollowingMessagesToTheCaller) {
    const std::string data = "{}\x1e{\"type\":6}\x1e{\"type\":1,";
    const auto reply = parseHandshakeReply(data);
    ASSERT_TRUE(reply.ok());
    EXPECT_EQ(reply->consumed, 3u);
    EXPECT_EQ(data.substr(reply->consumed), "{\"type\":6}\x1e{\"type\":1,");
}

TEST(HandshakeTest, ServerErrorIsReturnedAsText) {
    const auto reply =
        parseHandshakeReply("{\"error\":\"Requested protocol 'x' is not available.\"}\x1e");
    ASSERT_TRUE(reply.ok());
    EXPECT_EQ(reply->error, "Requested protocol 'x' is not available.");
    EXPECT_EQ(reply->consumed, 53u);
}

TEST(HandshakeTest, IgnoresOtherProperties) {
    const auto reply = parseHandshakeReply(" { \"minorVersion\" : 1, \"x\": [1,{}] } \x1e");
    ASSERT_TRUE(reply.ok()) << reply.error().message;
    EXPECT_EQ(reply->error, std::nullopt);
}

TEST(HandshakeTest, NullErrorMeansNoError) {
    const auto reply = parseHandshakeReply("{\"error\":null}\x1e");
    ASSERT_TRUE(reply.ok());
    EXPECT_EQ(reply->error, std::nullopt);
}

TEST(HandshakeTest, IncompleteReplyConsumesNothing) {
    const std::string full = "{\"error\":\"nope\"}\x1e";
    for (std::size_t length = 0; length < full.size(); ++length) {
        const auto reply = parseHandshakeReply(std::string_view(full).substr(0, length));
        ASSERT_TRUE(reply.ok()) << length;
        EXPECT_EQ(reply->consumed, 0u) << length;
        EXPECT_EQ(reply->error, std::nullopt);
    }
}

TEST(HandshakeTest, MalformedRepliesAreProtocolErrors) {
    for (const char* text : {"[]\x1e", "nonsense\x1e", "\x1e", "{\x1e", "\"{}\"\x1e",
                             "{\"error\":5}\x1e", "{\"error\":{}}\x1e", "{\"\xFF\":1}\x1e"}) {
        const auto reply = parseHandshakeReply(text);
        ASSERT_FALSE(reply.ok()) << text;
        EXPECT_EQ(reply.error().code, ErrorCode::ProtocolError);
        EXPECT_EQ(reply.error().message.rfind("Invalid handshake reply: ", 0), 0u)
            << reply.error().message;
    }
}

TEST(HandshakeTest, HubMessageInsteadOfReplyIsAnError) {
    const auto reply = parseHandshakeReply("{\"type\":6}\x1e");
    ASSERT_FALSE(reply.ok());
    EXPECT_EQ(reply.error().code, ErrorCode::ProtocolError);
}

TEST(HandshakeTest, SixtyFourKibibytesWithoutSeparatorIsAnError) {
    const std::string almost(64 * 1024 - 1, ' ');
    const auto waiting = parseHandshakeReply(almost);
    ASSERT_TRUE(waiting.ok());
    EXPECT_EQ(waiting->consumed, 0u);

    const auto reply = parseHandshakeReply(almost + " ");
    ASSERT_FALSE(reply.ok());
    EXPECT_EQ(reply.error().code, ErrorCode::ProtocolError);
    // The verdict does not depend on how much more has arrived.
    EXPECT_FALSE(parseHandshakeReply(almost + " {}\x1e").ok());
}

TEST(HandshakeTest, LongReplyWithinTheLimitIsAccepted) {
    const std::string padded = "{" + std::string(64 * 1024 - 3, ' ') + "}\x1e";
    const auto reply = parseHandshakeReply(padded);
    ASSERT_TRUE(reply.ok()) << reply.error().message;
    EXPECT_EQ(reply->consumed, padded.size());
}

} // namespace
} // namespace signalr::detail
