#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <string>

#include "signalr/http_headers.hpp"
#include "signalr/result.hpp"

namespace signalr {

/// One HTTP request, as the core asks for it (negotiate).
struct HttpRequest {
    std::string method = "POST";
    std::string url;
    HttpHeaders headers;
    std::string body;
    std::chrono::milliseconds timeout{100'000};
    /// A longer response body fails the request (ProtocolError): negotiate answers are small,
    /// and a broken or hostile server must not make the client buffer without bound.
    std::size_t maxResponseSize = 4 * 1024 * 1024;
};

/// The status and body of a completed request; any status, including 4xx/5xx, is a response.
struct HttpResponse {
    int status = 0;
    std::string body;
};

/// Sends HTTP requests for the core. Lets tests script negotiate and lets each platform use its
/// own stack (libwebsockets natively, fetch in the browser).
class HttpClient {
public:
    using Callback = std::function<void(Result<HttpResponse>)>;

    virtual ~HttpClient() = default;

    /// Executor thread only. `done` runs exactly once, on the executor, never inside send():
    /// with the response, or with an error when no response arrived (TransportFailed, Timeout).
    virtual void send(HttpRequest request, Callback done) = 0;
};

} // namespace signalr
