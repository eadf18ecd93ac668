#pragma once

#include "cli_options.hpp"
#include "exit_code.hpp"

namespace signalr::cli {

/// `invoke`: prints the result as one line of JSON (null for void methods).
ExitCode runInvoke(const CliOptions& options);

/// `send`: hands the call to the connection and exits without a result.
ExitCode runSend(const CliOptions& options);

/// `stream`: prints each item as one line of JSON; a failure midway comes after the items.
ExitCode runStream(const CliOptions& options);

/// `listen`: prints each server call to the listened methods until --count calls, the
/// connection closes, or SIGINT/SIGTERM (exit 0).
ExitCode runListen(const CliOptions& options);

} // namespace signalr::cli
