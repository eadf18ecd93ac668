// Hub method calls against the real ASP.NET Core hub: every JSON shape through Echo, typed
// results, user-defined types, void methods, server errors and out-of-order completions.

#include <cstdint>
#include <limits>
#include <numeric>
#include <optional>
#include <string>
#include <vector>

#include "integration_fixture.hpp"
#include "person.hpp"

namespace signalr::integration {
namespace {

class InvokeTest : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        if (sharedHub() == nullptr) {
            return;
        }
        auto connected = connect(hubUrl());
        ASSERT_TRUE(connected.ok()) << describe(connected);
        connection_ = new HubConnection(std::move(connected).value());
    }

    static void TearDownTestSuite() {
        delete connection_;
        connection_ = nullptr;
    }

    void SetUp() override {
        ASSERT_NE(connection_, nullptr) << "no connection to the hub";
        ASSERT_EQ(connection_->state(), ConnectionState::Connected);
    }

    HubConnection& connection() { return *connection_; }

    /// Echo(JsonElement): sends `value` and returns what came back.
    Value echo(const Value& value) {
        auto result = invoke(connection(), "Echo", {value});
        EXPECT_TRUE(result.ok()) << describe(result);
        return result.ok() ? std::move(result).value() : Value();
    }

    static HubConnection* connection_;
};

HubConnection* InvokeTest::connection_ = nullptr;

TEST_F(InvokeTest, EchoesAUnicodeString) {
    const std::string text = "héllo wörld ✓ 日本";
    auto typed = invoke<std::string>(connection(), "Echo", {text});
    ASSERT_TRUE(typed.ok()) << describe(typed);
    EXPECT_EQ(typed.value(), text);

    const Value raw = echo(text);
    ASSERT_TRUE(raw.isString());
    EXPECT_EQ(*raw.getString(), text);
}

TEST_F(InvokeTest, EchoesEscapedAndControlCharacters) {
    const std::string text = "quote \" backslash \\ tab \t newline \n nul-free \x01 end";
    EXPECT_EQ(echo(text), Value(text));
    EXPECT_EQ(echo(std::string()), Value(std::string()));
}

TEST_F(InvokeTest, EchoesAnInt64BeyondDoublePrecisionExactly) {
    const std::int64_t big = 9007199254740993; // 2^53 + 1: not representable as a double
    auto typed = invoke<std::int64_t>(connection(), "Echo", {big});
    ASSERT_TRUE(typed.ok()) << describe(typed);
    EXPECT_EQ(typed.value(), big);

    const Value raw = echo(big);
    EXPECT_EQ(raw.type(), Value::Type::Int);
    EXPECT_EQ(raw.getInt(), big);

    auto viaLong = invoke<std::int64_t>(connection(), "EchoLong", {big});
    ASSERT_TRUE(viaLong.ok()) << describe(viaLong);
    EXPECT_EQ(viaLong.value(), big);
}

TEST_F(InvokeTest, EchoesNegativeAndExtremeIntegers) {
    const std::int64_t values[] = {-1,
                                   -42,
                                   -9007199254740993,
                                   std::numeric_limits<std::int64_t>::min(),
                                   std::numeric_limits<std::int64_t>::max(),
                                   0};
    for (const std::int64_t v : values) {
        EXPECT_EQ(echo(v).getInt(), v) << v;
        auto viaLong = invoke<std::int64_t>(connection(), "EchoLong", {v});
        ASSERT_TRUE(viaLong.ok()) << v << ": " << describe(viaLong);
        EXPECT_EQ(viaLong.value(), v);
    }
}

TEST_F(InvokeTest, EchoesDoubles) {
    for (const double d : {0.1, 1e300, -2.5, 5e-324, -0.000123}) {
        const Value raw = echo(d);
        ASSERT_TRUE(raw.getDouble().has_value()) << d;
        EXPECT_EQ(*raw.getDouble(), d);

        auto viaDouble = invoke<double>(connection(), "EchoDouble", {d});
        ASSERT_TRUE(viaDouble.ok()) << d << ": " << describe(viaDouble);
        EXPECT_EQ(viaDouble.value(), d);
    }
}

TEST_F(InvokeTest, EchoesBooleansAndNull) {
    EXPECT_EQ(echo(true), Value(true));
    EXPECT_EQ(echo(false), Value(false));
    EXPECT_TRUE(echo(Value()).isNull());
    EXPECT_TRUE(echo(nullptr).isNull());

    for (const bool b : {true, false}) {
        auto typed = invoke<bool>(connection(), "EchoBool", {b});
        ASSERT_TRUE(typed.ok()) << describe(typed);
        EXPECT_EQ(typed.value(), b);
    }
}

TEST_F(InvokeTest, EchoesArraysAndNestedObjects) {
    const Value array =
        Value::fromArray({1, "two", 3.5, true, nullptr, Value::Array{}, Value::Object{},
                          Value::fromArray({Value::fromArray({-1})})});
    EXPECT_EQ(echo(array), array);

    const Value nested = Value::fromObject({
        {"name", "outer"},
        {"inner",
         Value::fromObject({{"list", Value::fromArray({1, 2, Value::fromObject({{"c", "d"}})})},
                            {"flag", false},
                            {"nothing", nullptr}})},
        {"big", std::int64_t{9007199254740993}},
        {"unicode", "日本"},
    });
    const Value back = echo(nested);
    EXPECT_EQ(back, nested);
    ASSERT_NE(back.find("inner"), nullptr);
    EXPECT_TRUE(back.find("inner")->find("nothing")->isNull());
}

TEST_F(InvokeTest, TypedEchoesConvertResults) {
    auto s = invoke<std::string>(connection(), "EchoString", {"plain"});
    ASSERT_TRUE(s.ok()) << describe(s);
    EXPECT_EQ(s.value(), "plain");

    const std::vector<int> ints{0, 1, -2, std::numeric_limits<int>::max(),
                                std::numeric_limits<int>::min()};
    auto array = invoke<std::vector<int>>(connection(), "EchoIntArray", {ints});
    ASSERT_TRUE(array.ok()) << describe(array);
    EXPECT_EQ(array.value(), ints);

    auto empty = invoke<std::vector<int>>(connection(), "EchoIntArray", {std::vector<int>{}});
    ASSERT_TRUE(empty.ok()) << describe(empty);
    EXPECT_TRUE(empty.value().empty());
}

TEST_F(InvokeTest, EchoesEveryByteValueAsBase64) {
    Bytes all(256);
    std::iota(all.begin(), all.end(), std::uint8_t{0});
    auto typed = invoke<Bytes>(connection(), "EchoBytes", {all});
    ASSERT_TRUE(typed.ok()) << describe(typed);
    EXPECT_EQ(typed.value(), all);

    // On the JSON wire a byte[] is a Base64 string.
    auto raw = invoke(connection(), "EchoBytes", {Bytes{0xff, 0x00, 0x7f}});
    ASSERT_TRUE(raw.ok()) << describe(raw);
    ASSERT_TRUE(raw.value().isString());
    EXPECT_EQ(*raw.value().getString(), "/wB/");

    auto empty = invoke<Bytes>(connection(), "EchoBytes", {Bytes{}});
    ASSERT_TRUE(empty.ok()) << describe(empty);
    EXPECT_TRUE(empty.value().empty());
}

TEST_F(InvokeTest, EchoesAUserDefinedStruct) {
    const Person ada{"Ada Lovelace", 36, {"math", "engines"}, Address{"London", "W1"}};
    auto back = invoke<Person>(connection(), "EchoPerson", {ada});
    ASSERT_TRUE(back.ok()) << describe(back);
    EXPECT_EQ(back.value(), ada);

    const Person nobody{"Nobody", 0, {}, std::nullopt};
    auto noAddress = invoke<Person>(connection(), "EchoPerson", {nobody});
    ASSERT_TRUE(noAddress.ok()) << describe(noAddress);
    EXPECT_EQ(noAddress.value(), nobody);

    // The wire form, as the hub serializes it.
    auto raw = invoke(connection(), "EchoPerson", {nobody});
    ASSERT_TRUE(raw.ok()) << describe(raw);
    ASSERT_NE(raw.value().find("address"), nullptr);
    EXPECT_TRUE(raw.value().find("address")->isNull());
    EXPECT_EQ(toJson(raw.value()), R"({"name":"Nobody","age":0,"tags":[],"address":null})");
}

TEST_F(InvokeTest, EchoesLargeMessages) {
    // Far beyond one WebSocket frame or socket buffer, below the hub's 1 MiB message limit.
    for (const std::size_t size : {std::size_t{70'000}, std::size_t{900'000}}) {
        std::string big(size, 'x');
        for (std::size_t i = 0; i < big.size(); i += 997) {
            big[i] = static_cast<char>('a' + (i / 997) % 26);
        }
        auto back = invoke<std::string>(connection(), "EchoString", {big});
        ASSERT_TRUE(back.ok()) << size << ": " << describe(back);
        EXPECT_EQ(back.value().size(), big.size());
        EXPECT_TRUE(back.value() == big) << "the " << size << "-byte echo differs";
    }
    Bytes bytes(300'000);
    for (std::size_t i = 0; i < bytes.size(); ++i) {
        bytes[i] = static_cast<std::uint8_t>(i * 31 + 7);
    }
    auto back = invoke<Bytes>(connection(), "EchoBytes", {bytes});
    ASSERT_TRUE(back.ok()) << describe(back);
    EXPECT_TRUE(back.value() == bytes);
}

TEST_F(InvokeTest, ReturnNullGivesNull) {
    auto raw = invoke(connection(), "ReturnNull");
    ASSERT_TRUE(raw.ok()) << describe(raw);
    EXPECT_TRUE(raw.value().isNull());

    auto optional = invoke<std::optional<std::string>>(connection(), "ReturnNull");
    ASSERT_TRUE(optional.ok()) << describe(optional);
    EXPECT_FALSE(optional.value().has_value());
}

TEST_F(InvokeTest, AResultOfTheWrongTypeIsATypeMismatch) {
    auto result = invoke<std::int64_t>(connection(), "EchoString", {"not a number"});
    ASSERT_FALSE(result.ok());
    EXPECT_EQ(result.error().code, ErrorCode::TypeMismatch) << describe(result);
}

TEST_F(InvokeTest, VoidMethods) {
    auto typed = invoke<void>(connection(), "Void");
    EXPECT_TRUE(typed.ok()) << describe(typed);

    auto raw = invoke(connection(), "Void");
    ASSERT_TRUE(raw.ok()) << describe(raw);
    EXPECT_TRUE(raw.value().isNull());

    // invoke<void> ignores a result that is there.
    auto ignored = invoke<void>(connection(), "Add", {1, 2});
    EXPECT_TRUE(ignored.ok()) << describe(ignored);
}

TEST_F(InvokeTest, Add) {
    auto sum = signalr::wait<std::int64_t>(
        [&](auto done) {
            connection().invoke<std::int64_t>("Add", {1, 2}, done);
        },
        kTimeout);
    ASSERT_TRUE(sum.ok()) << describe(sum);
    EXPECT_EQ(sum.value(), 3);

    auto negative = invoke<int>(connection(), "Add", {-7, 3});
    ASSERT_TRUE(negative.ok()) << describe(negative);
    EXPECT_EQ(negative.value(), -4);
}

TEST_F(InvokeTest, ConcatTakesArgumentsOfDifferentTypes) {
    auto text = invoke<std::string>(connection(), "Concat",
                                    {"héllo", std::int64_t{9007199254740993}, true, 2.5});
    ASSERT_TRUE(text.ok()) << describe(text);
    EXPECT_EQ(text.value(), "héllo|9007199254740993|True|2.5");

    auto other = invoke<std::string>(connection(), "Concat", {"", -1, false, -0.125});
    ASSERT_TRUE(other.ok()) << describe(other);
    EXPECT_EQ(other.value(), "|-1|False|-0.125");
}

TEST_F(InvokeTest, AHubExceptionReachesTheCallerWithTheServersText) {
    auto result = invoke(connection(), "Throw", {"boom"});
    ASSERT_FALSE(result.ok());
    EXPECT_EQ(result.error().code, ErrorCode::HubError) << describe(result);
    EXPECT_EQ(result.error().serverMessage,
              "An unexpected error occurred invoking 'Throw' on the server. HubException: boom");
    EXPECT_NE(result.error().message.find("boom"), std::string::npos) << result.error().message;
    // One failed call does not hurt the connection.
    EXPECT_EQ(invoke<int>(connection(), "Add", {2, 2}).valueOr(0), 4);
}

TEST_F(InvokeTest, AnUnexpectedExceptionShowsOnlyTheGenericText) {
    auto result = invoke(connection(), "ThrowUnexpected");
    ASSERT_FALSE(result.ok());
    EXPECT_EQ(result.error().code, ErrorCode::HubError) << describe(result);
    EXPECT_EQ(result.error().serverMessage,
              "An unexpected error occurred invoking 'ThrowUnexpected' on the server.");
    EXPECT_EQ(result.error().serverMessage.find("secret detail"), std::string::npos);
    EXPECT_EQ(result.error().message.find("secret detail"), std::string::npos);
}

TEST_F(InvokeTest, UnknownMethodsAndBadArgumentsAreHubErrors) {
    auto unknown = invoke(connection(), "NoSuchMethod", {1});
    ASSERT_FALSE(unknown.ok());
    EXPECT_EQ(unknown.error().code, ErrorCode::HubError) << describe(unknown);
    EXPECT_NE(unknown.error().serverMessage.find("NoSuchMethod"), std::string::npos)
        << describe(unknown);

    auto tooFew = invoke(connection(), "Add", {1});
    ASSERT_FALSE(tooFew.ok());
    EXPECT_EQ(tooFew.error().code, ErrorCode::HubError) << describe(tooFew);

    auto wrongType = invoke(connection(), "Add", {"one", "two"});
    ASSERT_FALSE(wrongType.ok());
    EXPECT_EQ(wrongType.error().code, ErrorCode::HubError) << describe(wrongType);

    EXPECT_EQ(connection().state(), ConnectionState::Connected);
    EXPECT_EQ(invoke<int>(connection(), "Add", {20, 22}).valueOr(0), 42);
}

TEST_F(InvokeTest, CompletionsArriveOutOfOrder) {
    auto order = mailbox<std::string>();
    const auto started = Clock::now();
    auto record = [order](std::string label) {
        return [order, label](Result<std::string> r) {
            order->push(r.ok() ? r.value() : label + " failed: " + describe(r.error()));
        };
    };
    connection().invoke<std::string>("Delay", {300, "slow"}, record("slow"));
    for (int i = 0; i < 5; ++i) {
        connection().invoke<std::string>("EchoString", {"fast " + std::to_string(i)},
                                         record("fast"));
    }
    connection().invoke<std::string>("Delay", {0, "no delay"}, record("no delay"));

    const auto first = order->take(6);
    ASSERT_EQ(first.size(), 6u);
    const std::vector<std::string> expectedFast{"fast 0", "fast 1", "fast 2",
                                                "fast 3", "fast 4", "no delay"};
    EXPECT_EQ(first, expectedFast);
    auto last = order->pop();
    ASSERT_TRUE(last.has_value());
    EXPECT_EQ(*last, "slow");
    EXPECT_GE(elapsedMs(started), 250); // the server's timer may fire a little early
}

TEST_F(InvokeTest, SendDoesNotWaitForTheMethod) {
    auto sent = signalr::wait([&](auto done) { connection().send("Delay", {200, "x"}, done); });
    EXPECT_TRUE(sent.ok()) << describe(sent);
    EXPECT_EQ(invoke<int>(connection(), "Add", {1, 1}).valueOr(0), 2);
}

} // namespace
} // namespace signalr::integration
