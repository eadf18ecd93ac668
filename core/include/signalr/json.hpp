#pragma once

#include <string>
#include <string_view>

#include "signalr/result.hpp"
#include "signalr/value.hpp"

namespace signalr {

/// Compact JSON text of a value. Bytes become Base64 strings (as .NET byte[]); NaN and
/// infinities become null, since JSON cannot carry them.
std::string toJson(const Value& value);

/// Parses one JSON document. Integers keep all 64 bits; nesting deeper than 64 levels, invalid
/// UTF-8 and numbers beyond 64 bits give ErrorCode::ProtocolError.
Result<Value> parseJson(std::string_view text);

} // namespace signalr
