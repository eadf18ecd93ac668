#include "signalr/platform.hpp"

// Core tests link no transport: every connection gets the fakes through withPlatform(), and
// a connection built without one fails to build (no executor).
signalr::Platform signalr::defaultPlatform() {
    return {};
}
