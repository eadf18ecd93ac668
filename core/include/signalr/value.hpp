#pragma once

#include <concepts>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

namespace signalr {

/// Raw bytes. Maps to .NET `byte[]`: Base64 text in JSON, `bin` in MessagePack.
using Bytes = std::vector<std::uint8_t>;

/// Converts between Value and T. Specialize it for your own types:
/// `static Value toValue(const T&)` and `static Result<T> fromValue(const Value&)`.
template <class T, class Enable = void>
struct Converter {};

class Value;

namespace detail {
template <class T>
concept ToValue = requires(const T& t) {
    { Converter<T>::toValue(t) } -> std::same_as<Value>;
};
} // namespace detail

/// A protocol-neutral dynamic value: what hub arguments, results and stream items are made of.
/// Integers keep all 64 bits (unsigned values above INT64_MAX are kept as UInt); objects keep
/// their member order.
///
/// C++ brace rules: `Value::Array{Value::Array{1}}` copies the inner array instead of nesting
/// it; write `Value::fromArray({Value::fromArray({1})})` for an array inside an array.
class Value {
public:
    enum class Type : std::uint8_t { Null, Bool, Int, UInt, Double, String, Binary, Array, Object };
    using Array = std::vector<Value>;
    using Object = std::vector<std::pair<std::string, Value>>;

    /// Null.
    Value() noexcept = default;
    Value(std::nullptr_t) noexcept {}

    /// Any type with a Converter: bool, integers, floating point, strings, Bytes, vectors,
    /// optionals, string-keyed maps, Array, Object, and user types.
    template <class T>
        requires(!std::is_same_v<std::decay_t<T>, Value> && detail::ToValue<std::decay_t<T>>)
    Value(T&& v) : Value(Converter<std::decay_t<T>>::toValue(v)) {}

    static Value fromBool(bool b) { return Value(std::in_place_type<bool>, b); }
    static Value fromInt(std::int64_t i) { return Value(std::in_place_type<std::int64_t>, i); }
    /// Stored as Int when it fits, so equal numbers compare equal.
    static Value fromUInt(std::uint64_t u) {
        if (u <= static_cast<std::uint64_t>(INT64_MAX)) {
            return fromInt(static_cast<std::int64_t>(u));
        }
        return Value(std::in_place_type<std::uint64_t>, u);
    }
    static Value fromDouble(double d) { return Value(std::in_place_type<double>, d); }
    static Value fromString(std::string s) {
        return Value(std::in_place_type<std::string>, std::move(s));
    }
    static Value fromBytes(Bytes b) { return Value(std::in_place_type<Bytes>, std::move(b)); }
    static Value fromArray(Array a) { return Value(std::in_place_type<Array>, std::move(a)); }
    static Value fromObject(Object o) { return Value(std::in_place_type<Object>, std::move(o)); }

    Type type() const noexcept { return static_cast<Type>(storage_.index()); }
    bool isNull() const noexcept { return type() == Type::Null; }
    bool isBool() const noexcept { return type() == Type::Bool; }
    /// Int or UInt.
    bool isInteger() const noexcept { return type() == Type::Int || type() == Type::UInt; }
    /// Int, UInt or Double.
    bool isNumber() const noexcept { return isInteger() || type() == Type::Double; }
    bool isString() const noexcept { return type() == Type::String; }
    bool isBinary() const noexcept { return type() == Type::Binary; }
    bool isArray() const noexcept { return type() == Type::Array; }
    bool isObject() const noexcept { return type() == Type::Object; }

    std::optional<bool> getBool() const noexcept;
    /// Int, or UInt/Double holding an exact int64 value.
    std::optional<std::int64_t> getInt() const noexcept;
    /// Non-negative Int, UInt, or Double holding an exact uint64 value.
    std::optional<std::uint64_t> getUInt() const noexcept;
    /// Any number, converted to double.
    std::optional<double> getDouble() const noexcept;
    const std::string* getString() const noexcept { return std::get_if<std::string>(&storage_); }
    std::string* getString() noexcept { return std::get_if<std::string>(&storage_); }
    const Bytes* getBytes() const noexcept { return std::get_if<Bytes>(&storage_); }
    const Array* getArray() const noexcept { return std::get_if<Array>(&storage_); }
    Array* getArray() noexcept { return std::get_if<Array>(&storage_); }
    const Object* getObject() const noexcept { return std::get_if<Object>(&storage_); }
    Object* getObject() noexcept { return std::get_if<Object>(&storage_); }

    /// The member named `key` of an Object, or nullptr.
    const Value* find(std::string_view key) const noexcept;

    /// Converts to T through Converter<T>; a mismatch gives ErrorCode::TypeMismatch.
    template <class T>
    auto as() const;

    friend bool operator==(const Value&, const Value&) = default;

private:
    using Storage = std::variant<std::nullptr_t, bool, std::int64_t, std::uint64_t, double,
                                 std::string, Bytes, Array, Object>;
    // Factories build the alternative in place: measurably cheaper than moving a Storage.
    template <class T, class... A>
    explicit Value(std::in_place_type_t<T> type, A&&... args)
        : storage_(type, std::forward<A>(args)...) {}

    Storage storage_;
};

/// Hub method arguments.
using Arguments = std::vector<Value>;

/// A readable name of a value type ("string", "array", ...) for error messages.
std::string_view toString(Value::Type type) noexcept;

} // namespace signalr

#include "signalr/converter.hpp"

template <class T>
auto signalr::Value::as() const {
    return Converter<T>::fromValue(*this);
}
