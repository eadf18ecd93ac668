#include "session.hpp"

#include <chrono>
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
    builder.configureLogging(options.verbose ? LogLevel::Trace : LogLevel::None);
    // The command's own bound applies to every step; the library's defaults (100 s negotiate)
    // would otherwise outlast it.
    builder.withNegotiateTimeout(deadline.remaining());

    auto built = builder.build();
    if (!built) {
        return std::move(built).error();
    }
    auto connection = std::move(built).value();
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
