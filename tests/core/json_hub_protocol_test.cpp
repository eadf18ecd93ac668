#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "json_hub_protocol.hpp"

// gcc 12's -Wextra flags designated initializers that leave members to their defaults, which is
// exactly how these vectors are meant to read.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
#endif

namespace signalr::detail {
namespace {

using namespace std::string_literals;

constexpr char kRs = '\x1e';

std::string write(const HubMessage& message) {
    const auto protocol = makeJsonHubProtocol();
    std::string out;
    const auto written = protocol->write(message, out);
    EXPECT_TRUE(written.ok()) << written.error().message;
    return out;
}

std::vector<HubMessage> parseAll(std::string_view data) {
    const auto protocol = makeJsonHubProtocol();
    std::vector<HubMessage> out;
    const auto parsed = protocol->parse(data, out);
    EXPECT_TRUE(parsed.ok()) << data << ": " << (parsed.ok() ? "" : parsed.error().message);
    return out;
}

Error parseError(std::string_view data, JsonLimits limits = {}) {
    const auto protocol = makeJsonHubProtocol(limits);
    std::vector<HubMessage> out;
    const auto parsed = protocol->parse(data, out);
    EXPECT_FALSE(parsed.ok()) << data;
    return parsed.ok() ? Error{} : parsed.error();
}

std::string nestedArrays(std::size_t depth) {
    return std::string(depth, '[') + std::string(depth, ']');
}

struct Vector {
    const char* name;
    HubMessage message;
    std::string text;
};

// Keeps gtest from printing the raw bytes (and addresses) of a case into test names and logs.
void PrintTo(const Vector& v, std::ostream* os) {
    *os << v.name;
}

// Each message and its exact wire text, both ways.
std::vector<Vector> vectors() {
    return {
        {"NonBlockingInvocation",
         InvocationMessage{.target = "Send", .arguments = {Value::fromString("hi")}},
         R"({"type":1,"target":"Send","arguments":["hi"]})"s + kRs},
        {"Invocation",
         InvocationMessage{.invocationId = "1",
                           .target = "Add",
                           .arguments = {Value::fromInt(1), Value::fromInt(2)}},
         R"({"type":1,"invocationId":"1","target":"Add","arguments":[1,2]})"s + kRs},
        {"InvocationWithoutArguments", InvocationMessage{.invocationId = "7", .target = "Now"},
         R"({"type":1,"invocationId":"7","target":"Now","arguments":[]})"s + kRs},
        {"InvocationWithStreamIds",
         InvocationMessage{.invocationId = "2", .target = "Upload", .streamIds = {"3", "4"}},
         R"({"type":1,"invocationId":"2","target":"Upload","arguments":[],"streamIds":["3","4"]})"s +
             kRs},
        {"InvocationWithHeaders",
         InvocationMessage{
             .headers = {{"a", "1"}, {"b", "x \"y\""}},
             .target = "T",
             .arguments = {Value(), Value::fromBool(true), Value::fromDouble(1.5),
                           Value::fromString("s"),
                           Value::fromObject({{"k", Value::fromArray({Value::fromInt(-1)})}})}},
         R"({"type":1,"headers":{"a":"1","b":"x \"y\""},"target":"T","arguments":[null,true,1.5,"s",{"k":[-1]}]})"s +
             kRs},
        {"StreamItem",
         StreamItemMessage{.invocationId = "1",
                           .item = Value::fromObject({{"x", Value::fromInt(1)}})},
         R"({"type":2,"invocationId":"1","item":{"x":1}})"s + kRs},
        {"StreamItemNull", StreamItemMessage{.invocationId = "1", .item = Value()},
         R"({"type":2,"invocationId":"1","item":null})"s + kRs},
        {"StreamItemWithHeaders",
         StreamItemMessage{.headers = {{"h", "v"}}, .invocationId = "9", .item = Value::fromInt(5)},
         R"({"type":2,"headers":{"h":"v"},"invocationId":"9","item":5})"s + kRs},
        {"VoidCompletion", CompletionMessage{.invocationId = "1"},
         R"({"type":3,"invocationId":"1"})"s + kRs},
        {"NullResultCompletion", CompletionMessage{.invocationId = "1", .result = Value()},
         R"({"type":3,"invocationId":"1","result":null})"s + kRs},
        {"ResultCompletion", CompletionMessage{.invocationId = "1", .result = Value::fromInt(42)},
         R"({"type":3,"invocationId":"1","result":42})"s + kRs},
        {"ErrorCompletion", CompletionMessage{.invocationId = "1", .error = "boom"},
         R"({"type":3,"invocationId":"1","error":"boom"})"s + kRs},
        {"CompletionWithHeaders",
         CompletionMessage{
             .headers = {{"x", ""}}, .invocationId = "2", .result = Value::fromString("ok")},
         R"({"type":3,"headers":{"x":""},"invocationId":"2","result":"ok"})"s + kRs},
        {"StreamInvocation",
         StreamInvocationMessage{.invocationId = "5",
                                 .target = "Counter",
                                 .arguments = {Value::fromInt(10), Value::fromInt(500)}},
         R"({"type":4,"invocationId":"5","target":"Counter","arguments":[10,500]})"s + kRs},
        {"StreamInvocationWithStreamIdsAndHeaders",
         StreamInvocationMessage{
             .headers = {{"k", "v"}}, .invocationId = "5", .target = "Echo", .streamIds = {"6"}},
         R"({"type":4,"headers":{"k":"v"},"invocationId":"5","target":"Echo","arguments":[],"streamIds":["6"]})"s +
             kRs},
        {"CancelInvocation", CancelInvocationMessage{.invocationId = "5"},
         R"({"type":5,"invocationId":"5"})"s + kRs},
        {"CancelInvocationWithHeaders",
         CancelInvocationMessage{.headers = {{"k", "v"}}, .invocationId = "5"},
         R"({"type":5,"headers":{"k":"v"},"invocationId":"5"})"s + kRs},
        {"Ping", PingMessage{}, R"({"type":6})"s + kRs},
        {"Close", CloseMessage{}, R"({"type":7})"s + kRs},
        {"CloseWithError", CloseMessage{.error = "bye"}, R"({"type":7,"error":"bye"})"s + kRs},
        {"CloseWithErrorAndReconnect", CloseMessage{.error = "bye", .allowReconnect = true},
         R"({"type":7,"error":"bye","allowReconnect":true})"s + kRs},
        {"CloseWithReconnect", CloseMessage{.allowReconnect = true},
         R"({"type":7,"allowReconnect":true})"s + kRs},
        {"Ack", AckMessage{.sequenceId = 1394}, R"({"type":8,"sequenceId":1394})"s + kRs},
        {"AckMax", AckMessage{.sequenceId = INT64_MAX},
         R"({"type":8,"sequenceId":9223372036854775807})"s + kRs},
        {"Sequence", SequenceMessage{.sequenceId = 1}, R"({"type":9,"sequenceId":1})"s + kRs},
        {"UnicodeAndEscapes",
         InvocationMessage{
             .target = "Say",
             .arguments = {Value::fromString("h\xC3\xA9 \"q\"\n\\ \xF0\x9F\x98\x80")}},
         "{\"type\":1,\"target\":\"Say\",\"arguments\":[\"h\xC3\xA9 \\\"q\\\"\\n\\\\ \xF0\x9F\x98\x80\"]}"s +
             kRs},
        {"BigNumbers",
         InvocationMessage{.target = "N",
                           .arguments = {Value::fromInt(9007199254740993),
                                         Value::fromInt(INT64_MIN), Value::fromUInt(UINT64_MAX),
                                         Value::fromDouble(0.1), Value::fromDouble(-0.0),
                                         Value::fromDouble(1e300)}},
         R"({"type":1,"target":"N","arguments":[9007199254740993,-9223372036854775808,18446744073709551615,0.1,-0.0,1e+300]})"s +
             kRs},
    };
}

class JsonHubProtocolVectorTest : public testing::TestWithParam<Vector> {};

TEST_P(JsonHubProtocolVectorTest, WritesExactText) {
    EXPECT_EQ(write(GetParam().message), GetParam().text);
}

TEST_P(JsonHubProtocolVectorTest, ParsesExactText) {
    const auto messages = parseAll(GetParam().text);
    ASSERT_EQ(messages.size(), 1u);
    EXPECT_EQ(messages[0], GetParam().message);
}

INSTANTIATE_TEST_SUITE_P(AllMessageTypes, JsonHubProtocolVectorTest, testing::ValuesIn(vectors()),
                         [](const testing::TestParamInfo<Vector>& info) {
                             return info.param.name;
                         });

TEST(JsonHubProtocolTest, Identity) {
    const auto protocol = makeJsonHubProtocol();
    EXPECT_EQ(protocol->name(), "json");
    EXPECT_EQ(protocol->version(), 1);
    EXPECT_EQ(protocol->transferFormat(), TransferFormat::Text);
    EXPECT_EQ(protocol->skippedMessages(), 0u);
}

TEST(JsonHubProtocolTest, WriteAppends) {
    const auto protocol = makeJsonHubProtocol();
    std::string out = "prefix";
    ASSERT_TRUE(protocol->write(PingMessage{}, out).ok());
    ASSERT_TRUE(protocol->write(AckMessage{.sequenceId = 2}, out).ok());
    EXPECT_EQ(out, "prefix{\"type\":6}\x1e{\"type\":8,\"sequenceId\":2}\x1e");
}

TEST(JsonHubProtocolTest, WriteOmitsFalseAllowReconnectAndEmptyLists) {
    EXPECT_EQ(write(CloseMessage{.allowReconnect = false}), "{\"type\":7}\x1e");
    EXPECT_EQ(write(InvocationMessage{.target = "T", .streamIds = {}}),
              "{\"type\":1,\"target\":\"T\",\"arguments\":[]}\x1e");
}

TEST(JsonHubProtocolTest, WritesBinaryArgumentsAsBase64) {
    EXPECT_EQ(write(InvocationMessage{.target = "B", .arguments = {Value::fromBytes({1, 2, 3})}}),
              "{\"type\":1,\"target\":\"B\",\"arguments\":[\"AQID\"]}\x1e");
}

TEST(JsonHubProtocolTest, WriteFailsOnNonFiniteNumbersAndLeavesOutputUnchanged) {
    const auto protocol = makeJsonHubProtocol();
    for (const double d : {std::nan(""), HUGE_VAL, -HUGE_VAL}) {
        std::string out = "keep";
        const auto written = protocol->write(
            InvocationMessage{
                .target = "T",
                .arguments = {Value::fromInt(1), Value::fromArray({Value::fromDouble(d)})}},
            out);
        ASSERT_FALSE(written.ok());
        EXPECT_EQ(written.error().code, ErrorCode::InvalidArgument);
        EXPECT_EQ(out, "keep");
    }
    std::string out;
    EXPECT_FALSE(
        protocol
            ->write(CompletionMessage{.invocationId = "1", .result = Value::fromDouble(NAN)}, out)
            .ok());
    EXPECT_FALSE(
        protocol
            ->write(StreamItemMessage{.invocationId = "1", .item = Value::fromDouble(INFINITY)},
                    out)
            .ok());
    EXPECT_EQ(out, "");
}

TEST(JsonHubProtocolTest, WriteFailsOnInvalidUtf8) {
    const auto protocol = makeJsonHubProtocol();
    std::string out;
    const auto written = protocol->write(
        InvocationMessage{.target = "T", .arguments = {Value::fromString("\xFF")}}, out);
    ASSERT_FALSE(written.ok());
    EXPECT_EQ(written.error().code, ErrorCode::InvalidArgument);
    EXPECT_FALSE(protocol->write(InvocationMessage{.target = "\xC3"}, out).ok());
    EXPECT_FALSE(
        protocol
            ->write(CancelInvocationMessage{.headers = {{"k", "\xFE"}}, .invocationId = "1"}, out)
            .ok());
    EXPECT_EQ(out, "");
}

TEST(JsonHubProtocolTest, WriteRefusesCompletionWithResultAndError) {
    const auto protocol = makeJsonHubProtocol();
    std::string out;
    const auto written = protocol->write(
        CompletionMessage{.invocationId = "1", .error = "e", .result = Value::fromInt(1)}, out);
    ASSERT_FALSE(written.ok());
    EXPECT_EQ(written.error().code, ErrorCode::InvalidArgument);
    EXPECT_EQ(out, "");
}

TEST(JsonHubProtocolTest, ParsesPropertiesInAnyOrderAndIgnoresUnknownOnes) {
    const auto messages = parseAll("{\"arguments\":[1],\"extra\":{\"deep\":[1,2]},\"target\":\"T\","
                                   "\"invocationId\":\"3\",\"type\":1}\x1e"
                                   " { \"type\" : 6 , \"foo\" : null } \x1e");
    ASSERT_EQ(messages.size(), 2u);
    EXPECT_EQ(messages[0],
              HubMessage(InvocationMessage{
                  .invocationId = "3", .target = "T", .arguments = {Value::fromInt(1)}}));
    EXPECT_EQ(messages[1], HubMessage(PingMessage{}));
}

TEST(JsonHubProtocolTest, NullOptionalStringsCountAsAbsent) {
    const auto messages =
        parseAll("{\"type\":1,\"invocationId\":null,\"target\":\"T\",\"arguments\":[],"
                 "\"streamIds\":null,\"headers\":null}\x1e"
                 "{\"type\":7,\"error\":null,\"allowReconnect\":null}\x1e"
                 "{\"type\":3,\"invocationId\":\"1\",\"error\":null,\"result\":2}\x1e");
    ASSERT_EQ(messages.size(), 3u);
    EXPECT_EQ(messages[0], HubMessage(InvocationMessage{.target = "T"}));
    EXPECT_EQ(messages[1], HubMessage(CloseMessage{}));
    EXPECT_EQ(messages[2],
              HubMessage(CompletionMessage{.invocationId = "1", .result = Value::fromInt(2)}));
}

TEST(JsonHubProtocolTest, ParsesExplicitFalseAllowReconnectAndEmptyHeaders) {
    const auto messages = parseAll("{\"type\":7,\"allowReconnect\":false}\x1e"
                                   "{\"type\":5,\"invocationId\":\"1\",\"headers\":{}}\x1e");
    ASSERT_EQ(messages.size(), 2u);
    EXPECT_EQ(messages[0], HubMessage(CloseMessage{}));
    EXPECT_EQ(messages[1], HubMessage(CancelInvocationMessage{.invocationId = "1"}));
}

TEST(JsonHubProtocolTest, LastDuplicatePropertyWins) {
    const auto messages =
        parseAll("{\"type\":5,\"invocationId\":\"1\",\"invocationId\":\"2\"}\x1e");
    ASSERT_EQ(messages.size(), 1u);
    EXPECT_EQ(messages[0], HubMessage(CancelInvocationMessage{.invocationId = "2"}));
}

TEST(JsonHubProtocolTest, IgnoresPropertiesTheTypeDoesNotUse) {
    const auto messages =
        parseAll("{\"type\":6,\"invocationId\":5,\"headers\":7,\"target\":[]}\x1e");
    ASSERT_EQ(messages.size(), 1u);
    EXPECT_EQ(messages[0], HubMessage(PingMessage{}));
}

std::string threeMessages() {
    return write(InvocationMessage{.invocationId = "1",
                                   .target = "Echo",
                                   .arguments = {Value::fromString("h\xC3\xA9llo \xF0\x9F\x98\x80"),
                                                 Value::fromInt(9007199254740993)}}) +
           write(
               CompletionMessage{.headers = {{"k", "v"}}, .invocationId = "1", .result = Value()}) +
           write(PingMessage{}) + write(CloseMessage{.error = "bye", .allowReconnect = true});
}

TEST(JsonHubProtocolTest, SeveralMessagesInOneFrame) {
    const auto messages = parseAll(threeMessages());
    ASSERT_EQ(messages.size(), 4u);
    EXPECT_TRUE(std::holds_alternative<InvocationMessage>(messages[0]));
    EXPECT_TRUE(std::holds_alternative<CompletionMessage>(messages[1]));
    EXPECT_TRUE(std::holds_alternative<PingMessage>(messages[2]));
    EXPECT_TRUE(std::holds_alternative<CloseMessage>(messages[3]));
}

TEST(JsonHubProtocolTest, EverySingleCutGivesTheSameMessages) {
    const auto data = threeMessages();
    const auto expected = parseAll(data);
    for (std::size_t cut = 0; cut <= data.size(); ++cut) {
        const auto protocol = makeJsonHubProtocol();
        std::vector<HubMessage> out;
        ASSERT_TRUE(protocol->parse(std::string_view(data).substr(0, cut), out).ok()) << cut;
        ASSERT_TRUE(protocol->parse(std::string_view(data).substr(cut), out).ok()) << cut;
        EXPECT_EQ(out, expected) << "cut at " << cut;
    }
}

TEST(JsonHubProtocolTest, EveryDoubleCutGivesTheSameMessages) {
    const auto data = threeMessages();
    const std::string_view view = data;
    const auto expected = parseAll(data);
    for (std::size_t first = 0; first <= data.size(); ++first) {
        for (std::size_t second = first; second <= data.size(); ++second) {
            const auto protocol = makeJsonHubProtocol();
            std::vector<HubMessage> out;
            ASSERT_TRUE(protocol->parse(view.substr(0, first), out).ok());
            ASSERT_TRUE(protocol->parse(view.substr(first, second - first), out).ok());
            ASSERT_TRUE(protocol->parse(view.substr(second), out).ok());
            ASSERT_EQ(out, expected) << "cuts at " << first << " and " << second;
        }
    }
}

TEST(JsonHubProtocolTest, ByteByByteWithEmptyFramesGivesTheSameMessages) {
    const auto data = threeMessages();
    const auto expected = parseAll(data);
    const auto protocol = makeJsonHubProtocol();
    std::vector<HubMessage> out;
    for (const char c : data) {
        ASSERT_TRUE(protocol->parse(std::string_view(&c, 1), out).ok());
        ASSERT_TRUE(protocol->parse({}, out).ok());
    }
    EXPECT_EQ(out, expected);
}

TEST(JsonHubProtocolTest, EmptyFrameProducesNothing) {
    EXPECT_TRUE(parseAll("").empty());
}

TEST(JsonHubProtocolTest, IncompleteMessageWaitsForItsSeparator) {
    const auto protocol = makeJsonHubProtocol();
    std::vector<HubMessage> out;
    ASSERT_TRUE(protocol->parse("{\"type\":6}", out).ok());
    EXPECT_TRUE(out.empty());
    ASSERT_TRUE(protocol->parse("\x1e", out).ok());
    EXPECT_EQ(out.size(), 1u);
}

TEST(JsonHubProtocolTest, ResetDropsThePartialMessage) {
    const auto protocol = makeJsonHubProtocol();
    std::vector<HubMessage> out;
    ASSERT_TRUE(protocol->parse("{\"type\":1,\"tar", out).ok());
    protocol->reset();
    ASSERT_TRUE(protocol->parse("{\"type\":6}\x1e", out).ok());
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(out[0], HubMessage(PingMessage{}));
}

TEST(JsonHubProtocolTest, UnknownTypesAreSkippedAndCounted) {
    const auto protocol = makeJsonHubProtocol();
    std::vector<HubMessage> out;
    const auto parsed =
        protocol->parse("{\"type\":10}\x1e"
                        "{\"type\":6}\x1e"
                        "{\"type\":0,\"foo\":1}\x1e"
                        "{\"type\":-1}\x1e"
                        "{\"type\":42,\"target\":5,\"arguments\":{}}\x1e"
                        // 2^32 + 1 must not wrap around to an Invocation.
                        "{\"type\":4294967297,\"target\":\"T\",\"arguments\":[]}\x1e"
                        "{\"type\":9223372036854775807}\x1e"
                        "{\"type\":18446744073709551615}\x1e"
                        "{\"type\":5,\"invocationId\":\"1\"}\x1e",
                        out);
    ASSERT_TRUE(parsed.ok()) << parsed.error().message;
    ASSERT_EQ(out.size(), 2u);
    EXPECT_EQ(out[0], HubMessage(PingMessage{}));
    EXPECT_EQ(out[1], HubMessage(CancelInvocationMessage{.invocationId = "1"}));
    EXPECT_EQ(protocol->skippedMessages(), 7u);
}

struct Malformed {
    const char* name;
    std::string text;
    const char* hint;
};

void PrintTo(const Malformed& m, std::ostream* os) {
    *os << m.name;
}

std::vector<Malformed> malformed() {
    return {
        {"TruncatedJson", "{\"type\":1,", "Invalid JSON hub message"},
        {"NotJson", "hello", "Invalid JSON hub message"},
        {"EmptyMessage", "", "empty"},
        {"WhitespaceMessage", "  ", "empty"},
        {"EmptyObject", "{}", "'type'"},
        {"Array", "[]", "JSON object"},
        {"Number", "6", "JSON object"},
        {"Null", "null", "JSON object"},
        {"TypeAsString", "{\"type\":\"1\"}", "'type' must be an integer"},
        {"TypeAsDouble", "{\"type\":1.0}", "'type' must be an integer"},
        {"TypeAsNull", "{\"type\":null}", "'type' must be an integer"},
        {"InvocationWithoutTarget", "{\"type\":1,\"arguments\":[]}", "'target'"},
        {"InvocationWithNumericTarget", "{\"type\":1,\"target\":5,\"arguments\":[]}",
         "'target' must be a string"},
        {"InvocationWithoutArguments", "{\"type\":1,\"target\":\"T\"}", "'arguments'"},
        {"ArgumentsNotArray", "{\"type\":1,\"target\":\"T\",\"arguments\":{}}",
         "'arguments' must be an array"},
        {"ArgumentsNull", "{\"type\":1,\"target\":\"T\",\"arguments\":null}",
         "'arguments' must be an array"},
        {"InvocationIdAsNumber",
         "{\"type\":1,\"invocationId\":1,\"target\":\"T\",\"arguments\":[]}",
         "'invocationId' must be a string"},
        {"StreamIdsNotStrings", "{\"type\":1,\"target\":\"T\",\"arguments\":[],\"streamIds\":[1]}",
         "'streamIds'"},
        {"StreamIdsNotArray",
         "{\"type\":4,\"invocationId\":\"1\",\"target\":\"T\",\"arguments\":[],"
         "\"streamIds\":\"1\"}",
         "'streamIds'"},
        {"HeaderWithNumber", "{\"type\":1,\"target\":\"T\",\"arguments\":[],\"headers\":{\"a\":1}}",
         "header 'a'"},
        {"HeaderWithNull", "{\"type\":5,\"invocationId\":\"1\",\"headers\":{\"a\":null}}",
         "header 'a'"},
        {"HeadersNotObject", "{\"type\":5,\"invocationId\":\"1\",\"headers\":[]}",
         "'headers' must be an object"},
        {"StreamItemWithoutId", "{\"type\":2,\"item\":1}", "'invocationId'"},
        {"StreamItemIdAsNumber", "{\"type\":2,\"invocationId\":1,\"item\":1}",
         "'invocationId' must be a string"},
        {"StreamItemWithoutItem", "{\"type\":2,\"invocationId\":\"1\"}", "'item'"},
        {"CompletionWithoutId", "{\"type\":3}", "'invocationId'"},
        {"CompletionWithNullId", "{\"type\":3,\"invocationId\":null}", "'invocationId'"},
        {"CompletionWithResultAndError",
         "{\"type\":3,\"invocationId\":\"1\",\"result\":1,\"error\":\"x\"}", "both"},
        {"CompletionWithNumericError", "{\"type\":3,\"invocationId\":\"1\",\"error\":5}",
         "'error' must be a string"},
        {"StreamInvocationWithoutId", "{\"type\":4,\"target\":\"T\",\"arguments\":[]}",
         "'invocationId'"},
        {"StreamInvocationWithoutTarget", "{\"type\":4,\"invocationId\":\"1\",\"arguments\":[]}",
         "'target'"},
        {"CancelWithoutId", "{\"type\":5}", "'invocationId'"},
        {"CloseWithNumericError", "{\"type\":7,\"error\":1}", "'error' must be a string"},
        {"CloseWithStringAllowReconnect", "{\"type\":7,\"allowReconnect\":\"yes\"}",
         "'allowReconnect'"},
        {"AckWithoutSequenceId", "{\"type\":8}", "'sequenceId'"},
        {"AckWithStringSequenceId", "{\"type\":8,\"sequenceId\":\"1\"}", "'sequenceId'"},
        {"SequenceWithFraction", "{\"type\":9,\"sequenceId\":1.5}", "'sequenceId'"},
        {"SequenceBeyondInt64", "{\"type\":9,\"sequenceId\":18446744073709551615}", "'sequenceId'"},
        {"HugeInteger", "{\"type\":1,\"target\":\"T\",\"arguments\":[99999999999999999999]}",
         "number"},
        {"HugeDouble", "{\"type\":1,\"target\":\"T\",\"arguments\":[1e400]}", "number"},
        {"InvalidUtf8InString", "{\"type\":1,\"target\":\"\xFF\",\"arguments\":[]}", "UTF-8"},
        {"InvalidUtf8InKey", "{\"type\":6,\"\xC0\xAF\":1}", "UTF-8"},
        {"TruncatedUtf8", "{\"type\":1,\"target\":\"T\",\"arguments\":[\"\xE2\x82\"]}", "UTF-8"},
        {"ControlCharacterInString", "{\"type\":1,\"target\":\"a\nb\",\"arguments\":[]}",
         "control character"},
        {"TooDeep", "{\"type\":1,\"target\":\"T\",\"arguments\":" + nestedArrays(64) + "}",
         "deeper than 64"},
        {"HugeUnbalanced", std::string(5 * 1024 * 1024, '['), "Invalid JSON hub message"},
        {"TrailingGarbage", "{\"type\":6} x", "Invalid JSON hub message"},
    };
}

class JsonHubProtocolMalformedTest : public testing::TestWithParam<Malformed> {};

TEST_P(JsonHubProtocolMalformedTest, IsAProtocolErrorNamingTheProblem) {
    const Error error = parseError(GetParam().text + kRs);
    EXPECT_EQ(error.code, ErrorCode::ProtocolError);
    EXPECT_NE(error.message.find(GetParam().hint), std::string::npos) << error.message;
    EXPECT_EQ(error.message.rfind("Invalid JSON hub message: ", 0), 0u) << error.message;
}

INSTANTIATE_TEST_SUITE_P(Cases, JsonHubProtocolMalformedTest, testing::ValuesIn(malformed()),
                         [](const testing::TestParamInfo<Malformed>& info) {
                             return info.param.name;
                         });

TEST(JsonHubProtocolTest, NestingOf64LevelsIncludingTheMessageIsAccepted) {
    // The message object is one of the 64 levels; the arguments array is the next.
    const auto text = "{\"type\":1,\"target\":\"T\",\"arguments\":" + nestedArrays(63) + "}" + kRs;
    const auto messages = parseAll(text);
    ASSERT_EQ(messages.size(), 1u);
}

TEST(JsonHubProtocolTest, DepthLimitCoversItemsAndResults) {
    // simdjson does not count an innermost empty array as a level; the limit still holds.
    const auto item = [](std::size_t depth) {
        return "{\"type\":2,\"invocationId\":\"1\",\"item\":" + nestedArrays(depth) + "}" + kRs;
    };
    const auto result = [](std::size_t depth) {
        return "{\"type\":3,\"invocationId\":\"1\",\"result\":" + nestedArrays(depth) + "}" + kRs;
    };
    EXPECT_EQ(parseAll(item(63)).size(), 1u);
    EXPECT_EQ(parseAll(result(63)).size(), 1u);
    EXPECT_NE(parseError(item(64)).message.find("deeper than 64"), std::string::npos);
    EXPECT_NE(parseError(result(64)).message.find("deeper than 64"), std::string::npos);
    EXPECT_NE(parseError(item(65)).message.find("deeper than 64"), std::string::npos);
}

TEST(JsonHubProtocolTest, CustomDepthLimit) {
    const JsonLimits limits{.maxDepth = 3};
    const auto protocol = makeJsonHubProtocol(limits);
    std::vector<HubMessage> out;
    ASSERT_TRUE(protocol->parse("{\"type\":1,\"target\":\"T\",\"arguments\":[[]]}\x1e", out).ok());
    EXPECT_FALSE(
        protocol->parse("{\"type\":1,\"target\":\"T\",\"arguments\":[[[]]]}\x1e", out).ok());
}

TEST(JsonHubProtocolTest, ErrorsAreStickyUntilReset) {
    const auto protocol = makeJsonHubProtocol();
    std::vector<HubMessage> out;
    const auto first = protocol->parse("{\"type\":\"x\"}\x1e", out);
    ASSERT_FALSE(first.ok());
    const auto second = protocol->parse("{\"type\":6}\x1e", out);
    ASSERT_FALSE(second.ok());
    EXPECT_EQ(second.error(), first.error());
    EXPECT_TRUE(out.empty());
    protocol->reset();
    ASSERT_TRUE(protocol->parse("{\"type\":6}\x1e", out).ok());
    EXPECT_EQ(out.size(), 1u);
}

TEST(JsonHubProtocolTest, MessagesBeforeAnErrorAreStillDelivered) {
    const auto protocol = makeJsonHubProtocol();
    std::vector<HubMessage> out;
    EXPECT_FALSE(protocol->parse("{\"type\":6}\x1e{\"type\":1}\x1e{\"type\":6}\x1e", out).ok());
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(out[0], HubMessage(PingMessage{}));
}

TEST(JsonHubProtocolTest, MessageSizeLimitAppliesWhateverTheFraming) {
    const JsonLimits limits{.maxMessageSize = 100};
    // Exactly 100 bytes before the separator.
    const std::string fits = "{\"type\":6,\"pad\":\"" + std::string(100 - 19, 'x') + "\"}";
    ASSERT_EQ(fits.size(), 100u);
    const std::string tooBig = "{\"type\":6,\"pad\":\"" + std::string(101 - 19, 'x') + "\"}";

    {
        const auto protocol = makeJsonHubProtocol(limits);
        std::vector<HubMessage> out;
        ASSERT_TRUE(protocol->parse(fits + kRs, out).ok());
        ASSERT_TRUE(protocol->parse(fits.substr(0, 50), out).ok());
        ASSERT_TRUE(protocol->parse(fits.substr(50), out).ok());
        ASSERT_TRUE(protocol->parse(std::string(1, kRs), out).ok());
        EXPECT_EQ(out.size(), 2u);
    }
    // Whole, split before the separator, or still waiting for it: always an error.
    EXPECT_NE(parseError(tooBig + kRs, limits).message.find("larger than the limit of 100 bytes"),
              std::string::npos);
    EXPECT_EQ(parseError(tooBig, limits).code, ErrorCode::ProtocolError);
    {
        const auto protocol = makeJsonHubProtocol(limits);
        std::vector<HubMessage> out;
        ASSERT_TRUE(protocol->parse(tooBig.substr(0, 60), out).ok());
        EXPECT_FALSE(protocol->parse(tooBig.substr(60) + kRs, out).ok());
    }
    {
        const auto protocol = makeJsonHubProtocol(limits);
        std::vector<HubMessage> out;
        ASSERT_TRUE(protocol->parse(tooBig.substr(0, 60), out).ok());
        EXPECT_FALSE(protocol->parse(tooBig.substr(60), out).ok());
    }
}

TEST(JsonHubProtocolTest, LargeMessageThenSmallOnes) {
    // Exercises the reader's buffer growth and shrinking.
    std::string big = "{\"type\":1,\"target\":\"T\",\"arguments\":[\"" +
                      std::string(3 * 1024 * 1024, 'a') + "\"]}" + kRs;
    const auto protocol = makeJsonHubProtocol();
    std::vector<HubMessage> out;
    ASSERT_TRUE(protocol->parse(big, out).ok());
    ASSERT_TRUE(protocol->parse("{\"type\":6}\x1e", out).ok());
    ASSERT_TRUE(protocol->parse(big, out).ok());
    ASSERT_EQ(out.size(), 3u);
    EXPECT_EQ(std::get<InvocationMessage>(out[2]).arguments[0].getString()->size(),
              3u * 1024 * 1024);
}

TEST(JsonHubProtocolTest, ParserIsReusedAcrossManyMessages) {
    const auto protocol = makeJsonHubProtocol();
    std::vector<HubMessage> out;
    for (int i = 0; i < 1000; ++i) {
        const auto text =
            write(StreamItemMessage{.invocationId = std::to_string(i), .item = Value::fromInt(i)});
        ASSERT_TRUE(protocol->parse(text, out).ok());
    }
    ASSERT_EQ(out.size(), 1000u);
    EXPECT_EQ(std::get<StreamItemMessage>(out[999]).item, Value::fromInt(999));
}

TEST(JsonHubProtocolTest, RandomMutationsNeverCrash) {
    // A cheap, deterministic stand-in for the fuzzer: flip, insert and drop bytes of valid
    // messages and feed them in random splits. Any result is fine as long as it is a value.
    const auto seed = threeMessages();
    std::mt19937 random(12345);
    for (int round = 0; round < 3000; ++round) {
        std::string data = seed;
        const int edits = 1 + static_cast<int>(random() % 4);
        for (int e = 0; e < edits; ++e) {
            const auto at = random() % (data.size() + 1);
            switch (random() % 3) {
            case 0:
                if (at < data.size()) {
                    data[at] = static_cast<char>(random() % 256);
                }
                break;
            case 1: data.insert(at, 1, static_cast<char>(random() % 256)); break;
            default:
                if (at < data.size()) {
                    data.erase(at, 1);
                }
                break;
            }
        }
        const auto protocol = makeJsonHubProtocol();
        std::vector<HubMessage> out;
        const auto cut = random() % (data.size() + 1);
        const auto first = protocol->parse(std::string_view(data).substr(0, cut), out);
        const auto second = protocol->parse(std::string_view(data).substr(cut), out);
        if (!first.ok() || !second.ok()) {
            EXPECT_EQ((first.ok() ? second : first).error().code, ErrorCode::ProtocolError);
        }
        for (const auto& message : out) {
            std::string text;
            (void)protocol->write(message, text);
        }
    }
}

TEST(JsonHubProtocolTest, ParsedMessagesWriteBackIdentically) {
    for (const auto& vector : vectors()) {
        const auto messages = parseAll(vector.text);
        ASSERT_EQ(messages.size(), 1u);
        EXPECT_EQ(write(messages[0]), vector.text) << vector.name;
    }
}

} // namespace
} // namespace signalr::detail
