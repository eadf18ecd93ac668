#pragma once

#include <span>
#include <string_view>

#include "signalr/result.hpp"
#include "signalr/value.hpp"

namespace signalr::cli {

/// Parses each word as one JSON value (`42`, `'"text"'`, `'{"a":[1]}'`). A word that is not
/// JSON gives ErrorCode::InvalidArgument naming the word.
Result<Arguments> parseJsonArguments(std::span<const std::string_view> words);

} // namespace signalr::cli
