// Server-to-client streams against the real hub: items in order, completion, errors after items,
// typed items and cancellation.

#include <cstdint>
#include <string>
#include <vector>

#include "integration_fixture.hpp"
#include "person.hpp"

namespace signalr::integration {
namespace {

class StreamTest : public ::testing::Test {
protected:
    void SetUp() override {
        ASSERT_NE(sharedHub(), nullptr);
        auto connected = connect(hubUrl());
        ASSERT_TRUE(connected.ok()) << describe(connected);
        connection_.emplace(std::move(connected).value());
    }

    HubConnection& connection() { return *connection_; }

    int cancelledStreamCount() {
        auto count = invoke<int>(connection(), "GetCancelledStreamCount");
        EXPECT_TRUE(count.ok()) << describe(count);
        return count.valueOr(-1);
    }

    std::optional<HubConnection> connection_;
};

/// Collects the items and the completion of one stream.
template <class T>
struct StreamRecord {
    std::shared_ptr<Mailbox<T>> items = mailbox<T>();
    std::shared_ptr<Mailbox<Result<void>>> done = mailbox<Result<void>>();

    std::function<void(T)> onItem() {
        return [items = items](T item) { items->push(std::move(item)); };
    }
    HubConnection::Completion onComplete() {
        return [done = done](Result<void> r) { done->push(std::move(r)); };
    }
};

TEST_F(StreamTest, CounterDeliversItemsInOrderThenCompletes) {
    StreamRecord<int> record;
    auto subscription =
        connection().stream<int>("Counter", {5, 0}, record.onItem(), record.onComplete());
    auto done = record.done->pop();
    ASSERT_TRUE(done.has_value()) << "the stream did not complete";
    EXPECT_TRUE(done->ok()) << describe(*done);
    // Every item is delivered before the completion.
    EXPECT_EQ(record.items->take(5, 0ms), (std::vector<int>{0, 1, 2, 3, 4}));
    EXPECT_EQ(record.items->size(), 0u);
}

// Regression for dotnet/aspnetcore#35517: cancelling what already finished does nothing.
TEST_F(StreamTest, CancelAfterTheStreamEndedDoesNothing) {
    StreamRecord<int> record;
    auto subscription =
        connection().stream<int>("Counter", {2, 0}, record.onItem(), record.onComplete());
    auto done = record.done->pop();
    ASSERT_TRUE(done.has_value());
    EXPECT_TRUE(done->ok()) << describe(*done);
    subscription.cancel();
    EXPECT_EQ(invoke<int>(connection(), "Add", {1, 2}).valueOr(0), 3);
    EXPECT_EQ(record.done->size(), 0u) << "the completion ran again";
    EXPECT_EQ(connection().state(), ConnectionState::Connected);
}

TEST_F(StreamTest, CounterWithDelaysStreamsAsItGoes) {
    StreamRecord<int> record;
    auto subscription =
        connection().stream<int>("Counter", {3, 50}, record.onItem(), record.onComplete());
    auto first = record.items->pop();
    ASSERT_TRUE(first.has_value());
    EXPECT_EQ(*first, 0);
    auto done = record.done->pop();
    ASSERT_TRUE(done.has_value());
    EXPECT_TRUE(done->ok()) << describe(*done);
    EXPECT_EQ(record.items->take(2, 0ms), (std::vector<int>{1, 2}));
}

TEST_F(StreamTest, ChannelCounter) {
    StreamRecord<int> record;
    auto subscription =
        connection().stream<int>("ChannelCounter", {25, 0}, record.onItem(), record.onComplete());
    auto done = record.done->pop();
    ASSERT_TRUE(done.has_value());
    EXPECT_TRUE(done->ok()) << describe(*done);
    std::vector<int> expected(25);
    for (int i = 0; i < 25; ++i) {
        expected[static_cast<std::size_t>(i)] = i;
    }
    EXPECT_EQ(record.items->take(25, 0ms), expected);
}

TEST_F(StreamTest, AnEmptyStreamJustCompletes) {
    StreamRecord<int> record;
    auto subscription =
        connection().stream<int>("Counter", {0, 0}, record.onItem(), record.onComplete());
    auto done = record.done->pop();
    ASSERT_TRUE(done.has_value());
    EXPECT_TRUE(done->ok()) << describe(*done);
    EXPECT_EQ(record.items->size(), 0u);
}

TEST_F(StreamTest, AFailingStreamDeliversItsItemsThenTheError) {
    StreamRecord<int> record;
    auto subscription =
        connection().stream<int>("FailingStream", {3, "bad"}, record.onItem(), record.onComplete());
    auto done = record.done->pop();
    ASSERT_TRUE(done.has_value());
    ASSERT_FALSE(done->ok());
    EXPECT_EQ(done->error().code, ErrorCode::HubError) << describe(*done);
    EXPECT_NE(done->error().serverMessage.find("bad"), std::string::npos) << describe(*done);
    EXPECT_EQ(done->error().serverMessage,
              "An error occurred on the server while streaming results. HubException: bad");
    EXPECT_EQ(record.items->take(3, 0ms), (std::vector<int>{0, 1, 2}));
    EXPECT_EQ(connection().state(), ConnectionState::Connected);
}

TEST_F(StreamTest, TypedItemsOfAUserDefinedType) {
    StreamRecord<Person> record;
    auto subscription =
        connection().stream<Person>("StreamPeople", {3}, record.onItem(), record.onComplete());
    auto done = record.done->pop();
    ASSERT_TRUE(done.has_value());
    EXPECT_TRUE(done->ok()) << describe(*done);
    const std::vector<Person> expected{
        {"Person 0", 0, {"tag0", "streamed"}, Address{"City 0", "00000"}},
        {"Person 1", 1, {"tag1", "streamed"}, std::nullopt},
        {"Person 2", 2, {"tag2", "streamed"}, Address{"City 2", "00002"}},
    };
    EXPECT_EQ(record.items->take(3, 0ms), expected);
}

TEST_F(StreamTest, ItemsOfTheWrongTypeEndTheStreamWithATypeMismatch) {
    StreamRecord<std::string> record;
    auto subscription =
        connection().stream<std::string>("Counter", {3, 0}, record.onItem(), record.onComplete());
    auto done = record.done->pop();
    ASSERT_TRUE(done.has_value());
    ASSERT_FALSE(done->ok());
    EXPECT_EQ(done->error().code, ErrorCode::TypeMismatch) << describe(*done);
    EXPECT_EQ(record.items->size(), 0u);
    EXPECT_EQ(invoke<int>(connection(), "Add", {1, 2}).valueOr(0), 3);
}

TEST_F(StreamTest, CancelEndsAnInfiniteStreamAndTheServerSeesIt) {
    const int cancelledBefore = cancelledStreamCount();
    StreamRecord<std::int64_t> record;
    auto subscription = connection().stream<std::int64_t>("InfiniteCounter", {10}, record.onItem(),
                                                          record.onComplete());
    EXPECT_EQ(record.items->take(3), (std::vector<std::int64_t>{0, 1, 2}));
    subscription.cancel();
    auto done = record.done->pop();
    ASSERT_TRUE(done.has_value()) << "cancel() did not complete the stream";
    ASSERT_FALSE(done->ok());
    EXPECT_EQ(done->error().code, ErrorCode::Cancelled) << describe(*done);
    subscription.cancel(); // a second cancel does nothing

    // The server counts the cancellation once its token fires: poll with a deadline.
    const auto deadline = Clock::now() + kTimeout;
    int cancelledAfter = cancelledStreamCount();
    while (cancelledAfter <= cancelledBefore && Clock::now() < deadline) {
        cancelledAfter = cancelledStreamCount();
    }
    EXPECT_GT(cancelledAfter, cancelledBefore);
    EXPECT_EQ(record.done->size(), 0u) << "the completion ran twice";
    EXPECT_EQ(connection().state(), ConnectionState::Connected);
}

TEST_F(StreamTest, SeveralStreamsAtOnceKeepTheirItemsApart) {
    StreamRecord<int> a;
    StreamRecord<int> b;
    auto subA = connection().stream<int>("Counter", {20, 0}, a.onItem(), a.onComplete());
    auto subB = connection().stream<int>("ChannelCounter", {30, 0}, b.onItem(), b.onComplete());
    auto doneA = a.done->pop();
    auto doneB = b.done->pop();
    ASSERT_TRUE(doneA.has_value() && doneB.has_value());
    EXPECT_TRUE(doneA->ok()) << describe(*doneA);
    EXPECT_TRUE(doneB->ok()) << describe(*doneB);
    const auto itemsA = a.items->take(20, 0ms);
    const auto itemsB = b.items->take(30, 0ms);
    ASSERT_EQ(itemsA.size(), 20u);
    ASSERT_EQ(itemsB.size(), 30u);
    for (int i = 0; i < 20; ++i) {
        EXPECT_EQ(itemsA[static_cast<std::size_t>(i)], i);
    }
    for (int i = 0; i < 30; ++i) {
        EXPECT_EQ(itemsB[static_cast<std::size_t>(i)], i);
    }
}

} // namespace
} // namespace signalr::integration
