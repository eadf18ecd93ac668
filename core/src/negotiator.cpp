#include "negotiator.hpp"

#include <algorithm>
#include <utility>

#include "negotiate_response.hpp"

namespace signalr::detail {

namespace {

struct NegotiateRun {
    std::shared_ptr<HttpClient> http;
    NegotiateRequest request;
    Logger logger;
    std::function<bool()> abandoned;
    std::function<void(Result<NegotiateOutcome>)> done;
    int redirects = 0;
};

bool offersTextWebSockets(const NegotiateResponse& response) {
    return std::any_of(response.availableTransports.begin(), response.availableTransports.end(),
                       [](const AvailableTransport& t) {
                           return t.transport == "WebSockets" &&
                                  std::find(t.transferFormats.begin(), t.transferFormats.end(),
                                            "Text") != t.transferFormats.end();
                       });
}

Error statusError(int status) {
    if (status == 401 || status == 403) {
        return fail(ErrorCode::Unauthorized, "negotiate was refused with HTTP " +
                                                 std::to_string(status) +
                                                 ": check the access token");
    }
    return fail(ErrorCode::NegotiateFailed,
                "negotiate failed with HTTP status " + std::to_string(status));
}

void step(std::shared_ptr<NegotiateRun> run);

void onResponse(const std::shared_ptr<NegotiateRun>& run, Result<HttpResponse> result) {
    // stop() or a newer start: following a redirect now would send the token for nothing.
    if (run->abandoned && run->abandoned()) {
        return;
    }
    if (!result) {
        Error error = std::move(result).error();
        error.message = "negotiate failed: " + error.message;
        run->done(std::move(error));
        return;
    }
    if (result->status < 200 || result->status > 299) {
        run->done(statusError(result->status));
        return;
    }
    auto parsed = parseNegotiateResponse(result->body);
    if (!parsed) {
        run->done(std::move(parsed).error());
        return;
    }
    NegotiateResponse& response = parsed.value();
    if (response.error) {
        run->done(fail(ErrorCode::NegotiateFailed,
                       "the server refused negotiate: " + *response.error, *response.error));
        return;
    }
    if (response.url) {
        if (++run->redirects > kMaxNegotiateRedirects) {
            run->done(fail(ErrorCode::NegotiateFailed, "Negotiate redirection limit exceeded."));
            return;
        }
        auto target = parseUrl(*response.url);
        if (!target) {
            run->done(fail(ErrorCode::NegotiateFailed,
                           "negotiate redirected to an invalid URL: " + target.error().message));
            return;
        }
        if (run->logger.enabled(LogLevel::Debug)) {
            run->logger.log(LogLevel::Debug, "negotiate redirected to {}",
                            redactUrl(target->toString()));
        }
        run->request.base = std::move(target).value();
        if (response.accessToken) {
            run->request.accessToken = std::move(response.accessToken);
        }
        step(run);
        return;
    }
    if (!offersTextWebSockets(response)) {
        run->done(fail(ErrorCode::NegotiateFailed,
                       "the server does not offer WebSockets with the Text transfer format"));
        return;
    }
    NegotiateOutcome outcome;
    outcome.transportUrl =
        appendQuery(toWebSocketUrl(run->request.base), "id", response.connectionToken);
    outcome.connectionId = std::move(response.connectionId);
    outcome.accessToken = run->request.accessToken;
    outcome.useStatefulReconnect = run->request.statefulReconnect && response.useStatefulReconnect;
    run->done(std::move(outcome));
}

void step(std::shared_ptr<NegotiateRun> run) {
    HttpRequest http;
    http.method = "POST";
    auto url = appendQuery(appendPath(run->request.base, "negotiate"), "negotiateVersion", "1");
    if (run->request.statefulReconnect) {
        url = appendQuery(std::move(url), "useStatefulReconnect", "true");
    }
    http.url = url.toString();
    http.headers = run->request.headers;
    // Makes ASP.NET auth middleware answer 401 instead of redirecting to a login page.
    http.headers.emplace("X-Requested-With", "XMLHttpRequest");
    if (run->request.accessToken) {
        http.headers["Authorization"] = "Bearer " + *run->request.accessToken;
    }
    // Zero or less means no bound of our own.
    http.timeout = run->request.timeout.count() > 0
                       ? run->request.timeout
                       : std::chrono::milliseconds(std::chrono::hours(24));
    if (run->logger.enabled(LogLevel::Debug)) {
        run->logger.log(LogLevel::Debug, "negotiating with {}", redactUrl(http.url));
    }
    auto client = run->http;
    client->send(std::move(http),
                 [run = std::move(run)](Result<HttpResponse> r) { onResponse(run, std::move(r)); });
}

} // namespace

void negotiate(std::shared_ptr<HttpClient> http, NegotiateRequest request, Logger logger,
               std::function<bool()> abandoned,
               std::function<void(Result<NegotiateOutcome>)> done) {
    auto run = std::make_shared<NegotiateRun>();
    run->http = std::move(http);
    run->request = std::move(request);
    run->logger = std::move(logger);
    run->abandoned = std::move(abandoned);
    run->done = std::move(done);
    step(std::move(run));
}

} // namespace signalr::detail
