#include "signalr/value.hpp"

#include <cmath>

namespace signalr {

namespace {

// 2^63 and 2^64 are exact doubles; the valid ranges are half-open because INT64_MAX and
// UINT64_MAX themselves are not representable as doubles.
constexpr double kTwoPow63 = 9223372036854775808.0;
constexpr double kTwoPow64 = 18446744073709551616.0;

bool isIntegral(double d) noexcept {
    return std::isfinite(d) && std::trunc(d) == d;
}

} // namespace

std::optional<bool> Value::getBool() const noexcept {
    if (const auto* b = std::get_if<bool>(&storage_)) {
        return *b;
    }
    return std::nullopt;
}

std::optional<std::int64_t> Value::getInt() const noexcept {
    switch (type()) {
    case Type::Int: return *std::get_if<std::int64_t>(&storage_);
    case Type::UInt: {
        const auto u = *std::get_if<std::uint64_t>(&storage_);
        if (u <= static_cast<std::uint64_t>(INT64_MAX)) {
            return static_cast<std::int64_t>(u);
        }
        return std::nullopt;
    }
    case Type::Double: {
        const auto d = *std::get_if<double>(&storage_);
        if (isIntegral(d) && d >= -kTwoPow63 && d < kTwoPow63) {
            return static_cast<std::int64_t>(d);
        }
        return std::nullopt;
    }
    default: return std::nullopt;
    }
}

std::optional<std::uint64_t> Value::getUInt() const noexcept {
    switch (type()) {
    case Type::Int: {
        const auto i = *std::get_if<std::int64_t>(&storage_);
        if (i >= 0) {
            return static_cast<std::uint64_t>(i);
        }
        return std::nullopt;
    }
    case Type::UInt: return *std::get_if<std::uint64_t>(&storage_);
    case Type::Double: {
        const auto d = *std::get_if<double>(&storage_);
        if (isIntegral(d) && d >= 0.0 && d < kTwoPow64) {
            return static_cast<std::uint64_t>(d);
        }
        return std::nullopt;
    }
    default: return std::nullopt;
    }
}

std::optional<double> Value::getDouble() const noexcept {
    switch (type()) {
    case Type::Int: return static_cast<double>(*std::get_if<std::int64_t>(&storage_));
    case Type::UInt: return static_cast<double>(*std::get_if<std::uint64_t>(&storage_));
    case Type::Double: return *std::get_if<double>(&storage_);
    default: return std::nullopt;
    }
}

const Value* Value::find(std::string_view key) const noexcept {
    const auto* object = getObject();
    if (object == nullptr) {
        return nullptr;
    }
    // The first match wins, as with simdjson's at_key; objects are small, so a linear scan is
    // cheaper than any index.
    for (const auto& [name, value] : *object) {
        if (name == key) {
            return &value;
        }
    }
    return nullptr;
}

std::string_view toString(Value::Type type) noexcept {
    switch (type) {
    case Value::Type::Null: return "null";
    case Value::Type::Bool: return "bool";
    case Value::Type::Int: return "integer";
    case Value::Type::UInt: return "unsigned integer";
    case Value::Type::Double: return "double";
    case Value::Type::String: return "string";
    case Value::Type::Binary: return "binary";
    case Value::Type::Array: return "array";
    case Value::Type::Object: return "object";
    }
    return "unknown";
}

} // namespace signalr
