#include "commands.hpp"
#include "output.hpp"
#include "session.hpp"
#include "signalr/wait.hpp"

namespace signalr::cli {

ExitCode runStream(const CliOptions& options) {
    Deadline deadline(options.timeout);
    auto connection = openConnection(options, deadline);
    if (!connection) {
        return reportFailure(connection.error(), deadline);
    }
    StreamSubscription subscription;
    // Items print on the event loop thread as they arrive; the completion runs after the last.
    auto finished = signalr::wait(
        [&](auto done) {
            subscription = connection->stream<Value>(
                options.call.method, options.call.arguments,
                [](const Value& item) { printJsonLine(item); }, done);
        },
        deadline.remaining());
    if (!finished) {
        // On a timeout the server is still producing: tell it to stop before leaving.
        subscription.cancel();
        auto code = reportFailure(finished.error(), deadline);
        closeConnection(*connection, deadline);
        return code;
    }
    closeConnection(*connection, deadline);
    return ExitCode::Success;
}

} // namespace signalr::cli
