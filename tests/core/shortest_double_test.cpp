#include <bit>
#include <cfloat>
#include <charconv>
#include <cstdint>
#include <random>
#include <string>
#include <string_view>
#include <version>

#include <gtest/gtest.h>

#include "shortest_double.hpp"

namespace signalr::detail {
namespace {

std::string digitsOf(const DecimalDigits& d) {
    return std::string(d.digits, static_cast<std::size_t>(d.count)) + " e" +
           std::to_string(d.exponent);
}

std::string shortest(double value) {
    std::string out;
    appendShortest(value, out);
    return out;
}

TEST(ShortestDoubleTest, ExactDigitsOfKnownValues) {
    EXPECT_EQ(digitsOf(shortestDigitsExact(1.0)), "1 e1");
    EXPECT_EQ(digitsOf(shortestDigitsExact(0.1)), "1 e0");
    EXPECT_EQ(digitsOf(shortestDigitsExact(123456789.125)), "123456789125 e9");
    EXPECT_EQ(digitsOf(shortestDigitsExact(5e-324)), "5 e-323");
    EXPECT_EQ(digitsOf(shortestDigitsExact(DBL_MAX)), "17976931348623157 e309");
    EXPECT_EQ(digitsOf(shortestDigitsExact(DBL_MIN)), "22250738585072014 e-307");
    EXPECT_EQ(digitsOf(shortestDigitsExact(1e23)), "1 e24");
    EXPECT_EQ(digitsOf(shortestDigitsExact(1.0 / 3)), "3333333333333333 e0");
}

TEST(ShortestDoubleTest, LaysOutLikeJavaScriptAndFmt) {
    EXPECT_EQ(shortest(0.1), "0.1");
    EXPECT_EQ(shortest(0.0001), "0.0001");
    EXPECT_EQ(shortest(0.00001), "1e-05");
    EXPECT_EQ(shortest(-2.5e-8), "-2.5e-08");
    EXPECT_EQ(shortest(1e15), "1000000000000000");
    EXPECT_EQ(shortest(1e16), "1e+16");
    EXPECT_EQ(shortest(1.5e300), "1.5e+300");
    EXPECT_EQ(shortest(123456789.125), "123456789.125");
    EXPECT_EQ(shortest(-0.0), "-0");
    EXPECT_EQ(shortest(0.0), "0");
}

#if defined(__cpp_lib_to_chars)
// The browser build has only the exact algorithm: it must agree with std::to_chars everywhere.
TEST(ShortestDoubleTest, ExactDigitsMatchToChars) {
    std::mt19937_64 random(20261127);
    const auto check = [](double value) {
        if (!(value > 0) || value > DBL_MAX) {
            return;
        }
        char text[32];
        const auto end =
            std::to_chars(text, text + sizeof text, value, std::chars_format::scientific).ptr;
        const std::string_view scientific(text, static_cast<std::size_t>(end - text));
        const DecimalDigits d = shortestDigitsExact(value);
        std::string expected(1, d.digits[0]);
        if (d.count > 1) {
            expected += '.';
            expected.append(d.digits + 1, static_cast<std::size_t>(d.count - 1));
        }
        const int exponent = d.exponent - 1;
        expected += exponent < 0 ? "e-" : "e+";
        const std::string magnitude = std::to_string(exponent < 0 ? -exponent : exponent);
        expected += (magnitude.size() < 2 ? "0" : "") + magnitude;
        ASSERT_EQ(expected, scientific);
    };
    for (int i = 0; i < 5000; ++i) {
        check(std::bit_cast<double>(random()));
        // Powers of two (unequal gaps) and subnormals.
        check(std::bit_cast<double>((random() % 2047) << 52));
        check(std::bit_cast<double>(random() % (std::uint64_t{1} << 52)));
        check(static_cast<double>(random() % 100000000) / 1000.0);
    }
}
#endif

} // namespace
} // namespace signalr::detail
