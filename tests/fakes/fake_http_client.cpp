#include "fake_http_client.hpp"

namespace signalr::test {

FakeHttpClient::FakeHttpClient(std::shared_ptr<Executor> executor)
    : handler([](const HttpRequest&) {
          return Result<HttpResponse>(HttpResponse{200, negotiateV1()});
      }),
      executor_(std::move(executor)) {}

void FakeHttpClient::send(HttpRequest request, Callback done) {
    requests.push_back(request);
    if (hold) {
        held.push_back(std::move(done));
        return;
    }
    auto response = handler(request);
    executor_->post([done = std::move(done), response = std::move(response)]() mutable {
        done(std::move(response));
    });
}

std::string FakeHttpClient::negotiateV1(const std::string& connectionId, const std::string& token) {
    return R"({"connectionId":")" + connectionId + R"(","connectionToken":")" + token +
           R"(","negotiateVersion":1,"availableTransports":[{"transport":"WebSockets","transferFormats":["Text","Binary"]}]})";
}

} // namespace signalr::test
