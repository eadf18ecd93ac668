#include "commands.hpp"
#include "output.hpp"
#include "session.hpp"
#include "signalr/wait.hpp"

namespace signalr::cli {

ExitCode runInvoke(const CliOptions& options) {
    Deadline deadline(options.timeout);
    auto connection = openConnection(options, deadline);
    if (!connection) {
        return reportFailure(connection.error(), deadline);
    }
    auto result = signalr::wait<Value>(
        [&](auto done) {
            connection->invoke<Value>(options.call.method, options.call.arguments, done);
        },
        deadline.remaining());
    if (!result) {
        auto code = reportFailure(result.error(), deadline);
        closeConnection(*connection, deadline);
        return code;
    }
    printJsonLine(*result);
    closeConnection(*connection, deadline);
    return ExitCode::Success;
}

} // namespace signalr::cli
