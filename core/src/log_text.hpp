#pragma once

#include <chrono>
#include <string>
#include <string_view>

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

/// "1.5 s": milliseconds as seconds, without trailing zeros.
inline std::string seconds(std::chrono::milliseconds ms) {
    const auto count = ms.count();
    const auto magnitude = count < 0 ? -count : count;
    std::string out = count < 0 ? "-" : "";
    out += std::to_string(magnitude / 1000);
    if (auto fraction = magnitude % 1000; fraction != 0) {
        std::string digits = std::to_string(1000 + fraction).substr(1);
        digits.erase(digits.find_last_not_of('0') + 1);
        out += '.';
        out += digits;
    }
    out += " s";
    return out;
}

} // namespace signalr::detail
