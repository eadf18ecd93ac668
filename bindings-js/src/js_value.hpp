#pragma once

#include <emscripten/val.h>

#include <optional>
#include <string>

#include "signalr/result.hpp"
#include "signalr/value.hpp"

namespace signalr::js {

/// A JavaScript value as a signalr::Value: null/undefined, booleans, numbers (integral ones as
/// Int, so 3 and 3.0 travel as `3`), BigInt (Int or UInt; beyond 64 bits is an error), strings,
/// Uint8Array/ArrayBuffer (Binary), arrays and plain objects (own enumerable keys in order;
/// members that are undefined, functions or symbols are left out, and toJSON() is honoured, as
/// JSON.stringify does). Functions, symbols and nesting deeper than 64 levels (or a cycle) are
/// an InvalidArgument error.
Result<Value> fromJs(const emscripten::val& value);

/// A signalr::Value as a JavaScript value: integers within ±(2^53 - 1) as numbers, larger ones
/// as BigInt, so no digit is lost; Binary as Uint8Array; objects as plain objects.
emscripten::val toJs(const Value& value);

/// Arguments from a JavaScript array.
Result<Arguments> argumentsFromJs(const emscripten::val& array);

/// Arguments as a JavaScript array.
emscripten::val argumentsToJs(const Arguments& args);

/// The JSON text of the arguments as an array when JSON.parse of it gives what argumentsToJs
/// gives (no bytes, no integers beyond 2^53, no NaN or infinities), std::nullopt otherwise.
std::optional<std::string> argumentsAsJson(const Arguments& args);

} // namespace signalr::js
