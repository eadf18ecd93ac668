#include <cfloat>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>

#include <gtest/gtest.h>

#include "signalr/json.hpp"

namespace signalr {
namespace {

Value parsed(std::string_view text) {
    auto value = parseJson(text);
    EXPECT_TRUE(value.ok()) << text << ": " << (value.ok() ? "" : value.error().message);
    return value.ok() ? *value : Value();
}

Error parseError(std::string_view text) {
    auto value = parseJson(text);
    EXPECT_FALSE(value.ok()) << text;
    return value.ok() ? Error{} : value.error();
}

std::string nestedArrays(std::size_t depth) {
    return std::string(depth, '[') + std::string(depth, ']');
}

std::string nestedObjects(std::size_t depth) {
    std::string text;
    for (std::size_t i = 0; i < depth; ++i) {
        text += "{\"a\":";
    }
    text += "1";
    text += std::string(depth, '}');
    return text;
}

TEST(JsonTest, WritesScalars) {
    EXPECT_EQ(toJson(Value()), "null");
    EXPECT_EQ(toJson(Value::fromBool(true)), "true");
    EXPECT_EQ(toJson(Value::fromBool(false)), "false");
    EXPECT_EQ(toJson(Value::fromInt(0)), "0");
    EXPECT_EQ(toJson(Value::fromInt(-7)), "-7");
    EXPECT_EQ(toJson(Value::fromInt(INT64_MIN)), "-9223372036854775808");
    EXPECT_EQ(toJson(Value::fromInt(INT64_MAX)), "9223372036854775807");
    EXPECT_EQ(toJson(Value::fromUInt(UINT64_MAX)), "18446744073709551615");
}

TEST(JsonTest, WritesDoublesInShortestRoundTripForm) {
    EXPECT_EQ(toJson(Value::fromDouble(0.1)), "0.1");
    EXPECT_EQ(toJson(Value::fromDouble(1.5)), "1.5");
    EXPECT_EQ(toJson(Value::fromDouble(1e300)), "1e+300");
    EXPECT_EQ(toJson(Value::fromDouble(-2.5e-8)), "-2.5e-08");
    EXPECT_EQ(toJson(Value::fromDouble(5e-324)), "5e-324");
    EXPECT_EQ(toJson(Value::fromDouble(DBL_MAX)), "1.7976931348623157e+308");
}

TEST(JsonTest, IntegralDoublesKeepADecimalPoint) {
    EXPECT_EQ(toJson(Value::fromDouble(1.0)), "1.0");
    EXPECT_EQ(toJson(Value::fromDouble(-0.0)), "-0.0");
    EXPECT_EQ(toJson(Value::fromDouble(0.0)), "0.0");
    EXPECT_EQ(toJson(Value::fromDouble(1e15)), "1000000000000000.0");
    EXPECT_EQ(toJson(Value::fromDouble(1e16)), "1e+16");
}

TEST(JsonTest, NonFiniteDoublesBecomeNull) {
    EXPECT_EQ(toJson(Value::fromDouble(std::nan(""))), "null");
    EXPECT_EQ(toJson(Value::fromDouble(INFINITY)), "null");
    EXPECT_EQ(toJson(Value::fromArray({Value::fromDouble(-INFINITY)})), "[null]");
}

TEST(JsonTest, EscapesStrings) {
    EXPECT_EQ(toJson(Value::fromString("")), R"("")");
    EXPECT_EQ(toJson(Value::fromString("plain")), R"("plain")");
    EXPECT_EQ(toJson(Value::fromString("a\"b\\c/d")), R"("a\"b\\c/d")");
    EXPECT_EQ(toJson(Value::fromString("\b\f\n\r\t")), R"("\b\f\n\r\t")");
    EXPECT_EQ(toJson(Value::fromString(std::string("\x00\x01\x1f\x7f", 4))),
              "\"\\u0000\\u0001\\u001f\x7f\"");
    // Non-ASCII UTF-8 is passed through unchanged.
    EXPECT_EQ(toJson(Value::fromString("h\xC3\xA9llo \xF0\x9F\x98\x80")),
              "\"h\xC3\xA9llo \xF0\x9F\x98\x80\"");
}

TEST(JsonTest, WritesBinaryAsBase64) {
    EXPECT_EQ(toJson(Value::fromBytes({'f', 'o', 'o', 'b'})), R"("Zm9vYg==")");
    EXPECT_EQ(toJson(Value::fromBytes({})), R"("")");
}

TEST(JsonTest, WritesContainersCompactlyInOrder) {
    EXPECT_EQ(toJson(Value::fromArray({})), "[]");
    EXPECT_EQ(toJson(Value::fromObject({})), "{}");
    const Value v = Value::fromObject({
        {"z", Value::fromInt(1)},
        {"a", Value::fromArray({Value::fromBool(true), Value(), Value::fromString("x")})},
        {"k\"ey", Value::fromObject({{"n", Value::fromDouble(2.5)}})},
    });
    EXPECT_EQ(toJson(v), R"({"z":1,"a":[true,null,"x"],"k\"ey":{"n":2.5}})");
}

TEST(JsonTest, ParsesScalars) {
    EXPECT_EQ(parsed("null"), Value());
    EXPECT_EQ(parsed("true"), Value::fromBool(true));
    EXPECT_EQ(parsed(" false "), Value::fromBool(false));
    EXPECT_EQ(parsed("12"), Value::fromInt(12));
    EXPECT_EQ(parsed("-12"), Value::fromInt(-12));
    EXPECT_EQ(parsed("1.5"), Value::fromDouble(1.5));
    EXPECT_EQ(parsed("1E2"), Value::fromDouble(100.0));
    EXPECT_EQ(parsed("\"x\""), Value::fromString("x"));
}

TEST(JsonTest, ParsesContainersInOrder) {
    EXPECT_EQ(parsed(R"({"b":[1,{"c":null}],"a":"x"})"),
              Value::fromObject({
                  {"b", Value::fromArray({Value::fromInt(1), Value::fromObject({{"c", Value()}})})},
                  {"a", Value::fromString("x")},
              }));
}

TEST(JsonTest, DecodesEscapes) {
    EXPECT_EQ(parsed(R"("\"\\\/\b\f\n\r\t")"), Value::fromString("\"\\/\b\f\n\r\t"));
    EXPECT_EQ(parsed(R"("\u00e9\u0000")"), Value::fromString(std::string("\xC3\xA9\0", 3)));
    EXPECT_EQ(parsed(R"("\ud83d\ude00")"), Value::fromString("\xF0\x9F\x98\x80"));
}

TEST(JsonTest, IntegersKeepAll64Bits) {
    // 2^53 + 1 is the first integer a double cannot hold.
    const Value big = parsed("9007199254740993");
    EXPECT_EQ(big, Value::fromInt(9007199254740993));
    EXPECT_EQ(toJson(big), "9007199254740993");

    EXPECT_EQ(parsed("-9223372036854775808"), Value::fromInt(INT64_MIN));
    EXPECT_EQ(parsed("9223372036854775807"), Value::fromInt(INT64_MAX));
    const Value max = parsed("18446744073709551615");
    EXPECT_EQ(max.type(), Value::Type::UInt);
    EXPECT_EQ(max, Value::fromUInt(UINT64_MAX));
    EXPECT_EQ(parsed("9223372036854775808").getUInt(), 9223372036854775808u);
}

TEST(JsonTest, NumbersBeyond64BitsAreErrors) {
    for (const char* text : {"18446744073709551616", "-9223372036854775809", "99999999999999999999",
                             "1e400", "-1e400"}) {
        const Error error = parseError(text);
        EXPECT_EQ(error.code, ErrorCode::ProtocolError) << text;
        EXPECT_NE(error.message.find("number"), std::string::npos) << error.message;
    }
}

TEST(JsonTest, TinyNumbersUnderflowToZero) {
    EXPECT_EQ(parsed("1e-400"), Value::fromDouble(0.0));
}

TEST(JsonTest, DoublesRoundTrip) {
    for (const double d : {0.1, 1e300, -1e-300, 1.0, 123456789.125, 5e-324, DBL_MAX, 1.0 / 3}) {
        const Value v = parsed(toJson(Value::fromDouble(d)));
        ASSERT_EQ(v.type(), Value::Type::Double) << d;
        EXPECT_EQ(*v.getDouble(), d);
    }
    const Value negativeZero = parsed(toJson(Value::fromDouble(-0.0)));
    ASSERT_EQ(negativeZero.type(), Value::Type::Double);
    EXPECT_TRUE(std::signbit(*negativeZero.getDouble()));
}

TEST(JsonTest, ValuesRoundTrip) {
    const Value v = Value::fromObject({
        {"id", Value::fromInt(INT64_MIN)},
        {"big", Value::fromUInt(UINT64_MAX)},
        {"ratio", Value::fromDouble(0.1)},
        {"name", Value::fromString("tab\there \xE2\x82\xAC")},
        {"tags", Value::fromArray({Value::fromString("a"), Value(), Value::fromBool(false)})},
        {"empty", Value::fromObject({})},
    });
    EXPECT_EQ(parsed(toJson(v)), v);
}

TEST(JsonTest, BinaryReadsBackAsBase64String) {
    const Value v = parsed(toJson(Value::fromBytes({1, 2, 3})));
    EXPECT_EQ(v, Value::fromString("AQID"));
    EXPECT_EQ(v.as<Bytes>().value(), (Bytes{1, 2, 3}));
}

TEST(JsonTest, InvalidUtf8IsAnError) {
    for (const char* text :
         {"\"\xFF\"", "\"\xC3\"", "\"\xC0\xAF\"", "\"\xED\xA0\x80\"", "{\"\xFE\":1}"}) {
        const Error error = parseError(text);
        EXPECT_EQ(error.code, ErrorCode::ProtocolError);
        EXPECT_NE(error.message.find("UTF-8"), std::string::npos) << error.message;
    }
}

TEST(JsonTest, LoneSurrogateEscapeIsAnError) {
    EXPECT_EQ(parseError(R"("\ud800")").code, ErrorCode::ProtocolError);
}

TEST(JsonTest, NestingUpTo64LevelsIsAccepted) {
    EXPECT_TRUE(parseJson(nestedArrays(64)).ok());
    EXPECT_TRUE(parseJson(nestedObjects(64)).ok());
}

TEST(JsonTest, NestingBeyond64LevelsIsAnError) {
    for (const auto& text : {nestedArrays(65), nestedObjects(65), nestedArrays(10000)}) {
        const Error error = parseError(text);
        EXPECT_EQ(error.code, ErrorCode::ProtocolError);
        EXPECT_NE(error.message.find("64"), std::string::npos) << error.message;
    }
}

TEST(JsonTest, HugeUnbalancedInputIsAnErrorNotACrash) {
    EXPECT_EQ(parseError(std::string(5 * 1024 * 1024, '[')).code, ErrorCode::ProtocolError);
    EXPECT_EQ(parseError(std::string(5 * 1024 * 1024, '{')).code, ErrorCode::ProtocolError);
}

TEST(JsonTest, MalformedTextIsAnError) {
    for (const char* text :
         {"", "   ", "{", "[1,]", "{\"a\"}", "{\"a\":1,}", "01", "1 2", "nul", "tru", "'x'",
          "\"unterminated", "{a:1}", "[1]]", "NaN", "Infinity", "\"a\tb\""}) {
        const auto value = parseJson(text);
        ASSERT_FALSE(value.ok()) << text;
        EXPECT_EQ(value.error().code, ErrorCode::ProtocolError);
        EXPECT_EQ(value.error().message.rfind("Invalid JSON: ", 0), 0u) << value.error().message;
    }
}

TEST(JsonTest, TrailingNulIsAnError) {
    EXPECT_FALSE(parseJson(std::string_view("[1]\0", 4)).ok());
}

} // namespace
} // namespace signalr
