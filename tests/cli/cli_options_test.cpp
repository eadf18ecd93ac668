// The signalr-cli command line, parsed without running anything.

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

#include "cli_options.hpp"
#include "signalr/json.hpp"
#include "usage.hpp"

namespace signalr::cli {
namespace {

using namespace std::chrono_literals;

Result<CommandLine> parse(std::vector<std::string_view> args) {
    return parseCommandLine(args);
}

TEST(CliOptionsParse, InvokeWithJsonArguments) {
    auto line = parse({"invoke", "http://h/hub", "Add", "1", "-2", R"({"a":[true,null]})"});
    ASSERT_TRUE(line) << line.error().message;
    EXPECT_EQ(line->action, Action::Run);
    const auto& options = line->options;
    EXPECT_EQ(options.command, Command::Invoke);
    EXPECT_EQ(options.url, "http://h/hub");
    EXPECT_EQ(options.call.method, "Add");
    ASSERT_EQ(options.call.arguments.size(), 3U);
    EXPECT_EQ(options.call.arguments[0], Value(1));
    EXPECT_EQ(options.call.arguments[1], Value(-2));
    EXPECT_EQ(toJson(options.call.arguments[2]), R"({"a":[true,null]})");
    EXPECT_EQ(options.timeout, 30s);
    EXPECT_FALSE(options.verbose);
    EXPECT_FALSE(options.skipNegotiation);
}

TEST(CliOptionsParse, OptionsAnywhere) {
    auto line = parse({"--verbose", "stream", "--header", "A: 1", "http://h/hub", "--token=t",
                       "Counter", "--timeout", "1.5", "3", "--header=B:2", "--skip-negotiation",
                       "--stateful-reconnect"});
    ASSERT_TRUE(line) << line.error().message;
    const auto& options = line->options;
    EXPECT_EQ(options.command, Command::Stream);
    EXPECT_EQ(options.call.method, "Counter");
    ASSERT_EQ(options.call.arguments.size(), 1U);
    EXPECT_EQ(options.call.arguments[0], Value(3));
    ASSERT_EQ(options.headers.size(), 2U);
    EXPECT_EQ(options.headers[0], (std::pair<std::string, std::string>{"A", "1"}));
    EXPECT_EQ(options.headers[1], (std::pair<std::string, std::string>{"B", "2"}));
    EXPECT_EQ(options.token, "t");
    EXPECT_EQ(options.timeout, 1500ms);
    EXPECT_TRUE(options.verbose);
    EXPECT_TRUE(options.skipNegotiation);
    EXPECT_TRUE(options.statefulReconnect);
}

TEST(CliOptionsParse, HeaderValueMayContainColons) {
    auto line = parse({"send", "u", "M", "--header", "X-Url:http://a:1/b"});
    ASSERT_TRUE(line);
    EXPECT_EQ(line->options.headers.at(0).second, "http://a:1/b");
}

TEST(CliOptionsParse, ListenWithCountAndThenInvokeTakingTheRest) {
    auto line = parse(
        {"listen", "u", "A,B", "--count", "2", "--then-invoke", "CallMeBack", R"("A")", "[1]"});
    ASSERT_TRUE(line) << line.error().message;
    const auto& options = line->options;
    EXPECT_EQ(options.command, Command::Listen);
    EXPECT_EQ(options.listenTargets, (std::vector<std::string>{"A", "B"}));
    EXPECT_EQ(options.count, 2U);
    ASSERT_TRUE(options.thenInvoke);
    EXPECT_EQ(options.thenInvoke->method, "CallMeBack");
    ASSERT_EQ(options.thenInvoke->arguments.size(), 2U);
    EXPECT_EQ(toJson(options.thenInvoke->arguments[1]), "[1]");
    // After --then-invoke, "--verbose" is an argument of the invocation (and not JSON).
    auto rest = parse({"listen", "u", "A", "--then-invoke", "M", "--verbose"});
    ASSERT_FALSE(rest);
    EXPECT_NE(rest.error().message.find("--verbose"), std::string::npos);
}

TEST(CliOptionsParse, DoubleDashEndsOptions) {
    auto line = parse({"invoke", "u", "Echo", "--", "--x"});
    ASSERT_FALSE(line);
    EXPECT_NE(line.error().message.find("not JSON"), std::string::npos) << line.error().message;
    line = parse({"invoke", "u", "--", "EchoString", R"("x")"});
    ASSERT_TRUE(line) << line.error().message;
    EXPECT_EQ(line->options.call.method, "EchoString");
}

TEST(CliOptionsParse, ZeroTimeoutMeansNoBound) {
    auto line = parse({"listen", "u", "A", "--timeout", "0"});
    ASSERT_TRUE(line);
    EXPECT_EQ(line->options.timeout, 0ms);
}

TEST(CliOptionsParse, HelpAndVersionWinOverMissingArguments) {
    auto help = parse({"invoke", "--help"});
    ASSERT_TRUE(help);
    EXPECT_EQ(help->action, Action::ShowHelp);
    auto version = parse({"--version"});
    ASSERT_TRUE(version);
    EXPECT_EQ(version->action, Action::ShowVersion);
}

TEST(CliOptionsParse, NoReconnectionUnlessAsked) {
    auto line = parse({"listen", "u", "A"});
    ASSERT_TRUE(line) << line.error().message;
    EXPECT_FALSE(line->options.reconnectDelays.has_value());
    EXPECT_FALSE(line->options.statefulReconnect);
}

TEST(CliOptionsParse, ReconnectMeansTheDefaultDelays) {
    auto line = parse({"listen", "u", "A", "--reconnect"});
    ASSERT_TRUE(line) << line.error().message;
    ASSERT_TRUE(line->options.reconnectDelays.has_value());
    EXPECT_TRUE(line->options.reconnectDelays->empty());
}

TEST(CliOptionsParse, ReconnectDelaysAreMilliseconds) {
    using Delays = std::vector<std::chrono::milliseconds>;
    auto line = parse({"listen", "u", "A", "--reconnect-delays", "0,1000,250"});
    ASSERT_TRUE(line) << line.error().message;
    EXPECT_EQ(line->options.reconnectDelays, (Delays{0ms, 1000ms, 250ms}));

    // With --reconnect as well, in either order, the listed delays win.
    for (auto args :
         {std::vector<std::string_view>{"listen", "u", "A", "--reconnect", "--reconnect-delays=5"},
          std::vector<std::string_view>{"listen", "u", "A", "--reconnect-delays=5",
                                        "--reconnect"}}) {
        auto both = parse(args);
        ASSERT_TRUE(both) << both.error().message;
        EXPECT_EQ(both->options.reconnectDelays, Delays{5ms});
    }
}

TEST(CliOptionsParse, RejectsWhatIsWrong) {
    const std::vector<std::vector<std::string_view>> cases = {
        {},
        {"invoke"},
        {"invoke", "u"},
        {"nope", "u", "M"},
        {"invoke", "u", "M", "--bogus"},
        {"invoke", "u", "M", "word"},
        {"invoke", "u", "M", "{"},
        {"invoke", "u", "M", "--timeout"},
        {"invoke", "u", "M", "--timeout", "-1"},
        {"invoke", "u", "M", "--timeout", "2s"},
        {"invoke", "u", "M", "--verbose=yes"},
        {"invoke", "u", "M", "--count", "1"},
        {"send", "u", "M", "--then-invoke", "X"},
        {"listen", "u", "A", "--count", "0"},
        {"listen", "u", "A", "--count", "x"},
        {"listen", "u", "A,", "--count", "1"},
        {"listen", "u", "A", "1"},
        {"listen", "u", "A", "--then-invoke"},
        {"invoke", "u", "M", "--header", ":v"},
        {"invoke", "u", "M", "--header", "novalue"},
        {"invoke", "u", "M", "--reconnect=yes"},
        {"invoke", "u", "M", "--reconnect-delays"},
        {"invoke", "u", "M", "--reconnect-delays", ""},
        {"invoke", "u", "M", "--reconnect-delays", "0,,1000"},
        {"invoke", "u", "M", "--reconnect-delays", "0,1000,"},
        {"invoke", "u", "M", "--reconnect-delays", "-1"},
        {"invoke", "u", "M", "--reconnect-delays", "1s"},
        {"invoke", "u", "M", "--reconnect-delays", "99999999999"},
        {"invoke", "u", "M", "--stateful-reconnect=1"},
    };
    for (const auto& args : cases) {
        auto line = parse(args);
        std::string shown;
        for (auto arg : args) {
            shown += std::string(arg) + ' ';
        }
        ASSERT_FALSE(line) << shown;
        EXPECT_EQ(line.error().code, ErrorCode::InvalidArgument) << shown;
        EXPECT_FALSE(line.error().message.empty()) << shown;
    }
}

TEST(CliOptionsUsage, ListsEveryOptionOfTheTable) {
    auto usage = usageText();
    for (const auto& spec : optionTable()) {
        EXPECT_NE(usage.find(spec.name), std::string::npos) << spec.name;
        EXPECT_NE(usage.find(spec.help), std::string::npos) << spec.name;
    }
    for (const char* line : {"invoke URL METHOD", "send URL METHOD", "stream URL METHOD",
                             "listen URL METHOD[,METHOD...]"}) {
        EXPECT_NE(usage.find(line), std::string::npos) << line;
    }
}

} // namespace
} // namespace signalr::cli
