#include "lws_http_client.hpp"

#include <algorithm>
#include <cctype>
#include <string>
#include <string_view>
#include <utility>

#include "loop_core.hpp"
#include "lws_client.hpp"
#include "lws_limits.hpp"
#include "url.hpp"

namespace signalr::detail {

namespace {

bool equalsIgnoreCase(std::string_view a, std::string_view b) {
    return a.size() == b.size() &&
           std::equal(a.begin(), a.end(), b.begin(), [](unsigned char x, unsigned char y) {
               return std::tolower(x) == std::tolower(y);
           });
}

bool isToken(std::string_view text) {
    return !text.empty() && std::all_of(text.begin(), text.end(), [](unsigned char c) {
        return std::isalnum(c) || std::string_view("!#$%&'*+-.^_`|~").find(static_cast<char>(c)) !=
                                      std::string_view::npos;
    });
}

} // namespace

/// One request/response exchange. Loop thread only; kept alive by its wsi (LwsConnection) and by
/// the tasks that involve it.
class HttpExchange final : public LwsConnection {
public:
    HttpExchange(std::weak_ptr<LoopCore> loop, HttpClient::Callback done)
        : loop_(std::move(loop)), done_(std::move(done)) {}

    void start(HttpRequest request);

    int onLwsCallback(lws* wsi, lws_callback_reasons reason, void* user, void* in,
                      std::size_t len) override;

private:
    std::shared_ptr<HttpExchange> self() {
        return std::static_pointer_cast<HttpExchange>(shared_from_this());
    }
    void finish(Result<HttpResponse> result);
    void onTimeout();
    void killSocket();
    int appendRequestHeaders(lws* wsi, void* in, std::size_t len);
    int writeBody(lws* wsi);
    Error failure(const std::string& why) const;

    std::weak_ptr<LoopCore> loop_;
    HttpClient::Callback done_;
    bool finished_ = false;
    lws* wsi_ = nullptr;

    std::string method_;
    ClientEndpoint endpoint_;
    HttpHeaders headers_;
    std::string body_; ///< LWS_PRE bytes of headroom, then the request body
    std::size_t maxResponseSize_ = 0;
    std::size_t bodySent_ = 0;
    std::chrono::milliseconds timeout_{0};
    Executor::TimerId timer_ = 0;
    std::string displayUrl_;
    std::string certificateError_;
    bool headersTooLarge_ = false;

    HttpResponse response_;
};

void HttpExchange::start(HttpRequest request) {
    auto loop = loop_.lock();
    if (!loop || loop->context() == nullptr) {
        finish(fail(ErrorCode::TransportFailed, "the event loop has stopped"));
        return;
    }
    if (!isToken(request.method)) {
        finish(fail(ErrorCode::InvalidArgument, "invalid HTTP method '" + request.method + "'"));
        return;
    }
    auto url = parseUrl(request.url);
    if (!url) {
        finish(url.error());
        return;
    }
    if (url->scheme != "http" && url->scheme != "https") {
        finish(fail(ErrorCode::InvalidArgument,
                    "HTTP requests need an http:// or https:// URL, not '" +
                        redactUrl(request.url) + "'"));
        return;
    }
    if (auto invalid = validateHeaders(request.headers)) {
        finish(std::move(*invalid));
        return;
    }
    method_ = std::move(request.method);
    displayUrl_ = method_ + " " + redactUrl(url->toString());
    endpoint_ = makeEndpoint(std::move(url).value());
    headers_ = std::move(request.headers);
    maxResponseSize_ = request.maxResponseSize;
    body_.reserve(LWS_PRE + request.body.size());
    body_.assign(LWS_PRE, '\0');
    body_.append(request.body);
    timeout_ = request.timeout;

    std::weak_ptr<HttpExchange> weak = self();
    timer_ = loop->schedule(timeout_, [weak] {
        if (auto exchange = weak.lock()) {
            exchange->timer_ = 0;
            exchange->onTimeout();
        }
    });

    lws_client_connect_info info;
    fillConnectInfo(info, loop->context(), endpoint_,
                    static_cast<void*>(static_cast<LwsConnection*>(this)));
    info.method = method_.c_str();
    retainForLws();
    lws* wsi = lws_client_connect_via_info(&info);
    if (wsi == nullptr) {
        releaseFromLws();
        finish(failure("the connection could not be started (address resolution or socket "
                       "setup failed)"));
        return;
    }
    wsi_ = wsi;
}

void HttpExchange::finish(Result<HttpResponse> result) {
    if (finished_) {
        return;
    }
    finished_ = true;
    if (timer_ != 0) {
        if (auto loop = loop_.lock()) {
            loop->cancel(timer_);
        }
        timer_ = 0;
    }
    auto loop = loop_.lock();
    if (!loop) {
        return;
    }
    // Never inside send() or an lws callback: always a task of its own.
    loop->post([done = std::move(done_), result = std::move(result)]() mutable {
        if (done) {
            done(std::move(result));
        }
    });
    done_ = nullptr;
}

void HttpExchange::onTimeout() {
    finish(fail(ErrorCode::Timeout,
                displayUrl_ + " timed out after " + std::to_string(timeout_.count()) + " ms"));
    killSocket();
}

void HttpExchange::killSocket() {
    if (wsi_ != nullptr) {
        lws_set_timeout(wsi_, PENDING_TIMEOUT_USER_OK, LWS_TO_KILL_ASYNC);
    }
}

Error HttpExchange::failure(const std::string& why) const {
    return fail(ErrorCode::TransportFailed, displayUrl_ + " failed: " + why);
}

int HttpExchange::appendRequestHeaders(lws* wsi, void* in, std::size_t len) {
    auto** cursor = static_cast<char**>(in);
    const char* start = *cursor;
    if (!appendHeaders(in, len, headers_)) {
        headersTooLarge_ = true;
        return -1;
    }
    const std::size_t bodySize = body_.size() - LWS_PRE;
    const bool userLength = std::any_of(headers_.begin(), headers_.end(), [](const auto& header) {
        return equalsIgnoreCase(header.first, "Content-Length");
    });
    // A POST without a body still says so: some servers wait for a body otherwise.
    const bool needsLength =
        bodySize > 0 || method_ == "POST" || method_ == "PUT" || method_ == "PATCH";
    if (needsLength && !userLength) {
        const auto used = static_cast<std::size_t>(*cursor - start);
        if (!appendHeader(in, len - used, "Content-Length", std::to_string(bodySize))) {
            headersTooLarge_ = true;
            return -1;
        }
    }
    if (bodySize > 0) {
        lws_client_http_body_pending(wsi, 1);
        lws_callback_on_writable(wsi);
    }
    return 0;
}

int HttpExchange::writeBody(lws* wsi) {
    const std::size_t bodySize = body_.size() - LWS_PRE;
    if (finished_ || bodySent_ >= bodySize) {
        return 0;
    }
    const std::size_t chunk = std::min(bodySize - bodySent_, kWriteChunkSize);
    const bool last = bodySent_ + chunk == bodySize;
    auto* data = reinterpret_cast<unsigned char*>(body_.data()) + LWS_PRE + bodySent_;
    if (lws_write(wsi, data, chunk, last ? LWS_WRITE_HTTP_FINAL : LWS_WRITE_HTTP) < 0) {
        return -1;
    }
    bodySent_ += chunk;
    if (last) {
        lws_client_http_body_pending(wsi, 0);
    } else {
        lws_callback_on_writable(wsi);
    }
    return 0;
}

int HttpExchange::onLwsCallback(lws* wsi, lws_callback_reasons reason, void* user, void* in,
                                std::size_t len) {
    switch (reason) {
    case LWS_CALLBACK_CLIENT_APPEND_HANDSHAKE_HEADER: return appendRequestHeaders(wsi, in, len);

    case LWS_CALLBACK_CLIENT_HTTP_WRITEABLE: return writeBody(wsi);

    case LWS_CALLBACK_OPENSSL_PERFORM_SERVER_CERT_VERIFICATION:
        if (auto failure = certificateFailure(user, len); failure && certificateError_.empty()) {
            certificateError_ = std::move(*failure);
        }
        return 0;

    case LWS_CALLBACK_ESTABLISHED_CLIENT_HTTP:
        wsi_ = wsi;
        response_.status = static_cast<int>(lws_http_client_http_response(wsi));
        return 0;

    case LWS_CALLBACK_RECEIVE_CLIENT_HTTP: {
        // Data is waiting: lws_http_client_read() decodes it (chunked or not) and hands it over
        // through RECEIVE_CLIENT_HTTP_READ.
        char buffer[LWS_PRE + 16 * 1024];
        char* p = buffer + LWS_PRE;
        int size = static_cast<int>(sizeof buffer - LWS_PRE);
        return lws_http_client_read(wsi, &p, &size) < 0 ? -1 : 0;
    }

    case LWS_CALLBACK_RECEIVE_CLIENT_HTTP_READ:
        if (!finished_ && in != nullptr) {
            if (response_.body.size() + len > maxResponseSize_) {
                finish(fail(ErrorCode::ProtocolError, "the HTTP response body is larger than " +
                                                          std::to_string(maxResponseSize_) +
                                                          " bytes"));
                return -1;
            }
            response_.body.append(static_cast<const char*>(in), len);
        }
        return 0;

    case LWS_CALLBACK_COMPLETED_CLIENT_HTTP:
        finish(std::move(response_));
        return -1; // no keep-alive: close the connection now

    case LWS_CALLBACK_CLIENT_CONNECTION_ERROR:
        if (!certificateError_.empty()) {
            finish(failure("the server's TLS certificate was rejected: " + certificateError_));
        } else if (headersTooLarge_) {
            finish(failure("the request headers do not fit in the request buffer"));
        } else {
            finish(failure(connectionErrorText(in, len)));
        }
        return 0;

    case LWS_CALLBACK_CLOSED_CLIENT_HTTP:
        finish(failure("the connection closed before the response was complete"));
        return 0;

    case LWS_CALLBACK_WSI_DESTROY:
        wsi_ = nullptr;
        finish(failure("the connection closed before the response was complete"));
        return 0;

    default: return 0;
    }
}

void LwsHttpClient::send(HttpRequest request, Callback done) {
    auto exchange = std::make_shared<HttpExchange>(loop_, std::move(done));
    if (loop_->isExecutorThread()) {
        exchange->start(std::move(request));
    } else {
        // Off-contract (send() belongs on the loop thread), but keep it safe.
        loop_->post([exchange, request = std::move(request)]() mutable {
            exchange->start(std::move(request));
        });
    }
}

} // namespace signalr::detail
