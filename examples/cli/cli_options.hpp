#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "signalr/result.hpp"
#include "signalr/value.hpp"

namespace signalr::cli {

/// The subcommands of signalr-cli.
enum class Command { Invoke, Send, Stream, Listen };

/// A hub method with its arguments, already parsed from JSON.
struct MethodCall {
    std::string method;
    Arguments arguments;
};

/// Everything the command line asked for, validated.
struct CliOptions {
    Command command = Command::Invoke;
    std::string url;
    /// invoke, send and stream: the method to call.
    MethodCall call;
    /// listen: the client methods whose calls are printed.
    std::vector<std::string> listenTargets;
    /// listen: stop after this many calls.
    std::optional<std::uint64_t> count;
    /// listen: a method to invoke once the listeners are in place.
    std::optional<MethodCall> thenInvoke;

    std::vector<std::pair<std::string, std::string>> headers;
    std::optional<std::string> token;
    bool skipNegotiation = false;
    bool statefulReconnect = false;
    /// Bound on the whole command; zero means no bound.
    std::chrono::milliseconds timeout = std::chrono::seconds(30);
    bool verbose = false;
    /// --reconnect / --reconnect-delays: reconnect a lost connection. An empty list means the
    /// library's default delays (0, 2, 10, 30 s); otherwise one attempt per listed delay.
    std::optional<std::vector<std::chrono::milliseconds>> reconnectDelays;
};

/// What main() should do after parsing.
enum class Action { Run, ShowHelp, ShowVersion };

struct CommandLine {
    Action action = Action::Run;
    CliOptions options;
};

/// Parses argv. Options may stand anywhere; `--then-invoke` takes the rest of the line and `--`
/// ends the options. Errors are ErrorCode::InvalidArgument with a message for the user.
Result<CommandLine> parseCommandLine(std::span<const std::string_view> args);

/// How an option consumes the words after it.
enum class Arity { Flag, Value, Rest };

/// One row of the option table; help text and parsing both come from it, so a new option
/// (--protocol, --transport, --reconnect) is one more row.
struct OptionSpec {
    std::string_view name;
    /// Placeholder shown in the help, e.g. "NAME:VALUE"; empty for flags.
    std::string_view valueName;
    Arity arity;
    std::string_view help;
    /// Applies the option; `values` holds 0, 1 or all remaining words, as the arity says.
    Result<void> (*apply)(CommandLine& line, std::span<const std::string_view> values);
};

/// The option table, in the order the help lists it.
std::span<const OptionSpec> optionTable();

} // namespace signalr::cli
