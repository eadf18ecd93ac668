#pragma once

#include <functional>
#include <memory>

#include "signalr/executor.hpp"
#include "signalr/http_client.hpp"
#include "signalr/transport.hpp"

namespace signalr {

/// The services a connection needs from its environment. Tests pass fakes; applications
/// normally use defaultPlatform().
struct Platform {
    std::shared_ptr<Executor> executor;
    std::shared_ptr<HttpClient> httpClient;
    std::function<std::unique_ptr<Transport>()> makeTransport;
};

/// This build's platform: a process-wide libwebsockets loop natively, the browser on wasm.
/// Defined by the transport library the application links.
Platform defaultPlatform();

} // namespace signalr
