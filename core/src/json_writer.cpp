#include "json_writer.hpp"

#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstring>

#include <simdjson.h>

#include "base64.hpp"
#include "shortest_double.hpp"

namespace signalr::detail {

namespace {

constexpr std::string_view kHexDigits = "0123456789abcdef";

bool needsEscape(unsigned char c) noexcept {
    return c < 0x20 || c == '"' || c == '\\';
}

/// The index of the first character at or after `from` that needs escaping, or text.size().
/// Tests eight bytes at a time (SWAR): long strings are the common case in large messages.
std::size_t findEscape(std::string_view text, std::size_t from) noexcept {
    constexpr std::uint64_t kOnes = 0x0101010101010101ULL;
    constexpr std::uint64_t kHighs = 0x8080808080808080ULL;
    // Non-zero when some byte of `v` is below `n` (exact for n <= 128).
    const auto anyBelow = [](std::uint64_t v, std::uint64_t n) {
        return (v - kOnes * n) & ~v & kHighs;
    };
    std::size_t i = from;
    for (; i + 8 <= text.size(); i += 8) {
        std::uint64_t word;
        std::memcpy(&word, text.data() + i, sizeof word);
        if (anyBelow(word, 0x20) | anyBelow(word ^ (kOnes * '"'), 1) |
            anyBelow(word ^ (kOnes * '\\'), 1)) {
            break;
        }
    }
    for (; i < text.size(); ++i) {
        if (needsEscape(static_cast<unsigned char>(text[i]))) {
            return i;
        }
    }
    return text.size();
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
    // The shortest text that reads back to the same double.
    const auto start = out.size();
    appendShortest(value, out);
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
    out.reserve(out.size() + text.size() + 2);
    out += '"';
    // Copy runs of plain characters in one go: most strings need no escaping at all.
    std::size_t runStart = 0;
    for (auto i = findEscape(text, 0); i < text.size(); i = findEscape(text, runStart)) {
        out.append(text.data() + runStart, i - runStart);
        writeEscaped(static_cast<unsigned char>(text[i]), out);
        runStart = i + 1;
    }
    out.append(text.data() + runStart, text.size() - runStart);
    out += '"';
    return {};
}

void writeJsonInt(std::int64_t value, std::string& out) {
    writeInteger(value, out);
}

} // namespace signalr::detail
