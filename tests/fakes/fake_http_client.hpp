#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "signalr/executor.hpp"
#include "signalr/http_client.hpp"

namespace signalr::test {

/// An HttpClient whose answers a test scripts. By default it answers negotiate (v1) with
/// connectionId "conn-1" and connectionToken "token-1".
class FakeHttpClient : public HttpClient {
public:
    using Handler = std::function<Result<HttpResponse>(const HttpRequest&)>;

    explicit FakeHttpClient(std::shared_ptr<Executor> executor);

    void send(HttpRequest request, Callback done) override;

    /// Answers every later request.
    Handler handler;
    /// When true, requests wait in `held` until the test answers them.
    bool hold = false;
    std::vector<HttpRequest> requests;
    std::vector<Callback> held;

    static std::string negotiateV1(const std::string& connectionId = "conn-1",
                                   const std::string& token = "token-1");

private:
    std::shared_ptr<Executor> executor_;
};

} // namespace signalr::test
