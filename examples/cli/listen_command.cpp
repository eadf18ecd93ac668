#include <memory>

#include "commands.hpp"
#include "interrupt_watcher.hpp"
#include "listen_outcome.hpp"
#include "session.hpp"
#include "signalr/wait.hpp"

namespace signalr::cli {

ExitCode runListen(const CliOptions& options) {
    Deadline deadline(options.timeout);
    // Shared: the connection may run a callback (a Cancelled completion, the close) while it is
    // being destroyed at the end of this function.
    auto outcome = std::make_shared<ListenOutcome>(options.count, options.thenInvoke.has_value());
    // Before the connection exists, so its threads inherit the blocked signals.
    InterruptWatcher interrupts([outcome] { outcome->onInterrupt(); });

    auto connection = openConnection(options, deadline, [&](HubConnection& hub) {
        for (const auto& target : options.listenTargets) {
            hub.on(target, [outcome, target](const Arguments& arguments) {
                outcome->onCall(target, arguments);
            });
        }
        hub.onClosed([outcome](const std::optional<Error>& error) { outcome->onClosed(error); });
    });
    if (!connection) {
        return reportFailure(connection.error(), deadline);
    }

    auto finished = signalr::wait(
        [&](auto done) {
            outcome->attach(done);
            if (options.thenInvoke) {
                connection->invoke<void>(
                    options.thenInvoke->method, options.thenInvoke->arguments,
                    [outcome](Result<void> result) { outcome->onInvokeDone(std::move(result)); });
            }
        },
        deadline.remaining());
    auto code = finished ? ExitCode::Success : reportFailure(finished.error(), deadline);
    closeConnection(*connection, deadline);
    return code;
}

} // namespace signalr::cli
