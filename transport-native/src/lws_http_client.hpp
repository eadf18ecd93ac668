#pragma once

#include <memory>

#include "signalr/http_client.hpp"

namespace signalr::detail {

class LoopCore;

/// HTTP/1.1 requests (http:// and https://) on a LoopCore, one lws client connection each.
///
/// A request in flight keeps its own state alive; destroying the client does not cancel it, and
/// its callback still runs exactly once (unless the loop stops first, which drops it).
class LwsHttpClient final : public HttpClient {
public:
    explicit LwsHttpClient(std::shared_ptr<LoopCore> loop) : loop_(std::move(loop)) {}

    void send(HttpRequest request, Callback done) override;

private:
    std::shared_ptr<LoopCore> loop_;
};

} // namespace signalr::detail
