#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include <libwebsockets.h>

#include "signalr/http_headers.hpp"
#include "signalr/result.hpp"
#include "url.hpp"

namespace signalr::detail {

/// The strings an lws client connection points at; they must outlive the connect call.
struct ClientEndpoint {
    Url url;
    std::string address; ///< host without brackets, for the socket
    std::string host;    ///< Host header (and TLS name): host[:port]
    std::string target;  ///< path?query
};

/// Splits a parsed URL into what lws_client_connect_via_info() needs.
ClientEndpoint makeEndpoint(Url url);

/// Fills connect info shared by WebSocket and HTTP clients: HTTP/1.1 only, no redirects, TLS
/// with full certificate and host name verification for https/wss.
void fillConnectInfo(lws_client_connect_info& info, lws_context* context,
                     const ClientEndpoint& endpoint, void* opaque);

/// InvalidArgument when a header name or value could inject another header (CR, LF, NUL) or a
/// name is empty or has a colon.
std::optional<Error> validateHeaders(const HttpHeaders& headers);

/// Writes "Name: value\r\n" for each header at LWS_CALLBACK_CLIENT_APPEND_HANDSHAKE_HEADER
/// (`in` is lws's `char**` cursor, `len` the room left). False when they do not fit.
bool appendHeaders(void* in, std::size_t len, const HttpHeaders& headers);
bool appendHeader(void* in, std::size_t len, std::string_view name, std::string_view value);

/// At LWS_CALLBACK_OPENSSL_PERFORM_SERVER_CERT_VERIFICATION (user = X509_STORE_CTX*, len =
/// preverify_ok): why OpenSSL rejects the server's certificate, if it does.
std::optional<std::string> certificateFailure(void* x509StoreCtx, std::size_t preverifyOk);

/// The text of lws's CLIENT_CONNECTION_ERROR argument (may be null or unterminated).
std::string connectionErrorText(const void* in, std::size_t len);

} // namespace signalr::detail
