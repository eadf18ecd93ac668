#pragma once

#include <string>
#include <utility>

#include "signalr/logging.hpp"
#include "text_format.hpp"

#ifndef SIGNALR_MIN_LOG_LEVEL
#define SIGNALR_MIN_LOG_LEVEL 0
#endif

namespace signalr::detail {

/// Lines below this level are compiled out, their formatting included (the CMake option
/// SIGNALR_MIN_LOG_LEVEL; Trace, i.e. everything, unless a size-conscious build raises it).
inline constexpr LogLevel kMinLogLevel = static_cast<LogLevel>(SIGNALR_MIN_LOG_LEVEL);

/// A level filter in front of the user's sink. Cheap to test before formatting.
class Logger {
public:
    Logger() = default;
    Logger(LogLevel level, LogSink sink) : level_(level), sink_(std::move(sink)) {}

    // Always inlined, so that a constant level below kMinLogLevel removes the whole call site.
    [[gnu::always_inline]] bool enabled(LogLevel level) const {
        return level >= kMinLogLevel && level >= level_ && level_ != LogLevel::None && sink_;
    }

    template <class... A>
    [[gnu::always_inline]] void log(LogLevel level, FormatString<std::type_identity_t<A>...> format,
                                    const A&... args) const {
        if (enabled(level)) {
            write(level, format.text, {FormatArg(args)...});
        }
    }

private:
    void write(LogLevel level, std::string_view format,
               std::initializer_list<FormatArg> args) const {
        std::string line;
        formatTo(line, format, args);
        sink_(level, line);
    }

    LogLevel level_ = LogLevel::None;
    LogSink sink_;
};

} // namespace signalr::detail
