#include <cstdint>
#include <limits>
#include <string>
#include <string_view>

#include <gtest/gtest.h>

#include "text_format.hpp"

namespace signalr::detail {
namespace {

TEST(TextFormatTest, ReplacesEachPlaceholderInOrder) {
    const std::string owned = "owned";
    EXPECT_EQ(detail::format("{} '{}' is {}", "invoke", std::string_view("Echo"), owned),
              "invoke 'Echo' is owned");
    EXPECT_EQ(detail::format("no placeholders"), "no placeholders");
    EXPECT_EQ(detail::format("{}{}", "a", "b"), "ab");
}

TEST(TextFormatTest, WritesIntegersOfEveryWidth) {
    EXPECT_EQ(detail::format("{} {} {}", 0, -7, std::size_t{42}), "0 -7 42");
    EXPECT_EQ(detail::format("{} {}", std::numeric_limits<std::int64_t>::min(),
                             std::numeric_limits<std::uint64_t>::max()),
              "-9223372036854775808 18446744073709551615");
}

} // namespace
} // namespace signalr::detail
