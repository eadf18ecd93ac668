#include "json_writer.hpp"

#include <charconv>
#include <cmath>
#include <iterator>

#include <fmt/format.h>
#include <simdjson.h>

#include "base64.hpp"

namespace signalr::detail {

namespace {

constexpr std::string_view kHexDigits = "0123456789abcdef";

bool needsEscape(unsigned char c) noexcept {
    return c < 0x20 || c == '"' || c == '\\';
}

void writeEscaped(unsigned char c, std::string& out) {
    switch (c) {
    case '"': out += "\\\""; return;
    case '\\': out += "\\\\"; return;
    case '\b': out += "\\b"; return;
    case '\f': out += "\\f"; return;
    case '\n': out += "\\n"; return;
    case '\r': out += "\\r"; return;
    case '\t': out += "\\t"; return;
    default: break;
    }
    const char escape[] = {'\\', 'u', '0', '0', kHexDigits[c >> 4], kHexDigits[c & 0xF]};
    out.append(escape, sizeof escape);
}

template <class Integer>
void writeInteger(Integer value, std::string& out) {
    char buffer[24];
    const auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, value);
    (void)ec; // 24 characters hold any 64-bit integer.
    out.append(buffer, end);
}

Result<void> writeDouble(double value, std::string& out, JsonWriteMode mode) {
    if (!std::isfinite(value)) {
        if (mode == JsonWriteMode::Strict) {
            return fail(ErrorCode::InvalidArgument, "JSON cannot carry NaN or infinity.");
        }
        out += "null";
        return {};
    }
    // fmt's "{}" is the shortest text that reads back to the same double. Floating-point
    // std::to_chars is missing from the libc++ of Emscripten 3.1.6, hence fmt.
    const auto start = out.size();
    fmt::format_to(std::back_inserter(out), "{}", value);
    if (out.find_first_of(".e", start) == std::string::npos) {
        // Keeps the value a double on the way back (and the sign of -0.0); .NET accepts "1.0"
        // for every floating-point and decimal parameter.
        out += ".0";
    }
    return {};
}

Result<void> writeArray(const Value::Array& array, std::string& out, JsonWriteMode mode) {
    out += '[';
    bool first = true;
    for (const auto& item : array) {
        if (!first) {
            out += ',';
        }
        first = false;
        if (auto written = writeJson(item, out, mode); !written) {
            return written;
        }
    }
    out += ']';
    return {};
}

Result<void> writeObject(const Value::Object& object, std::string& out, JsonWriteMode mode) {
    out += '{';
    bool first = true;
    for (const auto& [key, item] : object) {
        if (!first) {
            out += ',';
        }
        first = false;
        if (auto written = writeJsonString(key, out, mode); !written) {
            return written;
        }
        out += ':';
        if (auto written = writeJson(item, out, mode); !written) {
            return written;
        }
    }
    out += '}';
    return {};
}

} // namespace

Result<void> writeJson(const Value& value, std::string& out, JsonWriteMode mode) {
    switch (value.type()) {
    case Value::Type::Null: out += "null"; return {};
    case Value::Type::Bool: out += *value.getBool() ? "true" : "false"; return {};
    case Value::Type::Int: writeInteger(*value.getInt(), out); return {};
    case Value::Type::UInt: writeInteger(*value.getUInt(), out); return {};
    case Value::Type::Double: return writeDouble(*value.getDouble(), out, mode);
    case Value::Type::String: return writeJsonString(*value.getString(), out, mode);
    case Value::Type::Binary:
        // Base64 never needs escaping.
        out += '"';
        out += base64Encode(*value.getBytes());
        out += '"';
        return {};
    case Value::Type::Array: return writeArray(*value.getArray(), out, mode);
    case Value::Type::Object: return writeObject(*value.getObject(), out, mode);
    }
    return fail(ErrorCode::Internal, "Unknown value type.");
}

Result<void> writeJsonString(std::string_view text, std::string& out, JsonWriteMode mode) {
    if (mode == JsonWriteMode::Strict && !simdjson::validate_utf8(text.data(), text.size())) {
        return fail(ErrorCode::InvalidArgument,
                    "JSON cannot carry a string that is not valid UTF-8.");
    }
    out += '"';
    // Copy runs of plain characters in one go: most strings need no escaping at all.
    std::size_t runStart = 0;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const auto c = static_cast<unsigned char>(text[i]);
        if (needsEscape(c)) {
            out.append(text.data() + runStart, i - runStart);
            writeEscaped(c, out);
            runStart = i + 1;
        }
    }
    out.append(text.data() + runStart, text.size() - runStart);
    out += '"';
    return {};
}

void writeJsonInt(std::int64_t value, std::string& out) {
    writeInteger(value, out);
}

} // namespace signalr::detail
