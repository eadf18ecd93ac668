#include "output.hpp"

#include <cstdio>
#include <string>

#include "signalr/json.hpp"

namespace signalr::cli {
namespace {

// stdio rather than iostreams: one fwrite per line keeps lines whole when the event loop thread
// prints items while the main thread reports an error.
void writeLine(std::FILE* stream, std::string line) {
    line += '\n';
    std::fwrite(line.data(), 1, line.size(), stream);
    std::fflush(stream);
}

} // namespace

void printJsonLine(const Value& value) {
    writeLine(stdout, toJson(value));
}

void printError(const Error& error) {
    if (error.code == ErrorCode::HubError && !error.serverMessage.empty()) {
        printError(error.serverMessage);
    } else {
        printError(error.message);
    }
}

void printError(std::string_view message) {
    writeLine(stderr, "error: " + std::string(message));
}

void printNote(std::string_view message) {
    writeLine(stderr, std::string(message));
}

} // namespace signalr::cli
