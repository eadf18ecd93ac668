#include <cmath>
#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "signalr/converter.hpp"
#include "signalr/value.hpp"

namespace signalr {
namespace {

template <class T>
void expectMismatch(const Value& v) {
    auto converted = Converter<T>::fromValue(v);
    ASSERT_FALSE(converted.ok());
    EXPECT_EQ(converted.error().code, ErrorCode::TypeMismatch);
    EXPECT_FALSE(converted.error().message.empty());
}

TEST(ConverterTest, Null) {
    EXPECT_TRUE(Converter<std::nullptr_t>::fromValue(Value()).ok());
    expectMismatch<std::nullptr_t>(Value::fromInt(0));
    EXPECT_EQ(Converter<std::nullptr_t>::toValue(nullptr), Value());
}

TEST(ConverterTest, Bool) {
    EXPECT_EQ(Converter<bool>::fromValue(Value::fromBool(true)).value(), true);
    expectMismatch<bool>(Value::fromInt(1));
    expectMismatch<bool>(Value::fromString("true"));
}

TEST(ConverterTest, SignedIntegers) {
    EXPECT_EQ(Value::fromInt(INT32_MAX).as<std::int32_t>().value(), INT32_MAX);
    EXPECT_EQ(Value::fromInt(INT32_MIN).as<std::int32_t>().value(), INT32_MIN);
    EXPECT_EQ(Value::fromInt(INT64_MIN).as<std::int64_t>().value(), INT64_MIN);
    EXPECT_EQ(Value::fromDouble(3.0).as<int>().value(), 3);
    expectMismatch<std::int32_t>(Value::fromInt(std::int64_t{INT32_MAX} + 1));
    expectMismatch<std::int32_t>(Value::fromInt(std::int64_t{INT32_MIN} - 1));
    expectMismatch<std::int8_t>(Value::fromInt(128));
    expectMismatch<std::int64_t>(Value::fromUInt(UINT64_MAX));
    expectMismatch<int>(Value::fromDouble(3.5));
    expectMismatch<int>(Value::fromString("3"));
    expectMismatch<int>(Value());
}

TEST(ConverterTest, UnsignedIntegers) {
    EXPECT_EQ(Value::fromUInt(UINT64_MAX).as<std::uint64_t>().value(), UINT64_MAX);
    EXPECT_EQ(Value::fromInt(255).as<std::uint8_t>().value(), 255);
    expectMismatch<std::uint8_t>(Value::fromInt(256));
    expectMismatch<std::uint32_t>(Value::fromInt(-1));
    expectMismatch<std::uint64_t>(Value::fromInt(-1));
    expectMismatch<unsigned>(Value::fromBool(true));
}

TEST(ConverterTest, OutOfRangeMessageNamesTheNumber) {
    auto converted = Value::fromInt(3000000000).as<std::int32_t>();
    ASSERT_FALSE(converted.ok());
    EXPECT_NE(converted.error().message.find("3000000000"), std::string::npos)
        << converted.error().message;
}

TEST(ConverterTest, MismatchMessageNamesBothTypes) {
    auto converted = Value::fromString("x").as<bool>();
    ASSERT_FALSE(converted.ok());
    EXPECT_NE(converted.error().message.find("bool"), std::string::npos);
    EXPECT_NE(converted.error().message.find("string"), std::string::npos);
}

TEST(ConverterTest, FloatingPoint) {
    EXPECT_EQ(Value::fromDouble(0.1).as<double>().value(), 0.1);
    EXPECT_EQ(Value::fromDouble(1e300).as<double>().value(), 1e300);
    EXPECT_TRUE(std::signbit(Value::fromDouble(-0.0).as<double>().value()));
    EXPECT_EQ(Value::fromInt(2).as<double>().value(), 2.0);
    EXPECT_EQ(Value::fromDouble(0.5).as<float>().value(), 0.5f);
    expectMismatch<double>(Value::fromString("1.5"));
}

TEST(ConverterTest, String) {
    EXPECT_EQ(Value::fromString("héllo").as<std::string>().value(), "héllo");
    expectMismatch<std::string>(Value::fromInt(1));
    expectMismatch<std::string>(Value());
}

TEST(ConverterTest, BytesFromBinary) {
    EXPECT_EQ(Value::fromBytes({1, 2, 3}).as<Bytes>().value(), (Bytes{1, 2, 3}));
}

TEST(ConverterTest, BytesFromBase64String) {
    EXPECT_EQ(Value::fromString("AQID").as<Bytes>().value(), (Bytes{1, 2, 3}));
    EXPECT_EQ(Value::fromString("").as<Bytes>().value(), Bytes{});
    expectMismatch<Bytes>(Value::fromString("not base64!"));
    expectMismatch<Bytes>(Value::fromInt(1));
    expectMismatch<Bytes>(Value::fromArray({Value::fromInt(1)}));
}

TEST(ConverterTest, ArrayAndObject) {
    const Value array = Value::fromArray({Value::fromInt(1), Value::fromString("a")});
    EXPECT_EQ(array.as<Value::Array>().value(), *array.getArray());
    expectMismatch<Value::Array>(Value::fromObject({}));

    const Value object = Value::fromObject({{"k", Value::fromBool(false)}});
    EXPECT_EQ(object.as<Value::Object>().value(), *object.getObject());
    expectMismatch<Value::Object>(Value::fromArray({}));
}

TEST(ConverterTest, ValueIsIdentity) {
    const Value v = Value::fromString("x");
    EXPECT_EQ(v.as<Value>().value(), v);
}

TEST(ConverterTest, Optional) {
    EXPECT_EQ(Value().as<std::optional<int>>().value(), std::nullopt);
    EXPECT_EQ(Value::fromInt(4).as<std::optional<int>>().value(), std::optional<int>(4));
    expectMismatch<std::optional<int>>(Value::fromString("4"));
}

TEST(ConverterTest, Vector) {
    const std::vector<std::string> names{"a", "b"};
    const Value v(names);
    EXPECT_EQ(v, Value::fromArray({Value::fromString("a"), Value::fromString("b")}));
    EXPECT_EQ(v.as<std::vector<std::string>>().value(), names);
    expectMismatch<std::vector<int>>(Value::fromArray({Value::fromInt(1), Value::fromString("2")}));
    expectMismatch<std::vector<int>>(Value::fromInt(1));
}

TEST(ConverterTest, NestedContainers) {
    const std::vector<std::optional<std::int64_t>> items{1, std::nullopt, INT64_MIN};
    EXPECT_EQ(Value(items).as<std::vector<std::optional<std::int64_t>>>().value(), items);
}

TEST(ConverterTest, Map) {
    const std::map<std::string, int> scores{{"ada", 3}, {"bob", 5}};
    const Value v(scores);
    ASSERT_TRUE(v.isObject());
    EXPECT_EQ(v.find("bob")->getInt(), 5);
    EXPECT_EQ((v.as<std::map<std::string, int>>().value()), scores);
    expectMismatch<std::map<std::string, int>>(Value::fromObject({{"a", Value::fromString("x")}}));
    expectMismatch<std::map<std::string, int>>(Value::fromArray({}));
}

} // namespace
} // namespace signalr
