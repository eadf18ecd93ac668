// signalr-cli: invoke, send to, stream from and listen to an ASP.NET Core SignalR hub.

#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include "cli_options.hpp"
#include "commands.hpp"
#include "output.hpp"
#include "usage.hpp"

using namespace signalr::cli;

int main(int argc, char** argv) {
    std::vector<std::string_view> args(argv + 1, argv + argc);
    auto line = parseCommandLine(args);
    if (!line) {
        printError(line.error().message);
        std::fputs("\n", stderr);
        std::fputs(usageText().c_str(), stderr);
        return static_cast<int>(ExitCode::Failure);
    }
    switch (line->action) {
    case Action::ShowHelp:
        std::fputs(usageText().c_str(), stdout);
        return static_cast<int>(ExitCode::Success);
    case Action::ShowVersion:
        std::puts(versionText().c_str());
        return static_cast<int>(ExitCode::Success);
    case Action::Run: break;
    }

    const auto& options = line->options;
    ExitCode code = ExitCode::Failure;
    switch (options.command) {
    case Command::Invoke: code = runInvoke(options); break;
    case Command::Send: code = runSend(options); break;
    case Command::Stream: code = runStream(options); break;
    case Command::Listen: code = runListen(options); break;
    }
    return static_cast<int>(code);
}
