#pragma once

#include <functional>

#include "cli_options.hpp"
#include "deadline.hpp"
#include "exit_code.hpp"
#include "signalr/hub_connection.hpp"
#include "signalr/result.hpp"

namespace signalr::cli {

/// Builds the connection the options describe (URL, headers, token, negotiation, logging),
/// lets `prepare` register handlers before anything can arrive, and starts it within the
/// deadline.
Result<HubConnection> openConnection(const CliOptions& options, const Deadline& deadline,
                                     const std::function<void(HubConnection&)>& prepare = {});

/// Stops the connection politely, waiting a bounded time for the Close to go out.
void closeConnection(HubConnection& connection, const Deadline& deadline);

/// Prints why a step failed (a timeout names --timeout) and returns the matching exit status.
ExitCode reportFailure(const Error& error, const Deadline& deadline);

} // namespace signalr::cli
