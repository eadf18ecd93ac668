#pragma once

#include <charconv>
#include <concepts>
#include <cstddef>
#include <initializer_list>
#include <string>
#include <string_view>
#include <type_traits>

namespace signalr::detail {

/// One argument of format(): text, or an integer turned into text where the call is made.
class FormatArg {
public:
    FormatArg(std::string_view text) noexcept : text_(text) {}
    FormatArg(const std::string& text) noexcept : text_(text) {}
    FormatArg(const char* text) noexcept : text_(text) {}
    template <std::integral I>
        requires(!std::same_as<I, bool> && !std::same_as<I, char>)
    FormatArg(I value)
    noexcept {
        // 24 characters hold any 64-bit integer.
        digitCount_ = static_cast<std::size_t>(
            std::to_chars(digits_, digits_ + sizeof digits_, value).ptr - digits_);
    }

    std::string_view text() const noexcept {
        return digitCount_ != 0 ? std::string_view(digits_, digitCount_) : text_;
    }

private:
    std::string_view text_;
    char digits_[24];
    std::size_t digitCount_ = 0;
};

// Reached only by a format string whose "{}" count differs from its argument count: calling a
// non-constexpr function there makes the consteval constructor below fail to compile.
void formatArgumentCountMismatch();

/// A format string checked at compile time: as many "{}" as arguments.
template <class... A>
struct FormatString {
    template <class S>
        requires std::convertible_to<const S&, std::string_view>
    consteval FormatString(const S& pattern) : text(pattern) {
        std::size_t placeholders = 0;
        for (std::size_t i = 0; i + 1 < text.size(); ++i) {
            if (text[i] == '{' && text[i + 1] == '}') {
                ++placeholders;
            }
        }
        if (placeholders != sizeof...(A)) {
            formatArgumentCountMismatch();
        }
    }
    std::string_view text;
};

/// Appends `pattern` to `out` with each "{}" replaced by the next argument's text.
void formatTo(std::string& out, std::string_view pattern, std::initializer_list<FormatArg> args);

/// `pattern` with each "{}" replaced by the next argument: the small subset of std::format the
/// library's messages need, without its code size (which matters in the browser).
template <class... A>
std::string format(FormatString<std::type_identity_t<A>...> pattern, const A&... args) {
    std::string out;
    formatTo(out, pattern.text, {FormatArg(args)...});
    return out;
}

} // namespace signalr::detail
