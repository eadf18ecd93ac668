#pragma once

#include <string_view>
#include <utility>

#include <fmt/format.h>

#include "signalr/logging.hpp"

namespace signalr::detail {

/// A level filter in front of the user's sink. Cheap to test before formatting.
class Logger {
public:
    Logger() = default;
    Logger(LogLevel level, LogSink sink) : level_(level), sink_(std::move(sink)) {}

    bool enabled(LogLevel level) const {
        return level >= level_ && level_ != LogLevel::None && sink_;
    }

    template <class... A>
    void log(LogLevel level, fmt::format_string<A...> format, A&&... args) const {
        if (enabled(level)) {
            sink_(level, fmt::format(format, std::forward<A>(args)...));
        }
    }

private:
    LogLevel level_ = LogLevel::None;
    LogSink sink_;
};

} // namespace signalr::detail
