#pragma once

#include <string_view>

#include "signalr/error.hpp"
#include "signalr/value.hpp"

namespace signalr::cli {

/// Writes `value` as compact JSON on one line of stdout and flushes, so a pipe (jq, head) sees
/// each result as it arrives. stdout carries nothing else.
void printJsonLine(const Value& value);

/// Writes "error: <text>" to stderr: the server's own words for hub errors, the library's
/// message otherwise.
void printError(const Error& error);

/// Writes "error: <message>" to stderr.
void printError(std::string_view message);

/// Writes a diagnostic line (a --verbose event) to stderr.
void printNote(std::string_view message);

} // namespace signalr::cli
