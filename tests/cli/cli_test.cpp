// signalr-cli against the real hub: exact stdout, stderr content and exit status.

#include <gtest/gtest.h>

#include <chrono>
#include <csignal>
#include <regex>
#include <string>
#include <vector>

#include "child_process.hpp"
#include "hub_environment.hpp"
#include "support/fault_proxy.hpp"

namespace signalr::test {
namespace {

using namespace std::chrono_literals;

const std::string kCli = SIGNALR_CLI_PATH;

std::string hubUrl(const std::string& path = "/hub") {
    return hubBaseUrl() + path;
}

/// Runs signalr-cli with `args`; the CLI's own --timeout is what a test exercises, this
/// bound only keeps a hung CLI from hanging the suite.
ProcessResult cli(std::vector<std::string> args, std::chrono::milliseconds bound = 30s) {
    args.insert(args.begin(), kCli);
    return runProcess(args, bound);
}

/// Expects a clean success with exactly `out` on stdout.
void expectOutput(const ProcessResult& result, const std::string& out) {
    EXPECT_FALSE(result.timedOut);
    EXPECT_EQ(result.exitCode, 0) << "stderr: " << result.err;
    EXPECT_EQ(result.out, out);
    EXPECT_EQ(result.err, "");
}

// ---- invoke ---------------------------------------------------------------------------------

TEST(CliInvoke, AddPrintsTheSum) {
    expectOutput(cli({"invoke", hubUrl(), "Add", "1", "2"}), "3\n");
}

TEST(CliInvoke, EchoKeepsIntegersBeyondDoublePrecision) {
    expectOutput(cli({"invoke", hubUrl(), "Echo", "9007199254740993"}), "9007199254740993\n");
}

TEST(CliInvoke, EchoKeepsNestedObjectsAndUnicode) {
    const std::string json =
        R"({"name":"Zoë ✓ 😀","list":[1,-2,true,null,{"deep":["a\"b\nc"]}],"empty":{}})";
    expectOutput(cli({"invoke", hubUrl(), "Echo", json}), json + "\n");
}

TEST(CliInvoke, EchoStringPrintsAJsonString) {
    expectOutput(cli({"invoke", hubUrl(), "EchoString", R"("hello")"}), "\"hello\"\n");
}

TEST(CliInvoke, VoidMethodPrintsNull) {
    expectOutput(cli({"invoke", hubUrl(), "Void"}), "null\n");
}

TEST(CliInvoke, HubErrorExitsOneWithTheServersMessage) {
    auto result = cli({"invoke", hubUrl(), "Throw", R"("boom")"});
    EXPECT_EQ(result.exitCode, 1);
    EXPECT_EQ(result.out, "");
    EXPECT_NE(result.err.find("boom"), std::string::npos) << result.err;
    EXPECT_EQ(result.err.rfind("error: ", 0), 0U) << result.err;
}

TEST(CliInvoke, TimeoutExitsTwoWithAMessage) {
    auto result = cli({"invoke", hubUrl(), "Delay", "10000", R"("late")", "--timeout", "1"});
    EXPECT_EQ(result.exitCode, 2);
    EXPECT_EQ(result.out, "");
    EXPECT_NE(result.err.find("timed out"), std::string::npos) << result.err;
    EXPECT_LT(result.elapsed, 5s);
}

// ---- send -----------------------------------------------------------------------------------

TEST(CliSend, DeliversTheCallWithoutOutput) {
    expectOutput(cli({"send", hubUrl(), "SetValue", R"("cli-send")", R"("arrived")"}), "");
    expectOutput(cli({"invoke", hubUrl(), "GetValue", R"("cli-send")"}), "\"arrived\"\n");
}

// ---- stream ---------------------------------------------------------------------------------

TEST(CliStream, PrintsEachItemOnItsOwnLine) {
    expectOutput(cli({"stream", hubUrl(), "Counter", "3", "0"}), "0\n1\n2\n");
}

TEST(CliStream, PrintsObjectItemsCompactly) {
    auto result = cli({"stream", hubUrl(), "StreamPeople", "1"});
    EXPECT_EQ(result.exitCode, 0) << result.err;
    EXPECT_EQ(result.out.find('\n'), result.out.size() - 1) << result.out;
    EXPECT_NE(result.out.find(R"("Person 0")"), std::string::npos) << result.out;
}

TEST(CliStream, FailureMidwayPrintsItemsThenTheErrorAndExitsOne) {
    auto result = cli({"stream", hubUrl(), "FailingStream", "2", R"("bad")"});
    EXPECT_EQ(result.exitCode, 1);
    EXPECT_EQ(result.out, "0\n1\n");
    EXPECT_NE(result.err.find("bad"), std::string::npos) << result.err;
}

// ---- listen ---------------------------------------------------------------------------------

TEST(CliListen, PrintsTheBroadcastItTriggered) {
    auto result = cli({"listen", hubUrl(), "Broadcast", "--count", "1", "--then-invoke",
                       "BroadcastCaller", R"("hi")"});
    EXPECT_EQ(result.exitCode, 0) << result.err;
    EXPECT_TRUE(std::regex_match(
        result.out, std::regex(R"(\{"target":"Broadcast","arguments":\["[^"]+","hi"\]\}\n)")))
        << result.out;
    EXPECT_EQ(result.err, "");
}

TEST(CliListen, PrintsCallMeBackWithItsArguments) {
    auto result = cli({"listen", hubUrl(), "Other,Ping", "--count", "1", "--then-invoke",
                       "CallMeBack", R"("Ping")", R"([1,"two",{"three":3}])"});
    expectOutput(result, R"({"target":"Ping","arguments":[1,"two",{"three":3}]})"
                         "\n");
}

TEST(CliListen, StopsAfterCountCalls) {
    auto result =
        cli({"listen", hubUrl(), "Seq", "--count", "3", "--then-invoke", "Sequence", "5"});
    expectOutput(result, R"({"target":"Seq","arguments":[1]})"
                         "\n"
                         R"({"target":"Seq","arguments":[2]})"
                         "\n"
                         R"({"target":"Seq","arguments":[3]})"
                         "\n");
}

TEST(CliListen, FailingThenInvokeExitsOne) {
    auto result = cli({"listen", hubUrl(), "Broadcast", "--then-invoke", "Throw", R"("nope")"});
    EXPECT_EQ(result.exitCode, 1);
    EXPECT_EQ(result.out, "");
    EXPECT_NE(result.err.find("nope"), std::string::npos) << result.err;
}

TEST(CliListen, WithoutCountEndsCleanlyWhenTheServerCloses) {
    expectOutput(
        cli({"listen", hubUrl(), "Broadcast", "--then-invoke", "CloseMe", "null", "false"}), "");
}

TEST(CliListen, ServerCloseWithAnErrorExitsTwo) {
    auto result =
        cli({"listen", hubUrl(), "Broadcast", "--then-invoke", "CloseMe", R"("bye")", "false"});
    EXPECT_EQ(result.exitCode, 2);
    EXPECT_EQ(result.out, "");
    EXPECT_NE(result.err.find("bye"), std::string::npos) << result.err;
}

TEST(CliListen, CloseBeforeCountCallsExitsTwo) {
    auto result = cli({"listen", hubUrl(), "Broadcast", "--count", "2", "--then-invoke", "CloseMe",
                       "null", "false"});
    EXPECT_EQ(result.exitCode, 2);
    EXPECT_NE(result.err.find("0 of 2"), std::string::npos) << result.err;
}

TEST(CliListen, TimeoutBoundsAListenWithoutCount) {
    auto result = cli({"listen", hubUrl(), "Broadcast", "--timeout", "0.5"});
    EXPECT_EQ(result.exitCode, 2);
    EXPECT_EQ(result.out, "");
    EXPECT_NE(result.err.find("timed out"), std::string::npos) << result.err;
    EXPECT_LT(result.elapsed, 5s);
}

TEST(CliListen, WithoutCountPrintsLiveAndExitsZeroOnSigint) {
    std::string error;
    auto child = ChildProcess::spawn(
        {kCli, "listen", hubUrl(), "Seq", "--timeout", "0", "--then-invoke", "Sequence", "2"},
        error);
    ASSERT_TRUE(child) << error;
    child->closeStdin();
    // Each line must reach the pipe as it happens, not when the program exits.
    const std::string expected = R"({"target":"Seq","arguments":[1]})"
                                 "\n"
                                 R"({"target":"Seq","arguments":[2]})"
                                 "\n";
    ASSERT_TRUE(child->waitForStdout(expected, 20s)) << child->out() << child->err();
    child->signal(SIGINT);
    auto result = child->wait(10s);
    EXPECT_FALSE(result.timedOut);
    EXPECT_EQ(result.exitCode, 0) << result.err;
    EXPECT_EQ(result.out, expected);
    EXPECT_EQ(result.err, "");
}

TEST(CliListen, SigtermAlsoEndsAListenCleanly) {
    std::string error;
    auto child = ChildProcess::spawn({kCli, "listen", hubUrl(), "Broadcast", "--verbose"}, error);
    ASSERT_TRUE(child) << error;
    child->closeStdin();
    ASSERT_TRUE(child->waitForStderr("connected to", 20s)) << child->err();
    child->signal(SIGTERM);
    auto result = child->wait(10s);
    EXPECT_FALSE(result.timedOut);
    EXPECT_EQ(result.exitCode, 0) << result.err;
    EXPECT_EQ(result.out, "");
}

// ---- connection options ---------------------------------------------------------------------

TEST(CliOptions, HeaderReachesTheServer) {
    expectOutput(cli({"invoke", hubUrl(), "GetHeader", R"("X-Test")", "--header", "X-Test:abc"}),
                 "\"abc\"\n");
}

TEST(CliOptions, QueryStringIsKept) {
    expectOutput(cli({"invoke", hubUrl("/hub?foo=bar"), "GetQuery", R"("foo")"}), "\"bar\"\n");
}

TEST(CliOptions, TokenAuthenticates) {
    expectOutput(cli({"invoke", hubUrl("/hub-auth"), "WhoAmI", "--token", "secret-token"}),
                 "\"secret-token\"\n");
}

TEST(CliOptions, MissingTokenFailsToConnect) {
    auto result = cli({"invoke", hubUrl("/hub-auth"), "WhoAmI"});
    EXPECT_EQ(result.exitCode, 2);
    EXPECT_EQ(result.out, "");
    EXPECT_NE(result.err.find("error: "), std::string::npos) << result.err;
}

TEST(CliOptions, OptionsMayStandBeforeAndAfterThePositionals) {
    expectOutput(cli({"--header", "X-Test:before", "--timeout", "20", "invoke", hubUrl(),
                      "GetHeader", R"("X-Test")"}),
                 "\"before\"\n");
    expectOutput(cli({"invoke", "--timeout=20", hubUrl(), "GetHeader", "--header",
                      "X-Test: between", R"("X-Test")"}),
                 "\"between\"\n");
}

TEST(CliOptions, SkipNegotiationWithAWebSocketUrl) {
    auto url = hubUrl();
    url.replace(0, url.find(':'), "ws");
    expectOutput(cli({"invoke", url, "Add", "20", "22", "--skip-negotiation"}), "42\n");
}

TEST(CliOptions, StatefulReconnectIsNegotiatedWithAHubThatAllowsIt) {
    auto result = cli(
        {"invoke", hubUrl("/hub-stateful"), "Add", "1", "2", "--stateful-reconnect", "--verbose"});
    EXPECT_EQ(result.exitCode, 0) << result.err;
    EXPECT_EQ(result.out, "3\n");
    EXPECT_NE(result.err.find(R"({"protocol":"json","version":2})"), std::string::npos)
        << result.err;
}

TEST(CliOptions, VerboseLogsToStderrOnly) {
    auto result = cli({"invoke", hubUrl(), "Add", "1", "2", "--verbose"});
    EXPECT_EQ(result.exitCode, 0) << result.err;
    EXPECT_EQ(result.out, "3\n");
    EXPECT_FALSE(result.err.empty());
}

// ---- reconnection (through the fault proxy) ----------------------------------------------------

/// A FaultProxy in front of the shared hub.
std::unique_ptr<FaultProxy> proxyToHub() {
    const auto& base = hubBaseUrl();
    std::string error;
    auto proxy = FaultProxy::start(std::stoi(base.substr(base.rfind(':') + 1)), error);
    EXPECT_TRUE(proxy) << error;
    return proxy;
}

TEST(CliReconnect, ListenReconnectsAfterACutAndPrintsTheEventsWithVerbose) {
    auto proxy = proxyToHub();
    ASSERT_TRUE(proxy);
    std::string error;
    auto child = ChildProcess::spawn({kCli, "listen", proxy->baseUrl() + "/hub", "Broadcast",
                                      "--reconnect", "--verbose", "--count", "1"},
                                     error);
    ASSERT_TRUE(child) << error;
    child->closeStdin();
    ASSERT_TRUE(child->waitForStderr("connected to", 20s)) << child->err();
    ASSERT_GE(proxy->cutAll(), 1u);
    ASSERT_TRUE(child->waitForStderr("event: reconnected after 1 attempt(s) as ", 20s))
        << child->err();
    // Handlers survive the reconnect: a broadcast now reaches the listener, which exits.
    ASSERT_EQ(cli({"send", hubUrl(), "BroadcastAll", R"("after the cut")"}).exitCode, 0);
    auto result = child->wait(20s);
    EXPECT_FALSE(result.timedOut);
    EXPECT_EQ(result.exitCode, 0) << result.err;
    EXPECT_NE(result.out.find(R"("after the cut"]})"), std::string::npos) << result.out;
    const auto disconnected = result.err.find("event: disconnected (network error");
    const auto reconnecting = result.err.find("event: reconnecting, attempt 1 (");
    const auto reconnected = result.err.find("event: reconnected after 1 attempt(s)");
    EXPECT_NE(disconnected, std::string::npos) << result.err;
    EXPECT_LT(disconnected, reconnecting) << result.err;
    EXPECT_LT(reconnecting, reconnected) << result.err;
}

TEST(CliReconnect, WithoutReconnectACutEndsTheListen) {
    auto proxy = proxyToHub();
    ASSERT_TRUE(proxy);
    std::string error;
    auto child = ChildProcess::spawn(
        {kCli, "listen", proxy->baseUrl() + "/hub", "Broadcast", "--verbose"}, error);
    ASSERT_TRUE(child) << error;
    child->closeStdin();
    ASSERT_TRUE(child->waitForStderr("connected to", 20s)) << child->err();
    ASSERT_GE(proxy->cutAll(), 1u);
    auto result = child->wait(20s);
    EXPECT_FALSE(result.timedOut);
    EXPECT_EQ(result.exitCode, 2) << result.err;
    EXPECT_NE(result.err.find("event: disconnected (network error"), std::string::npos)
        << result.err;
    EXPECT_EQ(result.err.find("event: reconnecting"), std::string::npos) << result.err;
}

TEST(CliReconnect, ReconnectDelaysGiveOneAttemptEach) {
    auto proxy = proxyToHub();
    ASSERT_TRUE(proxy);
    std::string error;
    auto child =
        ChildProcess::spawn({kCli, "listen", proxy->baseUrl() + "/hub", "Broadcast",
                             "--reconnect-delays", "0,100,200", "--verbose", "--timeout", "20"},
                            error);
    ASSERT_TRUE(child) << error;
    child->closeStdin();
    ASSERT_TRUE(child->waitForStderr("connected to", 20s)) << child->err();
    proxy->refuseNewConnections(60s);
    ASSERT_GE(proxy->cutAll(), 1u);
    auto result = child->wait(20s);
    EXPECT_FALSE(result.timedOut);
    EXPECT_EQ(result.exitCode, 2) << result.err;
    for (const char* line : {"event: reconnecting, attempt 1 (", "event: reconnecting, attempt 2 (",
                             "event: reconnecting, attempt 3 (", "event: reconnect failed ("}) {
        EXPECT_NE(result.err.find(line), std::string::npos) << line << "\n" << result.err;
    }
    EXPECT_EQ(result.err.find("event: reconnecting, attempt 4"), std::string::npos) << result.err;
    EXPECT_EQ(proxy->stats().refused >= 3, true) << proxy->stats().refused;
}

TEST(CliReconnect, StatefulReconnectLosesNothingAcrossCuts) {
    auto proxy = proxyToHub();
    ASSERT_TRUE(proxy);
    std::string error;
    auto child = ChildProcess::spawn({kCli, "listen", proxy->baseUrl() + "/hub-stateful", "Seq",
                                      "--stateful-reconnect", "--count", "40", "--then-invoke",
                                      "PacedSequence", "40", "25"},
                                     error);
    ASSERT_TRUE(child) << error;
    child->closeStdin();
    std::string expected;
    for (int i = 1; i <= 40; ++i) {
        expected += R"({"target":"Seq","arguments":[)" + std::to_string(i) + "]}\n";
    }
    // Three cuts while the numbers come in.
    for (const char* seen : {"[5]}", "[15]}", "[25]}"}) {
        ASSERT_TRUE(child->waitForStdout(seen, 20s)) << child->out() << child->err();
        ASSERT_GE(proxy->cutAll(), 1u);
    }
    auto result = child->wait(20s);
    EXPECT_FALSE(result.timedOut);
    EXPECT_EQ(result.exitCode, 0) << result.err;
    EXPECT_EQ(result.out, expected);
    EXPECT_EQ(proxy->stats().cut, 3u);
}

// ---- failures before talking to a hub --------------------------------------------------------

TEST(CliFailures, UnreachableUrlExitsTwoFast) {
    auto port = unusedLoopbackPort();
    ASSERT_NE(port, 0);
    auto result =
        cli({"invoke", "http://127.0.0.1:" + std::to_string(port) + "/hub", "Add", "1", "2"});
    EXPECT_EQ(result.exitCode, 2);
    EXPECT_EQ(result.out, "");
    EXPECT_NE(result.err.find("error: "), std::string::npos) << result.err;
    EXPECT_LT(result.elapsed, 5s);
}

TEST(CliFailures, BadArgumentsExitTwoWithUsage) {
    const std::vector<std::vector<std::string>> cases = {
        {},
        {"invoke"},
        {"invoke", hubUrl()},
        {"frobnicate", hubUrl(), "Add"},
        {"invoke", hubUrl(), "Add", "--no-such-option"},
        {"invoke", hubUrl(), "EchoString", "bare-word"},
        {"invoke", hubUrl(), "Add", "1", "--timeout", "soon"},
        {"invoke", hubUrl(), "Add", "1", "--timeout"},
        {"invoke", hubUrl(), "Add", "--count", "2"},
        {"listen", hubUrl(), "Broadcast", "--count", "0"},
        {"listen", hubUrl(), "Broadcast,,Other"},
        {"listen", hubUrl(), "Broadcast", "1"},
        {"invoke", hubUrl(), "Add", "--header", "no-colon"},
    };
    for (const auto& args : cases) {
        std::string line;
        for (const auto& arg : args) {
            line += arg + ' ';
        }
        auto result = cli(args, 10s);
        EXPECT_EQ(result.exitCode, 2) << line;
        EXPECT_EQ(result.out, "") << line;
        EXPECT_EQ(result.err.rfind("error: ", 0), 0U) << line << "\n" << result.err;
        EXPECT_NE(result.err.find("Usage: signalr-cli"), std::string::npos) << line;
    }
}

TEST(CliFailures, MalformedUrlExitsTwo) {
    auto result = cli({"invoke", "not a url", "Add", "1", "2"});
    EXPECT_EQ(result.exitCode, 2);
    EXPECT_EQ(result.out, "");
    EXPECT_NE(result.err.find("error: "), std::string::npos) << result.err;
}

TEST(CliHelp, HelpGoesToStdoutAndExitsZero) {
    auto result = cli({"--help"});
    EXPECT_EQ(result.exitCode, 0);
    EXPECT_EQ(result.out.rfind("Usage: signalr-cli", 0), 0U) << result.out;
    for (const char* option : {"--header", "--token", "--skip-negotiation", "--timeout", "--count",
                               "--then-invoke", "--verbose", "--version"}) {
        EXPECT_NE(result.out.find(option), std::string::npos) << option;
    }
    EXPECT_EQ(result.err, "");
}

TEST(CliHelp, VersionNamesTheProgram) {
    auto result = cli({"--version"});
    EXPECT_EQ(result.exitCode, 0);
    EXPECT_TRUE(std::regex_match(result.out, std::regex(R"(signalr-cli \d+\.\d+\.\d+\n)")))
        << result.out;
}

} // namespace
} // namespace signalr::test
