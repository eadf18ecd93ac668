#pragma once

#include <string>

namespace signalr::detail {

/// The fewest significant decimal digits that read back as the same double:
/// value = 0.DIGITS x 10^exponent, DIGITS = digits[0..count) without leading zeros.
struct DecimalDigits {
    char digits[17];
    int count = 0;
    int exponent = 0;
};

/// For a finite value > 0. std::to_chars where the standard library has it for doubles, otherwise
/// shortestDigitsExact().
DecimalDigits shortestDigits(double value) noexcept;

/// The same with exact big-integer arithmetic (Burger and Dybvig's free-format algorithm): no
/// tables and little code, for the browser, whose libc++ has no floating-point std::to_chars.
DecimalDigits shortestDigitsExact(double value) noexcept;

/// Appends a finite double the way JavaScript's and fmt's shortest form writes it: fixed
/// notation for decimal exponents -4 to 15 ("0.0001", "1000000000000000"), otherwise scientific
/// with a two-digit minimum exponent ("1e+16", "-2.5e-08").
void appendShortest(double value, std::string& out);

} // namespace signalr::detail
