#include "lws_client.hpp"

#include <cstring>

#include <openssl/x509.h>

#include "loop_core.hpp"

namespace signalr::detail {

namespace {

bool isDefaultPort(const Url& url) {
    return url.port == (url.secure() ? 443 : 80);
}

} // namespace

ClientEndpoint makeEndpoint(Url url) {
    ClientEndpoint endpoint;
    endpoint.address = url.host;
    const bool ipv6 = url.host.find(':') != std::string::npos;
    endpoint.host = ipv6 ? "[" + url.host + "]" : url.host;
    if (!isDefaultPort(url)) {
        endpoint.host += ":" + std::to_string(url.port);
    }
    endpoint.target = url.target();
    endpoint.url = std::move(url);
    return endpoint;
}

void fillConnectInfo(lws_client_connect_info& info, lws_context* context,
                     const ClientEndpoint& endpoint, void* opaque) {
    std::memset(&info, 0, sizeof info);
    info.context = context;
    info.address = endpoint.address.c_str();
    info.port = endpoint.url.port;
    info.path = endpoint.target.c_str();
    info.host = endpoint.host.c_str();
    // Certificate and host name verification stay on: none of the LCCSCF_ALLOW_* flags.
    // A 3xx is returned as the response rather than followed: following it would replay the
    // request, Authorization header included, to wherever the Location points.
    info.ssl_connection = LCCSCF_HTTP_NO_FOLLOW_REDIRECT;
    if (endpoint.url.secure()) {
        info.ssl_connection |= LCCSCF_USE_SSL;
    }
    info.ietf_version_or_minus_one = -1;
    // Bind to our protocol without offering a WebSocket subprotocol to the server.
    info.protocol = nullptr;
    info.local_protocol_name = LoopCore::protocolName();
    info.alpn = "http/1.1";
    info.opaque_user_data = opaque;
}

std::optional<Error> validateHeaders(const HttpHeaders& headers) {
    for (const auto& [name, value] : headers) {
        const bool badName = name.empty() || name.find_first_of(":\r\n", 0) != std::string::npos ||
                             name.find('\0') != std::string::npos;
        const bool badValue = value.find_first_of("\r\n") != std::string::npos ||
                              value.find('\0') != std::string::npos;
        if (badName || badValue) {
            return fail(ErrorCode::InvalidArgument,
                        "invalid HTTP header '" + (badName ? std::string("<name>") : name) +
                            "': names must be non-empty without ':', and neither names nor values "
                            "may contain CR, LF or NUL");
        }
    }
    return std::nullopt;
}

bool appendHeader(void* in, std::size_t len, std::string_view name, std::string_view value) {
    auto** cursor = static_cast<char**>(in);
    const std::size_t needed = name.size() + 2 + value.size() + 2;
    if (needed > len) {
        return false;
    }
    char* p = *cursor;
    std::memcpy(p, name.data(), name.size());
    p += name.size();
    *p++ = ':';
    *p++ = ' ';
    std::memcpy(p, value.data(), value.size());
    p += value.size();
    *p++ = '\r';
    *p++ = '\n';
    *cursor = p;
    return true;
}

bool appendHeaders(void* in, std::size_t len, const HttpHeaders& headers) {
    auto** cursor = static_cast<char**>(in);
    const char* start = *cursor;
    for (const auto& [name, value] : headers) {
        const auto used = static_cast<std::size_t>(*cursor - start);
        if (!appendHeader(in, len - used, name, value)) {
            return false;
        }
    }
    return true;
}

std::optional<std::string> certificateFailure(void* x509StoreCtx, std::size_t preverifyOk) {
    if (preverifyOk != 0 || x509StoreCtx == nullptr) {
        return std::nullopt;
    }
    auto* store = static_cast<X509_STORE_CTX*>(x509StoreCtx);
    const int error = X509_STORE_CTX_get_error(store);
    if (error == X509_V_OK) {
        return std::nullopt;
    }
    std::string text = X509_verify_cert_error_string(error);
    text += " (certificate at depth " + std::to_string(X509_STORE_CTX_get_error_depth(store));
    if (X509* cert = X509_STORE_CTX_get_current_cert(store)) {
        char subject[256] = {};
        X509_NAME_oneline(X509_get_subject_name(cert), subject, sizeof subject);
        text += ", subject ";
        text += subject;
    }
    text += ")";
    return text;
}

std::string connectionErrorText(const void* in, std::size_t len) {
    if (in == nullptr || len == 0) {
        return "unknown error";
    }
    std::string text(static_cast<const char*>(in), strnlen(static_cast<const char*>(in), len));
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' ')) {
        text.pop_back();
    }
    if (text == "Unable to connect") {
        // lws's words after every address it tried failed to connect.
        return "could not connect (connection refused or host unreachable)";
    }
    return text.empty() ? "unknown error" : text;
}

} // namespace signalr::detail
