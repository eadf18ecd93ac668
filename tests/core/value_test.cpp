#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "signalr/value.hpp"

namespace signalr {
namespace {

TEST(ValueTest, DefaultIsNull) {
    const Value v;
    EXPECT_TRUE(v.isNull());
    EXPECT_EQ(v.type(), Value::Type::Null);
    EXPECT_EQ(Value(nullptr), v);
}

TEST(ValueTest, TypePredicates) {
    EXPECT_TRUE(Value::fromBool(true).isBool());
    EXPECT_TRUE(Value::fromInt(1).isInteger());
    EXPECT_TRUE(Value::fromInt(1).isNumber());
    EXPECT_TRUE(Value::fromUInt(UINT64_MAX).isInteger());
    EXPECT_TRUE(Value::fromDouble(1.5).isNumber());
    EXPECT_FALSE(Value::fromDouble(1.5).isInteger());
    EXPECT_TRUE(Value::fromString("x").isString());
    EXPECT_TRUE(Value::fromBytes({1, 2}).isBinary());
    EXPECT_TRUE(Value::fromArray({}).isArray());
    EXPECT_TRUE(Value::fromObject({}).isObject());
    EXPECT_FALSE(Value::fromString("1").isNumber());
}

TEST(ValueTest, SmallUnsignedIsStoredAsInt) {
    EXPECT_EQ(Value::fromUInt(5).type(), Value::Type::Int);
    EXPECT_EQ(Value::fromUInt(5), Value::fromInt(5));
    EXPECT_EQ(Value::fromUInt(static_cast<std::uint64_t>(INT64_MAX)).type(), Value::Type::Int);
    EXPECT_EQ(Value::fromUInt(static_cast<std::uint64_t>(INT64_MAX) + 1).type(), Value::Type::UInt);
}

TEST(ValueTest, GetBool) {
    EXPECT_EQ(Value::fromBool(false).getBool(), std::optional<bool>(false));
    EXPECT_EQ(Value::fromInt(1).getBool(), std::nullopt);
    EXPECT_EQ(Value().getBool(), std::nullopt);
}

TEST(ValueTest, GetInt) {
    EXPECT_EQ(Value::fromInt(INT64_MIN).getInt(), INT64_MIN);
    EXPECT_EQ(Value::fromInt(-3).getInt(), -3);
    EXPECT_EQ(Value::fromUInt(UINT64_MAX).getInt(), std::nullopt);
    EXPECT_EQ(Value::fromDouble(3.0).getInt(), 3);
    EXPECT_EQ(Value::fromDouble(-0.0).getInt(), 0);
    EXPECT_EQ(Value::fromDouble(3.5).getInt(), std::nullopt);
    EXPECT_EQ(Value::fromDouble(-9223372036854775808.0).getInt(), INT64_MIN);
    EXPECT_EQ(Value::fromDouble(9223372036854775808.0).getInt(), std::nullopt);
    EXPECT_EQ(Value::fromDouble(std::nan("")).getInt(), std::nullopt);
    EXPECT_EQ(Value::fromDouble(INFINITY).getInt(), std::nullopt);
    EXPECT_EQ(Value::fromString("1").getInt(), std::nullopt);
    EXPECT_EQ(Value::fromBool(true).getInt(), std::nullopt);
}

TEST(ValueTest, GetUInt) {
    EXPECT_EQ(Value::fromInt(7).getUInt(), 7u);
    EXPECT_EQ(Value::fromInt(-1).getUInt(), std::nullopt);
    EXPECT_EQ(Value::fromUInt(UINT64_MAX).getUInt(), UINT64_MAX);
    EXPECT_EQ(Value::fromDouble(18446744073709549568.0).getUInt(), 18446744073709549568u);
    EXPECT_EQ(Value::fromDouble(18446744073709551616.0).getUInt(), std::nullopt);
    EXPECT_EQ(Value::fromDouble(-1.0).getUInt(), std::nullopt);
    EXPECT_EQ(Value::fromDouble(0.5).getUInt(), std::nullopt);
    EXPECT_EQ(Value().getUInt(), std::nullopt);
}

TEST(ValueTest, GetDouble) {
    EXPECT_EQ(Value::fromInt(-2).getDouble(), -2.0);
    EXPECT_EQ(Value::fromUInt(UINT64_MAX).getDouble(), 18446744073709551616.0);
    EXPECT_EQ(Value::fromDouble(0.1).getDouble(), 0.1);
    EXPECT_EQ(Value::fromString("0.1").getDouble(), std::nullopt);
}

TEST(ValueTest, PointerGettersReturnNullForOtherTypes) {
    const Value text = Value::fromString("hi");
    ASSERT_NE(text.getString(), nullptr);
    EXPECT_EQ(*text.getString(), "hi");
    EXPECT_EQ(text.getBytes(), nullptr);
    EXPECT_EQ(text.getArray(), nullptr);
    EXPECT_EQ(text.getObject(), nullptr);
    EXPECT_EQ(Value::fromInt(1).getString(), nullptr);
}

TEST(ValueTest, MutableArrayAndObject) {
    Value array = Value::fromArray({Value::fromInt(1)});
    array.getArray()->push_back(Value::fromInt(2));
    EXPECT_EQ(array, Value::fromArray({Value::fromInt(1), Value::fromInt(2)}));

    Value object = Value::fromObject({});
    object.getObject()->emplace_back("a", Value::fromBool(true));
    ASSERT_NE(object.find("a"), nullptr);
    EXPECT_EQ(*object.find("a"), Value::fromBool(true));
}

TEST(ValueTest, Find) {
    const Value object = Value::fromObject({
        {"name", Value::fromString("Ada")},
        {"age", Value::fromInt(36)},
        {"name", Value::fromString("second")},
    });
    ASSERT_NE(object.find("age"), nullptr);
    EXPECT_EQ(object.find("age")->getInt(), 36);
    // The first of duplicate keys wins.
    EXPECT_EQ(*object.find("name")->getString(), "Ada");
    EXPECT_EQ(object.find("Name"), nullptr);
    EXPECT_EQ(object.find(""), nullptr);
    EXPECT_EQ(Value::fromArray({}).find("name"), nullptr);
    EXPECT_EQ(Value().find("name"), nullptr);
}

TEST(ValueTest, ObjectsKeepMemberOrder) {
    const Value a = Value::fromObject({{"x", Value::fromInt(1)}, {"y", Value::fromInt(2)}});
    const Value b = Value::fromObject({{"y", Value::fromInt(2)}, {"x", Value::fromInt(1)}});
    EXPECT_NE(a, b);
    EXPECT_EQ(a.getObject()->front().first, "x");
}

TEST(ValueTest, EqualityIsByTypeAndValue) {
    EXPECT_EQ(Value::fromInt(1), Value::fromInt(1));
    EXPECT_NE(Value::fromInt(1), Value::fromDouble(1.0));
    EXPECT_NE(Value::fromString("1"), Value::fromInt(1));
    EXPECT_NE(Value::fromBytes({0x41}), Value::fromString("A"));
}

TEST(ValueTest, TypeNames) {
    EXPECT_EQ(toString(Value::Type::Null), "null");
    EXPECT_EQ(toString(Value::Type::Bool), "bool");
    EXPECT_EQ(toString(Value::Type::Int), "integer");
    EXPECT_EQ(toString(Value::Type::UInt), "unsigned integer");
    EXPECT_EQ(toString(Value::Type::Double), "double");
    EXPECT_EQ(toString(Value::Type::String), "string");
    EXPECT_EQ(toString(Value::Type::Binary), "binary");
    EXPECT_EQ(toString(Value::Type::Array), "array");
    EXPECT_EQ(toString(Value::Type::Object), "object");
}

TEST(ValueTest, ImplicitConstructionThroughConverters) {
    EXPECT_EQ(Value(42), Value::fromInt(42));
    EXPECT_EQ(Value(42u), Value::fromInt(42));
    EXPECT_EQ(Value(true), Value::fromBool(true));
    EXPECT_EQ(Value(2.5), Value::fromDouble(2.5));
    EXPECT_EQ(Value(2.5f), Value::fromDouble(2.5));
    EXPECT_EQ(Value("text"), Value::fromString("text"));
    EXPECT_EQ(Value(std::string("text")), Value::fromString("text"));
    EXPECT_EQ(Value(std::string_view("text")), Value::fromString("text"));
    EXPECT_EQ(Value(Bytes{1, 2}), Value::fromBytes({1, 2}));
    EXPECT_EQ(Value(std::vector<int>{1, 2}),
              Value::fromArray({Value::fromInt(1), Value::fromInt(2)}));
    EXPECT_EQ(Value(std::optional<int>()), Value());
    EXPECT_EQ(Value(std::optional<int>(3)), Value::fromInt(3));
}

TEST(ValueTest, AsConverts) {
    auto i = Value::fromInt(5).as<int>();
    ASSERT_TRUE(i.ok());
    EXPECT_EQ(*i, 5);
    auto s = Value::fromInt(5).as<std::string>();
    ASSERT_FALSE(s.ok());
    EXPECT_EQ(s.error().code, ErrorCode::TypeMismatch);
}

} // namespace
} // namespace signalr
