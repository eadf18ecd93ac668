// InlineFunction: the move-only callable that queues the connection's calls without allocating.

#include <array>
#include <memory>
#include <string>
#include <utility>

#include <gtest/gtest.h>

#include "inline_function.hpp"

namespace signalr::detail {
namespace {

using Small = InlineFunction<int(int), 32>;

TEST(InlineFunction, EmptyUntilGivenACallable) {
    Small empty;
    EXPECT_FALSE(empty);
    Small f = [](int x) { return x + 1; };
    ASSERT_TRUE(f);
    EXPECT_EQ(f(1), 2);
}

TEST(InlineFunction, KeepsMoveOnlyStateAndHandsItOnWhenMoved) {
    auto state = std::make_unique<int>(40);
    Small f = [state = std::move(state)](int x) { return *state + x; };
    Small moved = std::move(f);
    EXPECT_FALSE(f); // NOLINT(bugprone-use-after-move): moved-from is empty by contract
    EXPECT_EQ(moved(2), 42);
    Small assigned;
    assigned = std::move(moved);
    EXPECT_EQ(assigned(1), 41);
}

TEST(InlineFunction, CallablesLargerThanItsRoomWorkToo) {
    std::array<int, 64> big{};
    big[63] = 7;
    Small f = [big](int x) { return big[63] * x; };
    Small moved = std::move(f);
    EXPECT_EQ(moved(6), 42);
}

TEST(InlineFunction, DestroysWhatItHoldsExactlyOnce) {
    auto counted = std::make_shared<int>(0);
    {
        Small f = [counted](int) { return 0; };
        Small g = std::move(f);
        Small h = [counted, pad = std::array<char, 64>{}](int) { return pad[0]; };
        EXPECT_EQ(counted.use_count(), 3);
        h = std::move(g);
        EXPECT_EQ(counted.use_count(), 2);
    }
    EXPECT_EQ(counted.use_count(), 1);
}

} // namespace
} // namespace signalr::detail
