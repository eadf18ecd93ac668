#pragma once

#include <functional>
#include <string_view>

namespace signalr {

/// Severity of a log line; None turns logging off.
enum class LogLevel { Trace, Debug, Information, Warning, Error, Critical, None };

std::string_view toString(LogLevel level) noexcept;

/// Receives log lines on the executor thread. Access tokens never appear in them.
using LogSink = std::function<void(LogLevel level, std::string_view message)>;

} // namespace signalr
