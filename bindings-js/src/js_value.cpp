#include "js_value.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <string>
#include <utility>

#include "signalr/json.hpp"

using emscripten::val;

extern "C" {
// bindings-js/src/signalr_bindings.js
emscripten::EM_VAL signalr_js_parse_json(const char* text, std::size_t length);
}

namespace signalr::js {
namespace {

constexpr int kMaxDepth = 64;
constexpr double kMaxSafeInteger = 9007199254740991.0; // 2^53 - 1

Result<Value> bigintFromJs(const val& value) {
    const auto text = value.call<std::string>("toString");
    const char* first = text.data();
    const char* last = text.data() + text.size();
    std::int64_t signedValue = 0;
    if (auto [end, ec] = std::from_chars(first, last, signedValue);
        ec == std::errc() && end == last) {
        return Value::fromInt(signedValue);
    }
    std::uint64_t unsignedValue = 0;
    if (auto [end, ec] = std::from_chars(first, last, unsignedValue);
        ec == std::errc() && end == last) {
        return Value::fromUInt(unsignedValue);
    }
    return fail(ErrorCode::InvalidArgument, "the BigInt " + text + "n does not fit in 64 bits");
}

Result<Value> numberFromJs(double number) {
    // Integral numbers travel as integers (3, not 3.0), as JSON.stringify writes them; -0 and
    // fractions stay doubles.
    if (std::trunc(number) == number && std::abs(number) <= kMaxSafeInteger &&
        !(number == 0 && std::signbit(number))) {
        return Value::fromInt(static_cast<std::int64_t>(number));
    }
    return Value::fromDouble(number);
}

Bytes bytesFromJs(const val& view) {
    Bytes bytes(view["length"].as<std::size_t>());
    if (!bytes.empty()) {
        // One copy straight into wasm memory instead of one call per byte.
        val(emscripten::typed_memory_view(bytes.size(), bytes.data())).call<void>("set", view);
    }
    return bytes;
}

Result<Value> convert(val value, int depth) {
    if (depth > kMaxDepth) {
        return fail(ErrorCode::InvalidArgument,
                    "the value nests deeper than 64 levels (or refers to itself)");
    }
    // null, undefined, true and false are fixed handles: no call into JavaScript to tell them.
    if (value.isNull() || value.isUndefined()) {
        return Value();
    }
    if (value.isTrue() || value.isFalse()) {
        return Value::fromBool(value.isTrue());
    }
    // The usual arguments without typeof's string (a JavaScript string brought into wasm memory).
    if (value.isString()) {
        return Value::fromString(value.as<std::string>());
    }
    if (value.isNumber()) {
        return numberFromJs(value.as<double>());
    }
    const auto type = value.typeOf().as<std::string>();
    if (type == "bigint") {
        return bigintFromJs(value);
    }
    if (type != "object") {
        return fail(ErrorCode::InvalidArgument, "a " + type + " cannot be sent to the server");
    }
    if (value.instanceof (val::global("Uint8Array"))) {
        return Value::fromBytes(bytesFromJs(value));
    }
    if (value.instanceof (val::global("ArrayBuffer"))) {
        return Value::fromBytes(bytesFromJs(val::global("Uint8Array").new_(value)));
    }
    if (value.isArray()) {
        const auto length = value["length"].as<unsigned>();
        Value::Array items;
        items.reserve(length);
        for (unsigned i = 0; i < length; ++i) {
            auto item = convert(value[i], depth + 1);
            if (!item) {
                return item;
            }
            items.push_back(std::move(item).value());
        }
        return Value::fromArray(std::move(items));
    }
    if (value["toJSON"].typeOf().as<std::string>() == "function") {
        return convert(value.call<val>("toJSON"), depth + 1);
    }
    const auto keys = val::global("Object").call<val>("keys", value);
    const auto length = keys["length"].as<unsigned>();
    Value::Object members;
    members.reserve(length);
    for (unsigned i = 0; i < length; ++i) {
        const val key = keys[i];
        const val member = value[key];
        const auto memberType = member.typeOf().as<std::string>();
        if (memberType == "undefined" || memberType == "function" || memberType == "symbol") {
            continue;
        }
        auto converted = convert(member, depth + 1);
        if (!converted) {
            return converted;
        }
        members.emplace_back(key.as<std::string>(), std::move(converted).value());
    }
    return Value::fromObject(std::move(members));
}

val bigint(const std::string& digits) {
    return val::global("BigInt")(val(digits));
}

} // namespace

Result<Value> fromJs(const val& value) {
    return convert(value, 0);
}

Result<Arguments> argumentsFromJs(const val& array) {
    const auto length = array["length"].as<unsigned>();
    Arguments args;
    args.reserve(length);
    for (unsigned i = 0; i < length; ++i) {
        auto arg = convert(array[i], 1);
        if (!arg) {
            auto error = std::move(arg).error();
            error.message = "argument " + std::to_string(i + 1) + ": " + error.message;
            return error;
        }
        args.push_back(std::move(arg).value());
    }
    return args;
}

namespace {

// Whether JSON.parse of toJson(value) gives what the conversion below gives: not for bytes
// (Uint8Array, not Base64), integers beyond 2^53 (BigInt) or NaN and infinities (null in JSON).
bool jsonGivesTheSame(const Value& value, int depth) {
    switch (value.type()) {
    case Value::Type::Null:
    case Value::Type::Bool:
    case Value::Type::String: return true;
    case Value::Type::Int: {
        const auto i = static_cast<double>(*value.getInt());
        return i >= -kMaxSafeInteger && i <= kMaxSafeInteger;
    }
    case Value::Type::Double: return std::isfinite(*value.getDouble());
    case Value::Type::UInt:
    case Value::Type::Binary: return false;
    case Value::Type::Array:
        for (const auto& item : *value.getArray()) {
            if (depth >= kMaxDepth || !jsonGivesTheSame(item, depth + 1)) {
                return false;
            }
        }
        return true;
    case Value::Type::Object:
        for (const auto& member : *value.getObject()) {
            if (depth >= kMaxDepth || !jsonGivesTheSame(member.second, depth + 1)) {
                return false;
            }
        }
        return true;
    }
    return false;
}

val parsedJson(const std::string& text) {
    return val::take_ownership(signalr_js_parse_json(text.data(), text.size()));
}

} // namespace

val toJs(const Value& value) {
    const auto type = value.type();
    if ((type == Value::Type::Array || type == Value::Type::Object) && jsonGivesTheSame(value, 0)) {
        return parsedJson(toJson(value));
    }
    switch (type) {
    case Value::Type::Null: return val::null();
    case Value::Type::Bool: return val(*value.getBool());
    case Value::Type::Int: {
        const auto i = *value.getInt();
        if (static_cast<double>(i) >= -kMaxSafeInteger &&
            static_cast<double>(i) <= kMaxSafeInteger) {
            return val(static_cast<double>(i));
        }
        return bigint(std::to_string(i));
    }
    case Value::Type::UInt: return bigint(std::to_string(*value.getUInt()));
    case Value::Type::Double: return val(*value.getDouble());
    case Value::Type::String: return val(*value.getString());
    case Value::Type::Binary: {
        const auto& bytes = *value.getBytes();
        // A copy: a view would dangle once the value dies or the wasm memory grows.
        return val::global("Uint8Array")
            .new_(emscripten::typed_memory_view(bytes.size(), bytes.data()));
    }
    case Value::Type::Array: {
        auto array = val::array();
        for (const auto& item : *value.getArray()) {
            array.call<void>("push", toJs(item));
        }
        return array;
    }
    case Value::Type::Object: {
        auto object = val::object();
        for (const auto& [key, member] : *value.getObject()) {
            if (key == "__proto__") {
                // Assigning it would replace the object's prototype instead of adding a member.
                auto descriptor = val::object();
                descriptor.set("value", toJs(member));
                descriptor.set("enumerable", true);
                descriptor.set("writable", true);
                descriptor.set("configurable", true);
                val::global("Object").call<void>("defineProperty", object, val(key), descriptor);
            } else {
                object.set(key, toJs(member));
            }
        }
        return object;
    }
    }
    return val::undefined();
}

std::optional<std::string> argumentsAsJson(const Arguments& args) {
    const bool plain = std::all_of(args.begin(), args.end(),
                                   [](const Value& arg) { return jsonGivesTheSame(arg, 1); });
    if (!plain) {
        return std::nullopt;
    }
    std::string text = "[";
    for (const auto& arg : args) {
        if (text.size() > 1) {
            text += ',';
        }
        text += toJson(arg);
    }
    text += ']';
    return text;
}

val argumentsToJs(const Arguments& args) {
    if (auto json = argumentsAsJson(args)) {
        return parsedJson(*json);
    }
    auto array = val::array();
    for (const auto& arg : args) {
        array.call<void>("push", toJs(arg));
    }
    return array;
}

} // namespace signalr::js
