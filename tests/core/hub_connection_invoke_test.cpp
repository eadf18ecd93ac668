#include "connection_fixture.hpp"

namespace signalr::test {
namespace {

using namespace std::chrono_literals;

class InvokeTest : public ConnectionFixture {};

TEST_F(InvokeTest, InvokeSendsAnInvocationAndDeliversTheResult) {
    auto connection = connected();
    std::optional<Result<std::int64_t>> result;
    connection.invoke<std::int64_t>("Add", {1, 2}, [&](Result<std::int64_t> r) { result = r; });
    executor->runPending();
    ASSERT_EQ(sent().size(), 1u);
    EXPECT_EQ(sent()[0], R"({"type":1,"invocationId":"0","target":"Add","arguments":[1,2]})");
    EXPECT_FALSE(result.has_value());
    serverSends(R"({"type":3,"invocationId":"0","result":3})");
    ASSERT_TRUE(result.has_value());
    ASSERT_TRUE(result->ok());
    EXPECT_EQ(result->value(), 3);
}

TEST_F(InvokeTest, Int64BeyondDoublePrecisionSurvives) {
    auto connection = connected();
    std::optional<Result<std::int64_t>> result;
    connection.invoke<std::int64_t>("Echo", {std::int64_t{9007199254740993}},
                                    [&](Result<std::int64_t> r) { result = r; });
    executor->runPending();
    EXPECT_EQ(sent()[0],
              R"({"type":1,"invocationId":"0","target":"Echo","arguments":[9007199254740993]})");
    serverSends(R"({"type":3,"invocationId":"0","result":9007199254740993})");
    EXPECT_EQ(result->value(), 9007199254740993);
}

TEST_F(InvokeTest, ServerErrorReachesTheCaller) {
    auto connection = connected();
    std::optional<Result<Value>> result;
    connection.invoke("Throw", {"boom"}, [&](Result<Value> r) { result = std::move(r); });
    executor->runPending();
    serverSends(
        R"({"type":3,"invocationId":"0","error":"An error occurred while invoking 'Throw' on the server. HubException: boom"})");
    ASSERT_FALSE(result->ok());
    EXPECT_EQ(result->error().code, ErrorCode::HubError);
    EXPECT_EQ(result->error().serverMessage,
              "An error occurred while invoking 'Throw' on the server. HubException: boom");
}

TEST_F(InvokeTest, VoidCompletionGivesNullOrVoid) {
    auto connection = connected();
    std::optional<Result<Value>> raw;
    std::optional<Result<void>> typed;
    connection.invoke("Void", {}, [&](Result<Value> r) { raw = std::move(r); });
    connection.invoke<void>("Void", {}, [&](Result<void> r) { typed = std::move(r); });
    executor->runPending();
    serverSends(R"({"type":3,"invocationId":"0"})");
    serverSends(R"({"type":3,"invocationId":"1"})");
    ASSERT_TRUE(raw->ok());
    EXPECT_TRUE(raw->value().isNull());
    EXPECT_TRUE(typed->ok());
}

TEST_F(InvokeTest, AResultOfTheWrongTypeIsATypeMismatch) {
    auto connection = connected();
    std::optional<Result<int>> result;
    connection.invoke<int>("Echo", {"x"}, [&](Result<int> r) { result = r; });
    executor->runPending();
    serverSends(R"({"type":3,"invocationId":"0","result":"not a number"})");
    EXPECT_EQ(result->error().code, ErrorCode::TypeMismatch);
}

TEST_F(InvokeTest, SendCompletesOnceHandedToTheTransport) {
    auto connection = connected();
    std::optional<Result<void>> result;
    connection.send("Notify", {"x", true, nullptr}, [&](Result<void> r) { result = r; });
    executor->runPending();
    ASSERT_TRUE(result.has_value() && result->ok());
    EXPECT_EQ(sent()[0], R"({"type":1,"target":"Notify","arguments":["x",true,null]})");
}

TEST_F(InvokeTest, CallsWhileDisconnectedFailAtOnce) {
    auto connection = build();
    expectEveryCallFailsWith(connection, ErrorCode::InvalidState);
}

TEST_F(InvokeTest, UnserializableArgumentsFailTheCall) {
    auto connection = connected();
    std::optional<Result<Value>> result;
    connection.invoke("Echo", {std::numeric_limits<double>::quiet_NaN()},
                      [&](Result<Value> r) { result = std::move(r); });
    executor->runPending();
    ASSERT_TRUE(result.has_value());
    EXPECT_EQ(result->error().code, ErrorCode::InvalidArgument);
    EXPECT_TRUE(sent().empty());
}

TEST_F(InvokeTest, UnknownCompletionIdsAreIgnoredWithALogLine) {
    auto connection = connected();
    serverSends(R"({"type":3,"invocationId":"nope","result":1})");
    serverSends(R"({"type":2,"invocationId":"nope2","item":1})");
    EXPECT_EQ(connection.state(), ConnectionState::Connected);
    EXPECT_TRUE(logged(LogLevel::Warning, "unknown invocation id 'nope'"));
    EXPECT_TRUE(logged(LogLevel::Warning, "unknown invocation id 'nope2'"));
}

TEST_F(InvokeTest, StreamDeliversItemsThenCompletes) {
    auto connection = connected();
    std::vector<int> items;
    std::optional<Result<void>> done;
    auto sub = connection.stream<int>(
        "Counter", {3, 0}, [&](int i) { items.push_back(i); }, [&](Result<void> r) { done = r; });
    executor->runPending();
    EXPECT_EQ(sent()[0], R"({"type":4,"invocationId":"0","target":"Counter","arguments":[3,0]})");
    serverSends(R"({"type":2,"invocationId":"0","item":0})");
    serverSends(R"({"type":2,"invocationId":"0","item":1})");
    transport()->receive(std::string(R"({"type":2,"invocationId":"0","item":2})") + kRS +
                         R"({"type":3,"invocationId":"0"})" + kRS);
    executor->runPending();
    EXPECT_EQ(items, (std::vector<int>{0, 1, 2}));
    ASSERT_TRUE(done.has_value());
    EXPECT_TRUE(done->ok());
}

TEST_F(InvokeTest, StreamErrorComesAfterItsItems) {
    auto connection = connected();
    std::vector<std::string> events;
    auto sub = connection.stream<int>(
        "FailingStream", {2, "bad"}, [&](int i) { events.push_back(std::to_string(i)); },
        [&](Result<void> r) { events.push_back(r.ok() ? "ok" : r.error().serverMessage); });
    executor->runPending();
    transport()->receive(std::string(R"({"type":2,"invocationId":"0","item":0})") + kRS +
                         R"({"type":2,"invocationId":"0","item":1})" + kRS +
                         R"({"type":3,"invocationId":"0","error":"bad"})" + kRS);
    executor->runPending();
    EXPECT_EQ(events, (std::vector<std::string>{"0", "1", "bad"}));
}

TEST_F(InvokeTest, CancelSendsCancelInvocationAndEndsTheStream) {
    auto connection = connected();
    int items = 0;
    std::optional<Result<void>> done;
    auto sub = connection.stream<int>(
        "Infinite", {}, [&](int) { ++items; }, [&](Result<void> r) { done = r; });
    executor->runPending();
    serverSends(R"({"type":2,"invocationId":"0","item":0})");
    sub.cancel();
    executor->runPending();
    ASSERT_TRUE(done.has_value());
    EXPECT_EQ(done->error().code, ErrorCode::Cancelled);
    EXPECT_EQ(sent().back(), R"({"type":5,"invocationId":"0"})");
    serverSends(R"({"type":2,"invocationId":"0","item":1})");
    serverSends(R"({"type":3,"invocationId":"0"})");
    EXPECT_EQ(items, 1);
    EXPECT_TRUE(logged(LogLevel::Debug, "stream item for cancelled invocation id '0'"));
    EXPECT_TRUE(logged(LogLevel::Debug, "completion for cancelled invocation id '0'"));
    EXPECT_FALSE(logged(LogLevel::Warning, "invocation id '0'"));
    sub.cancel();
    executor->runPending();
}

TEST_F(InvokeTest, AStreamItemOfTheWrongTypeCancelsTheStream) {
    auto connection = connected();
    std::optional<Result<void>> done;
    auto sub = connection.stream<int>(
        "S", {}, [](int) {}, [&](Result<void> r) { done = r; });
    executor->runPending();
    serverSends(R"({"type":2,"invocationId":"0","item":"text"})");
    ASSERT_TRUE(done.has_value());
    EXPECT_EQ(done->error().code, ErrorCode::TypeMismatch);
    EXPECT_EQ(sent().back(), R"({"type":5,"invocationId":"0"})");
}

TEST_F(InvokeTest, SeveralHandlersPerMethodRunInOrderAndCanBeRemoved) {
    auto connection = connected();
    std::vector<std::string> calls;
    auto first = connection.on("Msg", [&](const Arguments&) { calls.push_back("first"); });
    connection.on("Msg", [&](std::string text) { calls.push_back("second:" + text); });
    serverSends(R"({"type":1,"target":"Msg","arguments":["hi"]})");
    EXPECT_EQ(calls, (std::vector<std::string>{"first", "second:hi"}));
    connection.off(first);
    serverSends(R"({"type":1,"target":"Msg","arguments":["again"]})");
    EXPECT_EQ(calls.back(), "second:again");
    EXPECT_EQ(calls.size(), 3u);
    connection.off("Msg");
    serverSends(R"({"type":1,"target":"Msg","arguments":["gone"]})");
    EXPECT_EQ(calls.size(), 3u);
    EXPECT_TRUE(logged(LogLevel::Warning, "no client method with the name 'Msg'"));
}

TEST_F(InvokeTest, OnlyTheLastReaderOfTheArgumentsMayTakeThem) {
    // Longer than the small-string buffer, so a value moved out too early would be empty.
    const std::string text(40, 't');
    const std::string call =
        R"({"type":1,"invocationId":"s1","target":"Msg","arguments":[")" + text + R"("]})";
    auto connection = connected();
    std::vector<std::string> seen;
    connection.on("Msg", [&](std::string s) { seen.push_back(s); });
    connection.on("Msg", [&](Value v) { seen.push_back(*v.getString()); });
    connection.on("Msg", [&](std::string s) { seen.push_back(s); });
    serverSends(R"({"type":1,"target":"Msg","arguments":[")" + text + R"("]})");
    EXPECT_EQ(seen, (std::vector<std::string>(3, text)));

    connection.onInvocation("Msg", [&](const Arguments& args, auto respond) {
        seen.push_back(*args.at(0).getString());
        respond(Value(1));
    });
    serverSends(call);
    ASSERT_EQ(seen.size(), 7u);
    EXPECT_EQ(seen.back(), text); // the responder runs after every handler
}

TEST_F(InvokeTest, MethodNamesAreCaseSensitive) {
    auto connection = connected();
    int calls = 0;
    connection.on("msg", [&](const Arguments&) { ++calls; });
    serverSends(R"({"type":1,"target":"Msg","arguments":[]})");
    EXPECT_EQ(calls, 0);
}

TEST_F(InvokeTest, TypedHandlersSkipCallsThatDoNotConvert) {
    auto connection = connected();
    std::vector<int> got;
    connection.on("Num", [&](int n, std::string) { got.push_back(n); });
    serverSends(R"({"type":1,"target":"Num","arguments":["x","y"]})");
    serverSends(R"({"type":1,"target":"Num","arguments":[1]})");
    serverSends(R"({"type":1,"target":"Num","arguments":[2,"ok"]})");
    EXPECT_EQ(got, (std::vector<int>{2}));
    EXPECT_TRUE(logged(LogLevel::Error, "'Num' was skipped"));
}

TEST_F(InvokeTest, AHandlerTakingOneValueGetsTheFirstArgument) {
    auto connection = connected();
    std::vector<Value> got;
    connection.on("One", [&](const Value& v) { got.push_back(v); });
    std::vector<std::size_t> sizes;
    connection.on("One", [&](const Arguments& all) { sizes.push_back(all.size()); });
    serverSends(R"({"type":1,"target":"One","arguments":["hi",2]})");
    ASSERT_EQ(got.size(), 1u);
    EXPECT_EQ(got[0], Value("hi"));
    EXPECT_EQ(sizes, (std::vector<std::size_t>{2}));
}

int gFunctionHandlerCalls = 0;
void functionHandler(int n) noexcept {
    gFunctionHandlerCalls += n;
}

TEST_F(InvokeTest, MutableNoexceptAndFunctionHandlersWork) {
    auto connection = connected();
    int count = 0;
    connection.on("N", [&count, local = 0](int n) mutable {
        local += n;
        count = local;
    });
    connection.on("N", [&count](int) noexcept { ++count; });
    connection.on("N", &functionHandler);
    serverSends(R"({"type":1,"target":"N","arguments":[5]})");
    EXPECT_EQ(count, 6);
    EXPECT_EQ(gFunctionHandlerCalls, 5);
}

TEST_F(InvokeTest, HandlersCanBeAddedFromAHandler) {
    auto connection = connected();
    int late = 0;
    connection.on("First", [&](const Arguments&) {
        connection.on("Second", [&](const Arguments&) { ++late; });
    });
    serverSends(R"({"type":1,"target":"First","arguments":[]})");
    serverSends(R"({"type":1,"target":"Second","arguments":[]})");
    EXPECT_EQ(late, 1);
}

TEST_F(InvokeTest, ServerCallsExpectingAResultWithoutResponderGetAnError) {
    auto connection = connected();
    serverSends(R"({"type":1,"invocationId":"s1","target":"Ask","arguments":["q"]})");
    ASSERT_EQ(sent().size(), 1u);
    EXPECT_EQ(sent()[0],
              R"({"type":3,"invocationId":"s1","error":"Client didn't provide a result."})");
}

TEST_F(InvokeTest, ResponderAnswersServerCalls) {
    auto connection = connected();
    connection.onInvocation("Ask", [](const Arguments& args, auto respond) {
        respond(Value("answer to " + *args.at(0).getString()));
    });
    serverSends(R"({"type":1,"invocationId":"s1","target":"Ask","arguments":["q"]})");
    executor->runPending();
    ASSERT_EQ(sent().size(), 1u);
    EXPECT_EQ(sent()[0], R"({"type":3,"invocationId":"s1","result":"answer to q"})");
}

TEST_F(InvokeTest, ResponderErrorsAreSentToTheServer) {
    auto connection = connected();
    std::function<void(Result<Value>)> later;
    connection.onInvocation("Ask", [&](const Arguments&, auto respond) { later = respond; });
    serverSends(R"({"type":1,"invocationId":"s1","target":"Ask","arguments":[]})");
    EXPECT_TRUE(sent().empty());
    later(fail(ErrorCode::HubError, "no idea"));
    later(Value(1));
    executor->runPending();
    ASSERT_EQ(sent().size(), 1u);
    EXPECT_EQ(sent()[0], R"({"type":3,"invocationId":"s1","error":"no idea"})");
}

} // namespace
} // namespace signalr::test
