#pragma once

#include "signalr/error.hpp"

namespace signalr::cli {

/// The process exit statuses of signalr-cli; scripts rely on them.
enum class ExitCode : int {
    Success = 0,
    /// The hub answered with an error (ErrorCode::HubError).
    HubError = 1,
    /// Connecting failed, the --timeout elapsed, or the command line was wrong.
    Failure = 2,
};

/// HubError maps to ExitCode::HubError; every other error is a failure to talk to the hub.
inline ExitCode exitCodeFor(const Error& error) {
    return error.code == ErrorCode::HubError ? ExitCode::HubError : ExitCode::Failure;
}

} // namespace signalr::cli
