#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include <fmt/format.h>

namespace signalr::detail {

/// A frame as text for trace logs: record separators shown as a visible mark.
inline std::string printable(std::string_view frame) {
    std::string out;
    out.reserve(frame.size());
    for (char c : frame) {
        if (c == '\x1e') {
            out += "<RS>";
        } else {
            out += c;
        }
    }
    return out;
}

/// "1.5 s".
inline std::string seconds(std::chrono::milliseconds ms) {
    return fmt::format("{:g} s", static_cast<double>(ms.count()) / 1000.0);
}

} // namespace signalr::detail
