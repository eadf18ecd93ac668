#include "fetch_http_client.hpp"

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <utility>

#include "json_writer.hpp"
#include "signalr/result.hpp"

extern "C" {
// transport-wasm/src/signalr_browser.js
void signalr_fetch(const char* method, const char* url, const char* headersJson, const char* body,
                   std::size_t bodyLength, double timeoutMs, double maxResponse,
                   void (*done)(void* context, int status, const char* data, int length),
                   void* context);
}

namespace signalr::detail {

struct FetchHttpClient::State {
    std::shared_ptr<Executor> executor;
    // Requests in flight by number: fetch's answer carries only the number, so an answer for a
    // destroyed client finds nothing.
    std::map<std::uint64_t, Callback> pending;
};

namespace {

std::uint64_t nextRequestNumber = 1;
// Owners of the requests in flight, by request number (the browser runs everything on one
// thread, so a plain map serves).
std::map<std::uint64_t, std::weak_ptr<FetchHttpClient::State>>& requestOwners() {
    static std::map<std::uint64_t, std::weak_ptr<FetchHttpClient::State>> owners;
    return owners;
}

std::string headersToJson(const HttpHeaders& headers) {
    std::string json = "{";
    for (const auto& [name, value] : headers) {
        if (json.size() > 1) {
            json += ',';
        }
        (void)writeJsonString(name, json, JsonWriteMode::Lenient);
        json += ':';
        (void)writeJsonString(value, json, JsonWriteMode::Lenient);
    }
    json += '}';
    return json;
}

void onFetchDone(void* context, int status, const char* data, int length) {
    const auto number = static_cast<std::uint64_t>(reinterpret_cast<std::uintptr_t>(context));
    auto& owners = requestOwners();
    auto owner = owners.find(number);
    if (owner == owners.end()) {
        return;
    }
    auto state = owner->second.lock();
    owners.erase(owner);
    if (!state) {
        return;
    }
    auto pending = state->pending.find(number);
    if (pending == state->pending.end()) {
        return;
    }
    HttpClient::Callback done = std::move(pending->second);
    state->pending.erase(pending);

    std::string body(data, static_cast<std::size_t>(length));
    Result<HttpResponse> result = [&]() -> Result<HttpResponse> {
        switch (status) {
        case -2: return fail(ErrorCode::Timeout, "the HTTP request timed out: " + body);
        case -3: return fail(ErrorCode::ProtocolError, std::move(body));
        default:
            if (status <= 0) {
                return fail(ErrorCode::TransportFailed, "the HTTP request failed: " + body);
            }
            return HttpResponse{.status = status, .body = std::move(body)};
        }
    }();
    done(std::move(result));
}

} // namespace

FetchHttpClient::FetchHttpClient(std::shared_ptr<Executor> executor)
    : state_(std::make_shared<State>()) {
    state_->executor = std::move(executor);
}

FetchHttpClient::~FetchHttpClient() = default;

void FetchHttpClient::send(HttpRequest request, Callback done) {
    const std::uint64_t number = nextRequestNumber++;
    state_->pending.emplace(number, std::move(done));
    requestOwners().emplace(number, state_);
    // A pointer-sized number, not a pointer: the answer may come after the client is gone.
    void* context = reinterpret_cast<void*>(static_cast<std::uintptr_t>(number));
    const std::string headers = headersToJson(request.headers);
    signalr_fetch(request.method.c_str(), request.url.c_str(), headers.c_str(), request.body.data(),
                  request.body.size(), static_cast<double>(request.timeout.count()),
                  static_cast<double>(request.maxResponseSize), &onFetchDone, context);
}

} // namespace signalr::detail
