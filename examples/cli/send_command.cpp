#include "commands.hpp"
#include "session.hpp"
#include "signalr/wait.hpp"

namespace signalr::cli {

ExitCode runSend(const CliOptions& options) {
    Deadline deadline(options.timeout);
    auto connection = openConnection(options, deadline);
    if (!connection) {
        return reportFailure(connection.error(), deadline);
    }
    auto sent = signalr::wait(
        [&](auto done) { connection->send(options.call.method, options.call.arguments, done); },
        deadline.remaining());
    if (!sent) {
        auto code = reportFailure(sent.error(), deadline);
        closeConnection(*connection, deadline);
        return code;
    }
    // Stopping goes through the same transport after the message, so the server reads the
    // call before the Close.
    closeConnection(*connection, deadline);
    return ExitCode::Success;
}

} // namespace signalr::cli
