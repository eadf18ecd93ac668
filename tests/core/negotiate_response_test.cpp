#include <string>

#include <gtest/gtest.h>

#include "negotiate_response.hpp"

namespace signalr::detail {
namespace {

NegotiateResponse parsed(std::string_view body) {
    auto response = parseNegotiateResponse(body);
    EXPECT_TRUE(response.ok()) << body << ": " << (response.ok() ? "" : response.error().message);
    return response.ok() ? std::move(response).value() : NegotiateResponse{};
}

Error failure(std::string_view body) {
    auto response = parseNegotiateResponse(body);
    EXPECT_FALSE(response.ok()) << body;
    if (response.ok()) {
        return Error{};
    }
    EXPECT_EQ(response.error().code, ErrorCode::NegotiateFailed) << body;
    return response.error();
}

TEST(NegotiateResponseTest, Version1) {
    const auto response = parsed(R"({
        "connectionToken": "secret-token",
        "connectionId": "public-id",
        "negotiateVersion": 1,
        "availableTransports": [
            {"transport": "WebSockets", "transferFormats": ["Text", "Binary"]},
            {"transport": "ServerSentEvents", "transferFormats": ["Text"]},
            {"transport": "LongPolling", "transferFormats": ["Text", "Binary"]}
        ]
    })");
    EXPECT_EQ(response.connectionId, "public-id");
    EXPECT_EQ(response.connectionToken, "secret-token");
    EXPECT_EQ(response.negotiateVersion, 1);
    ASSERT_EQ(response.availableTransports.size(), 3u);
    EXPECT_EQ(response.availableTransports[0].transport, "WebSockets");
    EXPECT_EQ(response.availableTransports[0].transferFormats,
              (std::vector<std::string>{"Text", "Binary"}));
    EXPECT_EQ(response.availableTransports[1].transport, "ServerSentEvents");
    EXPECT_EQ(response.availableTransports[2].transport, "LongPolling");
    EXPECT_FALSE(response.useStatefulReconnect);
    EXPECT_EQ(response.url, std::nullopt);
    EXPECT_EQ(response.error, std::nullopt);
}

TEST(NegotiateResponseTest, StatefulReconnect) {
    const auto response = parsed(
        R"({"connectionToken":"t","connectionId":"i","negotiateVersion":1,"useStatefulReconnect":true,"availableTransports":[]})");
    EXPECT_TRUE(response.useStatefulReconnect);
}

TEST(NegotiateResponseTest, Version0UsesTheConnectionIdAsToken) {
    const auto response = parsed(
        R"({"connectionId":"abc","negotiateVersion":0,"availableTransports":[{"transport":"WebSockets","transferFormats":["Text"]}]})");
    EXPECT_EQ(response.negotiateVersion, 0);
    EXPECT_EQ(response.connectionId, "abc");
    EXPECT_EQ(response.connectionToken, "abc");
}

TEST(NegotiateResponseTest, MissingVersionMeansVersion0) {
    const auto response =
        parsed(R"({"connectionId":"abc","connectionToken":"ignored","availableTransports":[]})");
    EXPECT_EQ(response.negotiateVersion, 0);
    EXPECT_EQ(response.connectionToken, "abc");
}

TEST(NegotiateResponseTest, Redirect) {
    const auto response = parsed(
        R"({"url":"https://svc.service.signalr.net:5001/client/?hub=chat&asrs.op=%2Fchat","accessToken":"eyJ.x.y","availableTransports":[]})");
    EXPECT_EQ(response.url,
              "https://svc.service.signalr.net:5001/client/?hub=chat&asrs.op=%2Fchat");
    EXPECT_EQ(response.accessToken, "eyJ.x.y");
}

TEST(NegotiateResponseTest, RedirectWithoutToken) {
    const auto response = parsed(R"({"url":"http://other/hub"})");
    EXPECT_EQ(response.url, "http://other/hub");
    EXPECT_EQ(response.accessToken, std::nullopt);
}

TEST(NegotiateResponseTest, NullTokenCountsAsAbsent) {
    const auto response = parsed(R"({"url":"http://other/hub","accessToken":null})");
    EXPECT_EQ(response.accessToken, std::nullopt);
}

TEST(NegotiateResponseTest, ServerError) {
    const auto response = parsed(R"({"error":"Negotiate version 0 is not supported."})");
    EXPECT_EQ(response.error, "Negotiate version 0 is not supported.");
}

TEST(NegotiateResponseTest, IgnoresUnknownProperties) {
    const auto response = parsed(
        R"({"connectionToken":"t","connectionId":"i","negotiateVersion":1,"tokenLifetimeSeconds":300,"extra":{"a":[1]},"availableTransports":[{"transport":"WebSockets","transferFormats":["Text"],"x":1}]})");
    EXPECT_EQ(response.connectionToken, "t");
    ASSERT_EQ(response.availableTransports.size(), 1u);
}

TEST(NegotiateResponseTest, ClassicAspNetServerIsDetected) {
    const Error error = failure(
        R"({"Url":"/signalr","ConnectionToken":"X","ConnectionId":"Y","KeepAliveTimeout":20.0,"ProtocolVersion":"1.5"})");
    EXPECT_EQ(
        error.message,
        "Detected a connection attempt to an ASP.NET SignalR Server. This client only supports "
        "connecting to an ASP.NET Core SignalR Server. See "
        "https://aka.ms/signalr-core-differences for details.");
}

TEST(NegotiateResponseTest, MissingRequiredProperties) {
    EXPECT_NE(failure(R"({"negotiateVersion":1,"connectionToken":"t","availableTransports":[]})")
                  .message.find("'connectionId'"),
              std::string::npos);
    EXPECT_NE(failure(R"({"negotiateVersion":1,"connectionId":"i","availableTransports":[]})")
                  .message.find("'connectionToken'"),
              std::string::npos);
    EXPECT_NE(failure(R"({"negotiateVersion":1,"connectionId":"i","connectionToken":"t"})")
                  .message.find("'availableTransports'"),
              std::string::npos);
    EXPECT_NE(failure(R"({"connectionId":"i","availableTransports":[{"transferFormats":[]}]})")
                  .message.find("'transport'"),
              std::string::npos);
    EXPECT_NE(failure(R"({"connectionId":"i","availableTransports":[{"transport":"WebSockets"}]})")
                  .message.find("'transferFormats'"),
              std::string::npos);
    EXPECT_NE(failure("{}").message.find("'connectionId'"), std::string::npos);
}

TEST(NegotiateResponseTest, WrongTypes) {
    for (
        const char* body : {
            R"({"connectionId":5,"availableTransports":[]})",
            R"({"connectionId":"i","availableTransports":{}})",
            R"({"connectionId":"i","availableTransports":["WebSockets"]})",
            R"({"connectionId":"i","availableTransports":[{"transport":1,"transferFormats":[]}]})",
            R"({"connectionId":"i","availableTransports":[{"transport":"W","transferFormats":"Text"}]})",
            R"({"connectionId":"i","availableTransports":[{"transport":"W","transferFormats":[1]}]})",
            R"({"connectionId":"i","negotiateVersion":"1","availableTransports":[]})",
            R"({"connectionId":"i","negotiateVersion":1.5,"availableTransports":[]})",
            R"({"connectionId":"i","negotiateVersion":4294967296,"availableTransports":[]})",
            R"({"connectionId":"i","useStatefulReconnect":"true","availableTransports":[]})",
            R"({"url":5})",
            R"({"error":false})",
        }) {
        const Error error = failure(body);
        EXPECT_NE(error.message.find("must be"), std::string::npos) << error.message;
    }
}

TEST(NegotiateResponseTest, MalformedJsonGivesTheReason) {
    for (const char* body :
         {"", "<html>Not found</html>", "{\"connectionId\":", "{\"a\":\"\xFF\"}"}) {
        const Error error = failure(body);
        EXPECT_EQ(error.message.rfind("Invalid negotiate response: ", 0), 0u) << error.message;
    }
    EXPECT_NE(failure("{\"a\":\"\xFF\"}").message.find("UTF-8"), std::string::npos);
}

TEST(NegotiateResponseTest, NotAnObject) {
    EXPECT_NE(failure("[]").message.find("not a JSON object"), std::string::npos);
    EXPECT_NE(failure("\"text\"").message.find("not a JSON object"), std::string::npos);
}

} // namespace
} // namespace signalr::detail
