#pragma once

#include <concepts>
#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "signalr/result.hpp"
#include "signalr/value.hpp"

namespace signalr {

namespace detail {
Error typeMismatch(std::string_view expected, const Value& got);
Error outOfRange(std::string_view target, const Value& got);

template <class T>
concept PlainInteger = std::integral<T> && !std::same_as<T, bool> && !std::same_as<T, char> &&
                       !std::same_as<T, char8_t> && !std::same_as<T, char16_t> &&
                       !std::same_as<T, char32_t> && !std::same_as<T, wchar_t>;

template <class T>
concept FromValue = requires(const Value& v) {
    { Converter<T>::fromValue(v) } -> std::same_as<Result<T>>;
};
} // namespace detail

// Converters may add a fromValue(Value&&) that takes the value's storage: the library calls it
// for values nothing else reads afterwards (a handler's arguments, a stream item, a result).
template <>
struct Converter<Value> {
    static Value toValue(const Value& v) { return v; }
    static Result<Value> fromValue(const Value& v) { return v; }
    static Result<Value> fromValue(Value&& v) { return std::move(v); }
};

template <>
struct Converter<std::nullptr_t> {
    static Value toValue(std::nullptr_t) { return Value(); }
    static Result<std::nullptr_t> fromValue(const Value& v);
};

template <>
struct Converter<bool> {
    static Value toValue(bool b) { return Value::fromBool(b); }
    static Result<bool> fromValue(const Value& v);
};

template <detail::PlainInteger T>
struct Converter<T> {
    static Value toValue(T i) {
        if constexpr (std::is_signed_v<T>) {
            return Value::fromInt(static_cast<std::int64_t>(i));
        } else {
            return Value::fromUInt(static_cast<std::uint64_t>(i));
        }
    }
    static Result<T> fromValue(const Value& v) {
        if constexpr (std::is_signed_v<T>) {
            auto i = v.getInt();
            if (!i) {
                return v.isNumber() ? detail::outOfRange("int64", v)
                                    : detail::typeMismatch("integer", v);
            }
            if (*i < std::numeric_limits<T>::min() || *i > std::numeric_limits<T>::max()) {
                return detail::outOfRange("integer", v);
            }
            return static_cast<T>(*i);
        } else {
            auto u = v.getUInt();
            if (!u) {
                return v.isNumber() ? detail::outOfRange("unsigned integer", v)
                                    : detail::typeMismatch("unsigned integer", v);
            }
            if (*u > std::numeric_limits<T>::max()) {
                return detail::outOfRange("unsigned integer", v);
            }
            return static_cast<T>(*u);
        }
    }
};

template <std::floating_point T>
struct Converter<T> {
    static Value toValue(T d) { return Value::fromDouble(static_cast<double>(d)); }
    static Result<T> fromValue(const Value& v) {
        auto d = v.getDouble();
        if (!d) {
            return detail::typeMismatch("number", v);
        }
        return static_cast<T>(*d);
    }
};

template <>
struct Converter<std::string> {
    static Value toValue(const std::string& s) { return Value::fromString(s); }
    static Result<std::string> fromValue(const Value& v);
    static Result<std::string> fromValue(Value&& v);
};

template <>
struct Converter<std::string_view> {
    static Value toValue(std::string_view s) { return Value::fromString(std::string(s)); }
};

template <>
struct Converter<const char*> {
    static Value toValue(const char* s) { return Value::fromString(s == nullptr ? "" : s); }
};

template <>
struct Converter<char*> {
    static Value toValue(const char* s) { return Value::fromString(s == nullptr ? "" : s); }
};

/// Bytes accept Binary values, and Base64 strings (how JSON carries .NET byte[]).
template <>
struct Converter<Bytes> {
    static Value toValue(const Bytes& b) { return Value::fromBytes(b); }
    static Result<Bytes> fromValue(const Value& v);
};

template <>
struct Converter<Value::Array> {
    static Value toValue(const Value::Array& a) { return Value::fromArray(a); }
    static Result<Value::Array> fromValue(const Value& v);
};

template <>
struct Converter<Value::Object> {
    static Value toValue(const Value::Object& o) { return Value::fromObject(o); }
    static Result<Value::Object> fromValue(const Value& v);
};

template <class T>
struct Converter<std::vector<T>,
                 std::enable_if_t<!std::is_same_v<T, Value> && !std::is_same_v<T, std::uint8_t> &&
                                  !std::is_same_v<T, std::pair<std::string, Value>>>> {
    static Value toValue(const std::vector<T>& items) {
        Value::Array out;
        out.reserve(items.size());
        for (const auto& item : items) {
            out.push_back(Converter<T>::toValue(item));
        }
        return Value::fromArray(std::move(out));
    }
    static Result<std::vector<T>> fromValue(const Value& v) {
        const auto* array = v.getArray();
        if (array == nullptr) {
            return detail::typeMismatch("array", v);
        }
        std::vector<T> out;
        out.reserve(array->size());
        for (const auto& item : *array) {
            auto converted = Converter<T>::fromValue(item);
            if (!converted) {
                return std::move(converted).error();
            }
            out.push_back(std::move(converted).value());
        }
        return out;
    }
};

template <class T>
struct Converter<std::optional<T>> {
    static Value toValue(const std::optional<T>& o) {
        return o ? Converter<T>::toValue(*o) : Value();
    }
    static Result<std::optional<T>> fromValue(const Value& v) {
        if (v.isNull()) {
            return std::optional<T>();
        }
        auto converted = Converter<T>::fromValue(v);
        if (!converted) {
            return std::move(converted).error();
        }
        return std::optional<T>(std::move(converted).value());
    }
};

template <class T>
struct Converter<std::map<std::string, T>> {
    static Value toValue(const std::map<std::string, T>& m) {
        Value::Object out;
        out.reserve(m.size());
        for (const auto& [key, item] : m) {
            out.emplace_back(key, Converter<T>::toValue(item));
        }
        return Value::fromObject(std::move(out));
    }
    static Result<std::map<std::string, T>> fromValue(const Value& v) {
        const auto* object = v.getObject();
        if (object == nullptr) {
            return detail::typeMismatch("object", v);
        }
        std::map<std::string, T> out;
        for (const auto& [key, item] : *object) {
            auto converted = Converter<T>::fromValue(item);
            if (!converted) {
                return std::move(converted).error();
            }
            out.insert_or_assign(key, std::move(converted).value());
        }
        return out;
    }
};

} // namespace signalr
