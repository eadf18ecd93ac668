#pragma once

#include <memory>

#include "signalr/executor.hpp"
#include "signalr/http_client.hpp"

namespace signalr::detail {

/// HttpClient over the browser's fetch(). The page's origin rules apply: a hub on another origin
/// must allow it with CORS (as for the JavaScript client).
class FetchHttpClient final : public HttpClient {
public:
    explicit FetchHttpClient(std::shared_ptr<Executor> executor);
    /// Requests still in flight complete nowhere: their answers are dropped.
    ~FetchHttpClient() override;

    void send(HttpRequest request, Callback done) override;

    /// The requests in flight; what fetch's answers look for.
    struct State;

private:
    std::shared_ptr<State> state_;
};

} // namespace signalr::detail
