#include "signalr/hub_connection_builder.hpp"

#include <cstdio>

#include "connection_options.hpp"
#include "hub_connection_core.hpp"
#include "json_hub_protocol.hpp"

namespace signalr {

namespace {
void writeToStderr(LogLevel level, std::string_view message) {
    std::fprintf(stderr, "[signalr] %.*s: %.*s\n", static_cast<int>(toString(level).size()),
                 toString(level).data(), static_cast<int>(message.size()), message.data());
}
} // namespace

HubConnectionBuilder::HubConnectionBuilder(PlatformFactory fallback)
    : options_(std::make_unique<detail::ConnectionOptions>()), fallbackPlatform_(fallback) {}
HubConnectionBuilder::HubConnectionBuilder(HubConnectionBuilder&&) noexcept = default;
HubConnectionBuilder& HubConnectionBuilder::operator=(HubConnectionBuilder&&) noexcept = default;
HubConnectionBuilder::~HubConnectionBuilder() = default;

HubConnectionBuilder& HubConnectionBuilder::withUrl(std::string url) {
    options_->url = std::move(url);
    return *this;
}

HubConnectionBuilder& HubConnectionBuilder::withHeader(std::string name, std::string value) {
    options_->headers[std::move(name)] = std::move(value);
    return *this;
}

HubConnectionBuilder& HubConnectionBuilder::withAccessTokenProvider(AccessTokenProvider provider) {
    options_->accessTokenProvider = std::move(provider);
    return *this;
}

HubConnectionBuilder& HubConnectionBuilder::skipNegotiation(bool skip) {
    options_->skipNegotiation = skip;
    return *this;
}

HubConnectionBuilder&
HubConnectionBuilder::withHandshakeTimeout(std::chrono::milliseconds timeout) {
    options_->handshakeTimeout = timeout;
    return *this;
}

HubConnectionBuilder&
HubConnectionBuilder::withKeepAliveInterval(std::chrono::milliseconds interval) {
    options_->keepAliveInterval = interval;
    return *this;
}

HubConnectionBuilder& HubConnectionBuilder::withServerTimeout(std::chrono::milliseconds timeout) {
    options_->serverTimeout = timeout;
    return *this;
}

HubConnectionBuilder&
HubConnectionBuilder::withNegotiateTimeout(std::chrono::milliseconds timeout) {
    options_->negotiateTimeout = timeout;
    return *this;
}

HubConnectionBuilder& HubConnectionBuilder::withAutomaticReconnect() {
    options_->reconnectPolicy = ReconnectPolicy::defaultDelays();
    return *this;
}

HubConnectionBuilder& HubConnectionBuilder::withAutomaticReconnect(ReconnectPolicy policy) {
    options_->reconnectPolicy = std::move(policy);
    return *this;
}

HubConnectionBuilder& HubConnectionBuilder::withReconnectOptions(ReconnectOptions options) {
    options_->reconnectOptions = options;
    return *this;
}

HubConnectionBuilder& HubConnectionBuilder::withInFlightOptions(InFlightOptions options) {
    options_->inFlight = options;
    return *this;
}

HubConnectionBuilder& HubConnectionBuilder::withStatefulReconnect(std::size_t bufferBytes) {
    options_->statefulReconnect = true;
    options_->statefulReconnectBufferBytes = bufferBytes;
    return *this;
}

HubConnectionBuilder& HubConnectionBuilder::configureLogging(LogLevel level, LogSink sink) {
    options_->logLevel = level;
    options_->logSink = std::move(sink);
    return *this;
}

HubConnectionBuilder& HubConnectionBuilder::withPlatform(Platform platform) {
    options_->platform = std::move(platform);
    return *this;
}

Result<HubConnection> HubConnectionBuilder::build() {
    if (options_->url.empty()) {
        return fail(ErrorCode::InvalidArgument, "withUrl() was not called: the hub URL is missing");
    }
    auto url = detail::parseUrl(options_->url);
    if (!url) {
        return url.error();
    }
    if (!options_->skipNegotiation && (url->scheme == "ws" || url->scheme == "wss")) {
        return fail(ErrorCode::InvalidArgument,
                    "a ws:// or wss:// URL needs skipNegotiation(): negotiate runs over HTTP");
    }
    detail::ConnectionOptions options = *options_;
    if (!options.platform.executor && fallbackPlatform_ != nullptr) {
        Platform fallback = fallbackPlatform_();
        options.platform.executor = std::move(fallback.executor);
        if (!options.platform.httpClient) {
            options.platform.httpClient = std::move(fallback.httpClient);
        }
        if (!options.platform.makeTransport) {
            options.platform.makeTransport = std::move(fallback.makeTransport);
        }
    }
    if (!options.platform.executor || !options.platform.httpClient ||
        !options.platform.makeTransport) {
        return fail(ErrorCode::InvalidArgument,
                    "the platform needs an executor, an HTTP client and a transport factory");
    }
    if (!options.logSink) {
        options.logSink = writeToStderr;
    }
    auto core = std::make_shared<detail::HubConnectionCore>(std::move(options),
                                                            detail::makeJsonHubProtocol());
    return HubConnection(std::move(core));
}

} // namespace signalr
