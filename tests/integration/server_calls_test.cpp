// Calls from the hub to the client: broadcasts between connections, callbacks with arbitrary
// arguments, handler registration and removal, and client results (onInvocation).

#include <atomic>
#include <cstdint>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "integration_fixture.hpp"

namespace signalr::integration {
namespace {

using Broadcast = std::pair<std::string, std::string>; // (sender's connectionId, message)

class ServerCallsTest : public ::testing::Test {
protected:
    void SetUp() override { ASSERT_NE(sharedHub(), nullptr); }

    /// A connected connection whose "Broadcast" calls land in the returned mailbox.
    std::pair<std::optional<HubConnection>, std::shared_ptr<Mailbox<Broadcast>>> listener() {
        auto received = mailbox<Broadcast>();
        auto built = build(hubUrl());
        EXPECT_TRUE(built.ok()) << describe(built);
        if (!built) {
            return {std::nullopt, received};
        }
        auto& connection = built.value();
        connection.on("Broadcast", [received](std::string connectionId, std::string message) {
            received->push({std::move(connectionId), std::move(message)});
        });
        auto started = start(connection);
        EXPECT_TRUE(started.ok()) << describe(started);
        return {std::move(built).value(), received};
    }
};

TEST_F(ServerCallsTest, ConnectionIdMatchesTheServers) {
    auto connected = connect(hubUrl());
    ASSERT_TRUE(connected.ok()) << describe(connected);
    auto& connection = connected.value();
    auto serverId = invoke<std::string>(connection, "GetConnectionId");
    ASSERT_TRUE(serverId.ok()) << describe(serverId);
    ASSERT_TRUE(connection.connectionId().has_value());
    EXPECT_EQ(*connection.connectionId(), serverId.value());
    EXPECT_FALSE(serverId.value().empty());
}

TEST_F(ServerCallsTest, BroadcastsReachTheRightConnections) {
    auto [a, toA] = listener();
    auto [b, toB] = listener();
    ASSERT_TRUE(a && b);
    ASSERT_TRUE(a->connectionId() && b->connectionId());
    const std::string idA = *a->connectionId();
    const std::string idB = *b->connectionId();
    ASSERT_NE(idA, idB);

    ASSERT_TRUE(invoke<void>(*a, "BroadcastAll", {"to all"}).ok());
    EXPECT_EQ(toA->pop(), (Broadcast{idA, "to all"}));
    EXPECT_EQ(toB->pop(), (Broadcast{idA, "to all"}));

    ASSERT_TRUE(invoke<void>(*a, "BroadcastOthers", {"to others"}).ok());
    EXPECT_EQ(toB->pop(), (Broadcast{idA, "to others"}));

    // Messages to one connection arrive in order, so the next one A receives shows that
    // "to others" never reached it.
    ASSERT_TRUE(invoke<void>(*a, "BroadcastCaller", {"to A only"}).ok());
    EXPECT_EQ(toA->pop(), (Broadcast{idA, "to A only"}));

    ASSERT_TRUE(invoke<void>(*b, "BroadcastCaller", {"to B only"}).ok());
    EXPECT_EQ(toB->pop(), (Broadcast{idB, "to B only"}));

    EXPECT_EQ(toA->size(), 0u);
    EXPECT_EQ(toB->size(), 0u);
}

TEST_F(ServerCallsTest, CallMeBackWithArbitraryArguments) {
    auto connected = build(hubUrl());
    ASSERT_TRUE(connected.ok()) << describe(connected);
    auto& connection = connected.value();
    auto raw = mailbox<Arguments>();
    connection.on("Raw", [raw](const Arguments& args) { raw->push(args); });
    ASSERT_TRUE(start(connection).ok());

    const Arguments args{"text",
                         std::int64_t{-9007199254740993},
                         2.5,
                         true,
                         nullptr,
                         Value::fromArray({1, "two"}),
                         Value::fromObject({{"nested", Value::fromObject({{"ok", true}})}})};
    auto called = invoke<void>(connection, "CallMeBack", {"Raw", Value::fromArray(args)});
    ASSERT_TRUE(called.ok()) << describe(called);
    auto got = raw->pop();
    ASSERT_TRUE(got.has_value());
    EXPECT_EQ(*got, args);

    auto none = invoke<void>(connection, "CallMeBack", {"Raw", Value::fromArray({})});
    ASSERT_TRUE(none.ok()) << describe(none);
    auto empty = raw->pop();
    ASSERT_TRUE(empty.has_value());
    EXPECT_TRUE(empty->empty());
}

TEST_F(ServerCallsTest, SeveralHandlersRunInOrderAndOffRemovesThem) {
    auto connected = connect(hubUrl());
    ASSERT_TRUE(connected.ok()) << describe(connected);
    auto& connection = connected.value();
    auto calls = mailbox<std::string>();

    // Registered while connected.
    connection.on("Ping", [calls](std::string text, std::int64_t n, bool flag) {
        calls->push("typed " + text + " " + std::to_string(n) + (flag ? " yes" : " no"));
    });
    const HandlerId raw = connection.on(
        "Ping", [calls](const Arguments& args) { calls->push("raw " + toJson(args.at(0))); });
    connection.on("Ping", [calls](const Arguments&) { calls->push("3"); });

    auto callBack = [&] {
        auto r =
            invoke<void>(connection, "CallMeBack", {"Ping", Value::fromArray({"hi", 7, true})});
        EXPECT_TRUE(r.ok()) << describe(r);
    };

    callBack();
    EXPECT_EQ(calls->take(3), (std::vector<std::string>{"typed hi 7 yes", "raw \"hi\"", "3"}));

    // The server writes the callback before the completion, and callbacks run in order on one
    // thread: once the invoke completed, every handler it triggered has run.
    connection.off(raw);
    callBack();
    EXPECT_EQ(calls->take(2), (std::vector<std::string>{"typed hi 7 yes", "3"}));
    EXPECT_EQ(calls->size(), 0u);

    connection.off(raw); // unknown ids are ignored
    connection.off("Ping");
    callBack();
    EXPECT_EQ(calls->size(), 0u);

    // Handlers can come back after off().
    connection.on("Ping", [calls](const Arguments&) { calls->push("again"); });
    callBack();
    EXPECT_EQ(calls->pop(), "again");
    EXPECT_EQ(connection.state(), ConnectionState::Connected);
}

TEST_F(ServerCallsTest, CallbacksWhoseArgumentsDoNotConvertAreSkipped) {
    auto connected = connect(hubUrl());
    ASSERT_TRUE(connected.ok()) << describe(connected);
    auto& connection = connected.value();
    auto calls = mailbox<std::int64_t>();
    connection.on("Number", [calls](std::int64_t n) { calls->push(n); });
    auto bad = invoke<void>(connection, "CallMeBack", {"Number", Value::fromArray({"nope"})});
    EXPECT_TRUE(bad.ok()) << describe(bad);
    auto good = invoke<void>(connection, "CallMeBack", {"Number", Value::fromArray({5})});
    EXPECT_TRUE(good.ok()) << describe(good);
    EXPECT_EQ(calls->pop(), 5);
    EXPECT_EQ(calls->size(), 0u);
    EXPECT_EQ(connection.state(), ConnectionState::Connected);
}

TEST_F(ServerCallsTest, CallbacksWithNoHandlerAreIgnored) {
    auto connected = connect(hubUrl());
    ASSERT_TRUE(connected.ok()) << describe(connected);
    auto& connection = connected.value();
    auto r = invoke<void>(connection, "CallMeBack", {"Nobody", Value::fromArray({1})});
    EXPECT_TRUE(r.ok()) << describe(r);
    EXPECT_EQ(invoke<int>(connection, "Add", {1, 2}).valueOr(0), 3);
}

TEST_F(ServerCallsTest, ServerSideCallbacksArriveInOrder) {
    auto connected = build(hubUrl());
    ASSERT_TRUE(connected.ok()) << describe(connected);
    auto& connection = connected.value();
    auto seq = mailbox<int>();
    connection.on("Seq", [seq](int i) { seq->push(i); });
    ASSERT_TRUE(start(connection).ok());
    ASSERT_TRUE(invoke<void>(connection, "Sequence", {500}).ok());
    const auto got = seq->take(500);
    ASSERT_EQ(got.size(), 500u);
    for (int i = 0; i < 500; ++i) {
        ASSERT_EQ(got[static_cast<std::size_t>(i)], i + 1);
    }
}

// Regression for dotnet/aspnetcore#27445: on()/off() from another thread while messages arrive.
TEST_F(ServerCallsTest, HandlersCanChangeWhileMessagesArrive) {
    auto connected = build(hubUrl());
    ASSERT_TRUE(connected.ok()) << describe(connected);
    auto& connection = connected.value();
    auto seq = mailbox<int>();
    connection.on("Seq", [seq](int i) { seq->push(i); });
    ASSERT_TRUE(start(connection).ok());

    auto extra = std::make_shared<std::atomic<int>>(0);
    std::atomic<bool> running{true};
    std::thread churn([&] {
        for (int i = 0; i < 1000 && running; ++i) {
            const HandlerId id = connection.on("Seq", [extra](int) { ++*extra; });
            connection.on("Other", [](const Arguments&) {});
            connection.off(id);
            connection.off("Other");
        }
    });
    auto sequence = invoke<void>(connection, "Sequence", {2000});
    const auto got = seq->take(2000);
    running = false;
    churn.join();
    EXPECT_TRUE(sequence.ok()) << describe(sequence);
    ASSERT_EQ(got.size(), 2000u);
    for (int i = 0; i < 2000; ++i) {
        ASSERT_EQ(got[static_cast<std::size_t>(i)], i + 1);
    }
    EXPECT_EQ(connection.state(), ConnectionState::Connected);
}

TEST_F(ServerCallsTest, AskClientGetsTheClientsResult) {
    auto connected = build(hubUrl());
    ASSERT_TRUE(connected.ok()) << describe(connected);
    auto& connection = connected.value();
    connection.onInvocation("Question", [](const Arguments& args, auto respond) {
        const std::string* text = args.empty() ? nullptr : args[0].getString();
        respond(Value("answer to " + (text != nullptr ? *text : std::string("?"))));
    });
    ASSERT_TRUE(start(connection).ok());
    auto answer = invoke<std::string>(connection, "AskClient", {"Question", "life"});
    ASSERT_TRUE(answer.ok()) << describe(answer);
    EXPECT_EQ(answer.value(), "client said: answer to life");
}

TEST_F(ServerCallsTest, AskClientCanBeAnsweredLaterFromAnotherThread) {
    auto connected = build(hubUrl());
    ASSERT_TRUE(connected.ok()) << describe(connected);
    auto& connection = connected.value();
    auto responders = mailbox<std::function<void(Result<Value>)>>();
    connection.onInvocation("Later", [responders](const Arguments&, auto respond) {
        responders->push(std::move(respond));
    });
    ASSERT_TRUE(start(connection).ok());
    auto answer = mailbox<Result<std::string>>();
    connection.invoke<std::string>("AskClient", {"Later", "x"},
                                   [answer](Result<std::string> r) { answer->push(std::move(r)); });
    auto respond = responders->pop();
    ASSERT_TRUE(respond.has_value());
    EXPECT_EQ(answer->size(), 0u);
    (*respond)(Value("from the test thread"));
    (*respond)(Value("a second answer is ignored"));
    auto got = answer->pop();
    ASSERT_TRUE(got.has_value());
    ASSERT_TRUE(got->ok()) << describe(*got);
    EXPECT_EQ(got->value(), "client said: from the test thread");
}

TEST_F(ServerCallsTest, AskClientSeesTheClientsError) {
    auto connected = build(hubUrl());
    ASSERT_TRUE(connected.ok()) << describe(connected);
    auto& connection = connected.value();
    connection.onInvocation("Refuse", [](const Arguments&, auto respond) {
        respond(fail(ErrorCode::HubError, "not telling"));
    });
    ASSERT_TRUE(start(connection).ok());
    auto answer = invoke<std::string>(connection, "AskClient", {"Refuse", "x"});
    ASSERT_FALSE(answer.ok());
    EXPECT_EQ(answer.error().code, ErrorCode::HubError) << describe(answer);
    EXPECT_EQ(answer.error().serverMessage,
              "An unexpected error occurred invoking 'AskClient' on the server. HubException: "
              "not telling");
}

TEST_F(ServerCallsTest, AskClientWithoutAResponderGetsTheStandardError) {
    auto connected = build(hubUrl());
    ASSERT_TRUE(connected.ok()) << describe(connected);
    auto& connection = connected.value();
    // A plain handler is not a responder: it runs, and the server still gets an error.
    auto handled = mailbox<std::string>();
    connection.on("Unanswered", [handled](std::string s) { handled->push(std::move(s)); });
    ASSERT_TRUE(start(connection).ok());
    auto answer = invoke<std::string>(connection, "AskClient", {"Unanswered", "x"});
    ASSERT_FALSE(answer.ok());
    EXPECT_EQ(answer.error().code, ErrorCode::HubError) << describe(answer);
    EXPECT_NE(answer.error().serverMessage.find("Client didn't provide a result."),
              std::string::npos)
        << describe(answer);
    EXPECT_EQ(handled->pop(), "x");
}

} // namespace
} // namespace signalr::integration
