#include "signalr/converter.hpp"

#include <string>

#include "base64.hpp"
#include "signalr/json.hpp"

namespace signalr {

namespace detail {

Error typeMismatch(std::string_view expected, const Value& got) {
    std::string message = "Expected ";
    message += expected;
    message += " but got ";
    message += toString(got.type());
    message += '.';
    return fail(ErrorCode::TypeMismatch, std::move(message));
}

Error outOfRange(std::string_view target, const Value& got) {
    // Numbers are short, and showing the offending one makes the error actionable.
    std::string message = "The number ";
    message += got.isNumber() ? toJson(got) : std::string(toString(got.type()));
    message += " does not fit the target ";
    message += target;
    message += " type.";
    return fail(ErrorCode::TypeMismatch, std::move(message));
}

} // namespace detail

Result<std::nullptr_t> Converter<std::nullptr_t>::fromValue(const Value& v) {
    if (!v.isNull()) {
        return detail::typeMismatch("null", v);
    }
    return nullptr;
}

Result<bool> Converter<bool>::fromValue(const Value& v) {
    const auto b = v.getBool();
    if (!b) {
        return detail::typeMismatch("bool", v);
    }
    return *b;
}

Result<std::string> Converter<std::string>::fromValue(const Value& v) {
    const auto* s = v.getString();
    if (s == nullptr) {
        return detail::typeMismatch("string", v);
    }
    return *s;
}

Result<std::string> Converter<std::string>::fromValue(Value&& v) {
    auto* s = v.getString();
    if (s == nullptr) {
        return detail::typeMismatch("string", v);
    }
    return std::move(*s);
}

Result<Bytes> Converter<Bytes>::fromValue(const Value& v) {
    if (const auto* bytes = v.getBytes()) {
        return *bytes;
    }
    const auto* text = v.getString();
    if (text == nullptr) {
        return detail::typeMismatch("binary or Base64 string", v);
    }
    auto decoded = detail::base64Decode(*text);
    if (!decoded) {
        return fail(ErrorCode::TypeMismatch, "Expected binary data but got a string that is not "
                                             "valid Base64.");
    }
    return std::move(*decoded);
}

Result<Value::Array> Converter<Value::Array>::fromValue(const Value& v) {
    const auto* array = v.getArray();
    if (array == nullptr) {
        return detail::typeMismatch("array", v);
    }
    return *array;
}

Result<Value::Object> Converter<Value::Object>::fromValue(const Value& v) {
    const auto* object = v.getObject();
    if (object == nullptr) {
        return detail::typeMismatch("object", v);
    }
    return *object;
}

} // namespace signalr
