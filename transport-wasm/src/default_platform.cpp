#include "signalr/platform.hpp"

#include "browser_executor.hpp"
#include "browser_websocket_transport.hpp"
#include "fetch_http_client.hpp"

namespace signalr {

Platform defaultPlatform() {
    // The page has one event loop: every connection shares one executor and one fetch client.
    static const auto executor = std::make_shared<detail::BrowserExecutor>();
    static const auto httpClient = std::make_shared<detail::FetchHttpClient>(executor);
    return Platform{
        .executor = executor,
        .httpClient = httpClient,
        .makeTransport = []() -> std::unique_ptr<Transport> {
            return std::make_unique<detail::BrowserWebSocketTransport>(executor);
        },
    };
}

} // namespace signalr
