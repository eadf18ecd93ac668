#pragma once

#include <string>

namespace signalr::test {

/// The test hub's base URL ("http://127.0.0.1:<port>"), started once for the whole cli_tests
/// binary by the global environment in cli_tests_main.cpp.
const std::string& hubBaseUrl();

/// A loopback port nothing listens on (bound, then released), for connection-refused tests.
int unusedLoopbackPort();

} // namespace signalr::test
