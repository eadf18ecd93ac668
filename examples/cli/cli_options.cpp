#include "cli_options.hpp"

#include <array>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <string>
#include <system_error>
#include <vector>

#include "json_arguments.hpp"

namespace signalr::cli {
namespace {

Error invalid(std::string message) {
    return fail(ErrorCode::InvalidArgument, std::move(message));
}

Result<void> applyHeader(CommandLine& line, std::span<const std::string_view> values) {
    auto text = values.front();
    auto colon = text.find(':');
    if (colon == std::string_view::npos || colon == 0) {
        return invalid("--header expects NAME:VALUE, got '" + std::string(text) + "'");
    }
    auto value = text.substr(colon + 1);
    // "Name: value" as curl writes it: the blank after the colon is not part of the value.
    while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) {
        value.remove_prefix(1);
    }
    line.options.headers.emplace_back(std::string(text.substr(0, colon)), std::string(value));
    return {};
}

Result<void> applyToken(CommandLine& line, std::span<const std::string_view> values) {
    line.options.token = std::string(values.front());
    return {};
}

Result<void> applySkipNegotiation(CommandLine& line, std::span<const std::string_view>) {
    line.options.skipNegotiation = true;
    return {};
}

Result<void> applyStatefulReconnect(CommandLine& line, std::span<const std::string_view>) {
    line.options.statefulReconnect = true;
    return {};
}

Result<void> applyTimeout(CommandLine& line, std::span<const std::string_view> values) {
    auto text = values.front();
    double seconds = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), seconds);
    if (ec != std::errc() || end != text.data() + text.size() || !std::isfinite(seconds) ||
        seconds < 0 || seconds > 1e6) {
        return invalid("--timeout expects a number of seconds, got '" + std::string(text) + "'");
    }
    line.options.timeout = std::chrono::milliseconds(std::llround(seconds * 1000));
    if (seconds > 0 && line.options.timeout.count() == 0) {
        line.options.timeout = std::chrono::milliseconds(1);
    }
    return {};
}

Result<void> applyCount(CommandLine& line, std::span<const std::string_view> values) {
    auto text = values.front();
    std::uint64_t count = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), count);
    if (ec != std::errc() || end != text.data() + text.size() || count == 0) {
        return invalid("--count expects a positive number, got '" + std::string(text) + "'");
    }
    line.options.count = count;
    return {};
}

Result<void> applyThenInvoke(CommandLine& line, std::span<const std::string_view> values) {
    if (values.empty()) {
        return invalid("--then-invoke needs a METHOD");
    }
    auto arguments = parseJsonArguments(values.subspan(1));
    if (!arguments) {
        return std::move(arguments).error();
    }
    line.options.thenInvoke = MethodCall{std::string(values.front()), std::move(arguments).value()};
    return {};
}

Result<void> applyReconnect(CommandLine& line, std::span<const std::string_view>) {
    if (!line.options.reconnectDelays) {
        line.options.reconnectDelays.emplace();
    }
    return {};
}

Result<void> applyReconnectDelays(CommandLine& line, std::span<const std::string_view> values) {
    const auto text = values.front();
    auto bad = [&] {
        return invalid("--reconnect-delays expects milliseconds separated by commas (0,1000,5000), "
                       "got '" +
                       std::string(text) + "'");
    };
    std::vector<std::chrono::milliseconds> delays;
    std::string_view rest = text;
    while (true) {
        const auto comma = rest.find(',');
        const auto item = rest.substr(0, comma);
        std::uint32_t ms = 0;
        auto [end, ec] = std::from_chars(item.data(), item.data() + item.size(), ms);
        if (item.empty() || ec != std::errc() || end != item.data() + item.size()) {
            return bad();
        }
        delays.emplace_back(ms);
        if (comma == std::string_view::npos) {
            break;
        }
        rest.remove_prefix(comma + 1);
    }
    line.options.reconnectDelays = std::move(delays);
    return {};
}

Result<void> applyVerbose(CommandLine& line, std::span<const std::string_view>) {
    line.options.verbose = true;
    return {};
}

Result<void> applyHelp(CommandLine& line, std::span<const std::string_view>) {
    line.action = Action::ShowHelp;
    return {};
}

Result<void> applyVersion(CommandLine& line, std::span<const std::string_view>) {
    if (line.action != Action::ShowHelp) {
        line.action = Action::ShowVersion;
    }
    return {};
}

constexpr std::array kOptions{
    OptionSpec{"--header", "NAME:VALUE", Arity::Value,
               "send this header on every request (repeatable)", applyHeader},
    OptionSpec{"--token", "TOKEN", Arity::Value, "send 'Authorization: Bearer TOKEN'", applyToken},
    OptionSpec{"--skip-negotiation", "", Arity::Flag,
               "connect the WebSocket directly (give a ws:// URL)", applySkipNegotiation},
    OptionSpec{"--stateful-reconnect", "", Arity::Flag,
               "resume the same connection after a network drop (the hub must allow it)",
               applyStatefulReconnect},
    OptionSpec{"--timeout", "SECONDS", Arity::Value,
               "exit 2 after this long (default 30; 0 = never)", applyTimeout},
    OptionSpec{"--count", "N", Arity::Value, "listen: exit after printing N calls", applyCount},
    OptionSpec{"--then-invoke", "METHOD [JSON_ARG...]", Arity::Rest,
               "listen: then invoke METHOD (takes the rest)", applyThenInvoke},
    OptionSpec{"--reconnect", "", Arity::Flag, "reconnect a lost connection (after 0, 2, 10, 30 s)",
               applyReconnect},
    OptionSpec{"--reconnect-delays", "MS,MS,...", Arity::Value,
               "reconnect after these delays, one attempt each", applyReconnectDelays},
    OptionSpec{"--verbose", "", Arity::Flag, "log connection events and protocol frames to stderr",
               applyVerbose},
    OptionSpec{"--help", "", Arity::Flag, "show this help", applyHelp},
    OptionSpec{"--version", "", Arity::Flag, "show the version", applyVersion},
};

const OptionSpec* findOption(std::string_view name) {
    for (const auto& spec : kOptions) {
        if (spec.name == name) {
            return &spec;
        }
    }
    return nullptr;
}

struct CommandName {
    std::string_view name;
    Command command;
};

constexpr std::array kCommands{
    CommandName{"invoke", Command::Invoke},
    CommandName{"send", Command::Send},
    CommandName{"stream", Command::Stream},
    CommandName{"listen", Command::Listen},
};

Result<std::vector<std::string>> splitTargets(std::string_view list) {
    std::vector<std::string> targets;
    while (true) {
        auto comma = list.find(',');
        auto target = list.substr(0, comma);
        if (target.empty()) {
            return invalid("listen expects METHOD[,METHOD...], got an empty method name");
        }
        targets.emplace_back(target);
        if (comma == std::string_view::npos) {
            return targets;
        }
        list.remove_prefix(comma + 1);
    }
}

Result<void> applyPositionals(CliOptions& options, std::span<const std::string_view> words) {
    if (words.empty()) {
        return invalid("missing COMMAND (invoke, send, stream or listen)");
    }
    const CommandName* command = nullptr;
    for (const auto& candidate : kCommands) {
        if (candidate.name == words[0]) {
            command = &candidate;
        }
    }
    if (command == nullptr) {
        return invalid("unknown command '" + std::string(words[0]) + "'");
    }
    options.command = command->command;
    if (words.size() < 2) {
        return invalid(std::string(command->name) + ": missing URL");
    }
    options.url = std::string(words[1]);
    if (words.size() < 3) {
        return invalid(std::string(command->name) + ": missing METHOD");
    }

    bool listen = options.command == Command::Listen;
    if (!listen && (options.count || options.thenInvoke)) {
        return invalid("--count and --then-invoke only apply to listen");
    }
    if (listen) {
        if (words.size() > 3) {
            return invalid("listen takes no JSON arguments (use --then-invoke METHOD ARG...)");
        }
        auto targets = splitTargets(words[2]);
        if (!targets) {
            return std::move(targets).error();
        }
        options.listenTargets = std::move(targets).value();
        return {};
    }

    auto arguments = parseJsonArguments(words.subspan(3));
    if (!arguments) {
        return std::move(arguments).error();
    }
    options.call = MethodCall{std::string(words[2]), std::move(arguments).value()};
    return {};
}

} // namespace

std::span<const OptionSpec> optionTable() {
    return kOptions;
}

Result<CommandLine> parseCommandLine(std::span<const std::string_view> args) {
    CommandLine line;
    std::vector<std::string_view> positionals;
    bool optionsEnded = false;
    for (std::size_t i = 0; i < args.size(); ++i) {
        auto word = args[i];
        // A single dash is not an option marker: "-5" is a JSON argument.
        if (optionsEnded || !word.starts_with("--")) {
            positionals.push_back(word);
            continue;
        }
        if (word == "--") {
            optionsEnded = true;
            continue;
        }

        std::string_view name = word;
        std::optional<std::string_view> inlineValue;
        if (auto equals = word.find('='); equals != std::string_view::npos) {
            name = word.substr(0, equals);
            inlineValue = word.substr(equals + 1);
        }
        const auto* spec = findOption(name);
        if (spec == nullptr) {
            return invalid("unknown option " + std::string(name));
        }

        std::vector<std::string_view> values;
        switch (spec->arity) {
        case Arity::Flag:
            if (inlineValue) {
                return invalid(std::string(name) + " takes no value");
            }
            break;
        case Arity::Value:
            if (inlineValue) {
                values.push_back(*inlineValue);
            } else if (i + 1 < args.size()) {
                values.push_back(args[++i]);
            } else {
                return invalid(std::string(name) + " needs a value (" +
                               std::string(spec->valueName) + ")");
            }
            break;
        case Arity::Rest:
            if (inlineValue) {
                values.push_back(*inlineValue);
            }
            values.insert(values.end(), args.begin() + static_cast<std::ptrdiff_t>(i) + 1,
                          args.end());
            i = args.size();
            break;
        }
        auto applied = spec->apply(line, values);
        if (!applied) {
            return std::move(applied).error();
        }
    }

    if (line.action != Action::Run) {
        return line;
    }
    auto applied = applyPositionals(line.options, positionals);
    if (!applied) {
        return std::move(applied).error();
    }
    return line;
}

} // namespace signalr::cli
