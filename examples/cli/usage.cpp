#include "usage.hpp"

#include <cstddef>

#include "cli_options.hpp"

#ifndef SIGNALR_CLI_VERSION
#define SIGNALR_CLI_VERSION "unknown"
#endif

namespace signalr::cli {
namespace {

void appendColumns(std::string& out, std::string_view left, std::string_view right,
                   std::size_t width) {
    out += "  ";
    out += left;
    if (left.size() + 2 > width) {
        // Too long for the column: the help goes on its own line rather than out of line.
        out += '\n';
        out.append(width + 2, ' ');
    } else {
        out.append(width - left.size(), ' ');
    }
    out += right;
    out += '\n';
}

} // namespace

std::string usageText() {
    std::string out =
        "Usage: signalr-cli COMMAND URL METHOD [JSON_ARG...] [OPTIONS]\n"
        "\n"
        "Talks to an ASP.NET Core SignalR hub. Results go to stdout as compact JSON, one per\n"
        "line; messages and errors go to stderr.\n"
        "\n"
        "Commands:\n";
    constexpr std::size_t kWidth = 34;
    constexpr std::size_t kOptionWidth = 22;
    appendColumns(out, "invoke URL METHOD [JSON_ARG...]", "print the result (null for void)",
                  kWidth);
    appendColumns(out, "send URL METHOD [JSON_ARG...]", "call without waiting for a result",
                  kWidth);
    appendColumns(out, "stream URL METHOD [JSON_ARG...]", "print each stream item", kWidth);
    appendColumns(out, "listen URL METHOD[,METHOD...]",
                  "print each call the server makes to METHOD as", kWidth);
    appendColumns(out, "", R"({"target":"METHOD","arguments":[...]})", kWidth);
    out += "\nOptions (before or after the arguments):\n";
    for (const auto& spec : optionTable()) {
        std::string left(spec.name);
        if (!spec.valueName.empty()) {
            left += ' ';
            left += spec.valueName;
        }
        appendColumns(out, left, spec.help, kOptionWidth);
    }
    out += "\n"
           "Each JSON_ARG is one JSON value: 42, true, null, '\"text\"', '{\"a\":[1,2]}'.\n"
           "\n"
           "Exit status: 0 success, 1 the hub answered with an error, 2 connecting failed,\n"
           "the timeout elapsed or the arguments are wrong.\n"
           "\n"
           "Examples:\n"
           "  signalr-cli invoke http://localhost:5000/hub Add 1 2\n"
           "  signalr-cli stream http://localhost:5000/hub Counter 3 100\n"
           "  signalr-cli listen http://localhost:5000/hub Broadcast --count 1 \\\n"
           "      --then-invoke BroadcastAll '\"hi\"'\n";
    return out;
}

std::string versionText() {
    return std::string("signalr-cli ") + SIGNALR_CLI_VERSION;
}

} // namespace signalr::cli
