#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "outgoing_queue.hpp"

namespace signalr::detail {
namespace {

using namespace std::chrono_literals;
using Clock = Executor::Clock;

const Clock::time_point kT0 = Clock::time_point(std::chrono::hours(1));

OutgoingQueue::Entry entry(std::uint64_t id, std::size_t bytes = 10,
                           Clock::time_point deadline = kT0 + 30s) {
    return OutgoingQueue::Entry{id, bytes, deadline, {}, {}, "call " + std::to_string(id)};
}

std::vector<std::uint64_t> ids(const std::vector<OutgoingQueue::Entry>& entries) {
    std::vector<std::uint64_t> out;
    for (const auto& e : entries) {
        out.push_back(e.id);
    }
    return out;
}

std::vector<std::uint64_t> drain(OutgoingQueue& queue) {
    std::vector<std::uint64_t> out;
    while (auto e = queue.popFront()) {
        out.push_back(e->id);
    }
    return out;
}

OutgoingQueueOptions limits(std::size_t messages, std::size_t bytes, QueueFullStrategy strategy) {
    OutgoingQueueOptions o;
    o.maxMessages = messages;
    o.maxBytes = bytes;
    o.whenFull = strategy;
    return o;
}

struct FullCase {
    const char* name;
    QueueFullStrategy strategy;
    std::vector<std::uint64_t> dropped;
    std::vector<std::uint64_t> kept;
};

class QueueFullTest : public ::testing::TestWithParam<FullCase> {};

TEST_P(QueueFullTest, ByCount) {
    const auto& c = GetParam();
    OutgoingQueue queue;
    auto o = limits(3, 1000, c.strategy);
    for (std::uint64_t i = 1; i <= 3; ++i) {
        EXPECT_TRUE(queue.push(entry(i), o).empty());
    }
    EXPECT_EQ(ids(queue.push(entry(4), o)), c.dropped);
    EXPECT_EQ(drain(queue), c.kept);
    EXPECT_EQ(queue.bytes(), 0u);
}

TEST_P(QueueFullTest, ByBytes) {
    const auto& c = GetParam();
    OutgoingQueue queue;
    auto o = limits(100, 35, c.strategy);
    for (std::uint64_t i = 1; i <= 3; ++i) {
        EXPECT_TRUE(queue.push(entry(i), o).empty());
    }
    EXPECT_EQ(queue.bytes(), 30u);
    EXPECT_EQ(ids(queue.push(entry(4), o)), c.dropped);
    EXPECT_EQ(drain(queue), c.kept);
}

INSTANTIATE_TEST_SUITE_P(
    Strategies, QueueFullTest,
    ::testing::Values(FullCase{"DropOldest", QueueFullStrategy::DropOldest, {1}, {2, 3, 4}},
                      FullCase{"DropNewest", QueueFullStrategy::DropNewest, {3}, {1, 2, 4}},
                      FullCase{"Fail", QueueFullStrategy::Fail, {4}, {1, 2, 3}}),
    [](const auto& info) { return std::string(info.param.name); });

TEST(OutgoingQueueTest, EvictsAsManyAsNeededForABigCall) {
    OutgoingQueue queue;
    auto o = limits(100, 30, QueueFullStrategy::DropOldest);
    for (std::uint64_t i = 1; i <= 3; ++i) {
        ASSERT_TRUE(queue.push(entry(i), o).empty());
    }
    EXPECT_EQ(ids(queue.push(entry(4, 25), o)), (std::vector<std::uint64_t>{1, 2, 3}));
    EXPECT_EQ(queue.bytes(), 25u);
}

TEST(OutgoingQueueTest, ACallLargerThanTheWholeQueueIsRejectedWhateverTheStrategy) {
    for (auto strategy :
         {QueueFullStrategy::DropOldest, QueueFullStrategy::DropNewest, QueueFullStrategy::Fail}) {
        OutgoingQueue queue;
        auto o = limits(100, 30, strategy);
        ASSERT_TRUE(queue.push(entry(1), o).empty());
        EXPECT_EQ(ids(queue.push(entry(2, 31), o)), (std::vector<std::uint64_t>{2}));
        EXPECT_EQ(drain(queue), (std::vector<std::uint64_t>{1}));
    }
}

TEST(OutgoingQueueTest, ZeroCapacityRejectsEverything) {
    OutgoingQueue queue;
    EXPECT_EQ(ids(queue.push(entry(1), limits(0, 100, QueueFullStrategy::DropOldest))),
              (std::vector<std::uint64_t>{1}));
    EXPECT_TRUE(queue.empty());
}

TEST(OutgoingQueueTest, ExpiresByDeadlineAndKeepsTheOrderOfTheRest) {
    OutgoingQueue queue;
    auto o = limits(100, 1000, QueueFullStrategy::Fail);
    queue.push(entry(1, 10, kT0 + 5s), o);
    queue.push(entry(2, 10, kT0 + 20s), o);
    queue.push(entry(3, 10, kT0 + 10s), o);
    queue.push(entry(4, 10, kT0 + 30s), o);
    EXPECT_EQ(queue.nextDeadline(), kT0 + 5s);
    EXPECT_TRUE(queue.takeExpired(kT0 + 4s).empty());
    EXPECT_EQ(ids(queue.takeExpired(kT0 + 10s)), (std::vector<std::uint64_t>{1, 3}));
    EXPECT_EQ(queue.bytes(), 20u);
    EXPECT_EQ(queue.nextDeadline(), kT0 + 20s);
    EXPECT_EQ(drain(queue), (std::vector<std::uint64_t>{2, 4}));
}

TEST(OutgoingQueueTest, RemovesOneEntryById) {
    OutgoingQueue queue;
    auto o = limits(100, 1000, QueueFullStrategy::Fail);
    for (std::uint64_t i = 1; i <= 3; ++i) {
        queue.push(entry(i), o);
    }
    auto removed = queue.remove(2);
    ASSERT_TRUE(removed.has_value());
    EXPECT_EQ(removed->id, 2u);
    EXPECT_FALSE(queue.remove(2).has_value());
    EXPECT_EQ(queue.bytes(), 20u);
    EXPECT_EQ(drain(queue), (std::vector<std::uint64_t>{1, 3}));
}

TEST(OutgoingQueueTest, TakeAllEmptiesInOrder) {
    OutgoingQueue queue;
    auto o = limits(100, 1000, QueueFullStrategy::Fail);
    for (std::uint64_t i = 1; i <= 5; ++i) {
        queue.push(entry(i), o);
    }
    auto all = queue.takeAll();
    std::vector<std::uint64_t> order;
    for (const auto& e : all) {
        order.push_back(e.id);
    }
    EXPECT_EQ(order, (std::vector<std::uint64_t>{1, 2, 3, 4, 5}));
    EXPECT_TRUE(queue.empty());
    EXPECT_EQ(queue.bytes(), 0u);
    EXPECT_FALSE(queue.nextDeadline().has_value());
}

} // namespace
} // namespace signalr::detail
