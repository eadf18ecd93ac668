#include "session.hpp"

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "output.hpp"
#include "signalr/hub_connection_builder.hpp"
#include "signalr/wait.hpp"

namespace signalr::cli {
namespace {

std::string describeBudget(std::chrono::milliseconds budget) {
    auto ms = budget.count();
    if (ms % 1000 == 0) {
        return std::to_string(ms / 1000) + " s";
    }
    return std::to_string(ms) + " ms";
}

std::string describeDisconnect(const DisconnectReason& reason) {
    std::string kind;
    switch (reason.kind) {
    case DisconnectKind::UserRequested: kind = "stopped"; break;
    case DisconnectKind::ServerClosed: kind = "closed by the server"; break;
    case DisconnectKind::NetworkError: kind = "network error"; break;
    case DisconnectKind::Timeout: kind = "server timeout"; break;
    }
    return reason.error ? kind + ": " + reason.error->message : kind;
}

// --verbose: the connection's lifecycle on stderr, one line per event, next to the log lines.
void printEvents(HubConnection& connection) {
    connection.onDisconnected([](const DisconnectReason& reason) {
        printNote("event: disconnected (" + describeDisconnect(reason) + ")");
    });
    connection.onReconnecting([](std::uint32_t attempt, const Error& reason) {
        printNote("event: reconnecting, attempt " + std::to_string(attempt) + " (" +
                  reason.message + ")");
    });
    connection.onReconnected([](std::uint32_t attempt, const std::optional<std::string>& id) {
        printNote("event: reconnected after " + std::to_string(attempt) + " attempt(s)" +
                  (id ? " as " + *id : std::string()));
    });
    connection.onReconnectFailed(
        [](const Error& error) { printNote("event: reconnect failed (" + error.message + ")"); });
}

} // namespace

Result<HubConnection> openConnection(const CliOptions& options, const Deadline& deadline,
                                     const std::function<void(HubConnection&)>& prepare) {
    HubConnectionBuilder builder;
    builder.withUrl(options.url).skipNegotiation(options.skipNegotiation);
    if (options.statefulReconnect) {
        builder.withStatefulReconnect();
    }
    for (const auto& [name, value] : options.headers) {
        builder.withHeader(name, value);
    }
    if (options.token) {
        builder.withAccessTokenProvider(
            [token = *options.token]() -> Result<std::string> { return token; });
    }
    if (options.reconnectDelays) {
        if (options.reconnectDelays->empty()) {
            builder.withAutomaticReconnect();
        } else {
            builder.withAutomaticReconnect(ReconnectPolicy::delays(*options.reconnectDelays));
        }
    }
    builder.configureLogging(options.verbose ? LogLevel::Trace : LogLevel::None);
    // The command's own bound applies to every step; the library's defaults (100 s negotiate)
    // would otherwise outlast it.
    builder.withNegotiateTimeout(deadline.remaining());

    auto built = builder.build();
    if (!built) {
        return std::move(built).error();
    }
    auto connection = std::move(built).value();
    if (options.verbose) {
        printEvents(connection);
    }
    if (prepare) {
        prepare(connection);
    }

    auto started = signalr::wait([&](auto done) { connection.start(done); }, deadline.remaining());
    if (!started) {
        auto error = std::move(started).error();
        if (error.code != ErrorCode::Timeout || !deadline.expired()) {
            error.message = "cannot connect to " + options.url + ": " + error.message;
        }
        return error;
    }
    if (options.verbose) {
        printNote("connected to " + options.url +
                  (connection.connectionId() ? " as " + *connection.connectionId() : ""));
    }
    return connection;
}

void closeConnection(HubConnection& connection, const Deadline& deadline) {
    // Stopping is a courtesy to the server: it gets a second at most, and failures don't
    // change the command's result.
    auto stopped = signalr::wait([&](auto done) { connection.stop(done); },
                                 deadline.remainingAtMost(std::chrono::seconds(1)));
    (void)stopped;
}

ExitCode reportFailure(const Error& error, const Deadline& deadline) {
    if (deadline.expired()) {
        printError("timed out after " + describeBudget(deadline.budget()) + " (--timeout)");
        return ExitCode::Failure;
    }
    printError(error);
    return exitCodeFor(error);
}

} // namespace signalr::cli
