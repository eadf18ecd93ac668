#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "signalr/result.hpp"
#include "signalr/value.hpp"

namespace signalr::detail {

/// What the JSON writer does with data that JSON cannot carry.
enum class JsonWriteMode {
    /// NaN and infinities become null; strings are copied byte for byte, even invalid UTF-8.
    /// For toJson(), which cannot fail.
    Lenient,
    /// NaN, infinities and strings that are not valid UTF-8 fail with InvalidArgument. For the
    /// hub protocol, where the server would reject the message anyway.
    Strict,
};

/// Appends the compact JSON text of `value` to `out`. Integers are written exactly; doubles in
/// their shortest round-trip form, with ".0" added to integral ones so that they read back as
/// doubles (1.0 -> "1.0", -0.0 -> "-0.0", 1e300 -> "1e+300"); Binary as a Base64 string.
/// On failure `out` holds a partial text: callers truncate it.
Result<void> writeJson(const Value& value, std::string& out, JsonWriteMode mode);

/// Appends `text` as a quoted JSON string: `"` and `\` are escaped, control characters below
/// 0x20 use the short escapes (\n, \t, ...) or \u00XX, and everything else, including non-ASCII
/// UTF-8, is copied as is. Fails only in Strict mode, on invalid UTF-8.
Result<void> writeJsonString(std::string_view text, std::string& out, JsonWriteMode mode);

/// Appends a decimal integer.
void writeJsonInt(std::int64_t value, std::string& out);

} // namespace signalr::detail
