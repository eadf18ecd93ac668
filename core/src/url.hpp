#pragma once

#include <string>
#include <string_view>

#include "signalr/result.hpp"

namespace signalr::detail {

/// An absolute http(s):// or ws(s):// URL split into the parts transports need.
struct Url {
    std::string scheme; ///< lower case: http, https, ws, wss
    std::string host;   ///< without IPv6 brackets
    int port = 0;       ///< explicit, or the scheme's default
    std::string path;   ///< starts with '/'
    std::string query;  ///< without '?', possibly empty

    bool secure() const { return scheme == "https" || scheme == "wss"; }
    /// "path?query" as sent in the request line.
    std::string target() const;
    /// The whole URL; the port is omitted when it is the scheme's default.
    std::string toString() const;
};

/// Parses an absolute URL; any other scheme, a missing host or a bad port is InvalidArgument.
Result<Url> parseUrl(std::string_view text);

/// Adds `segment` to the path (".../hub" + "negotiate" = ".../hub/negotiate", one slash).
Url appendPath(Url url, std::string_view segment);
/// Adds `key=value` to the query, percent-encoding the value.
Url appendQuery(Url url, std::string_view key, std::string_view value);
/// http becomes ws and https becomes wss; ws and wss stay.
Url toWebSocketUrl(Url url);

/// Percent-encodes everything but RFC 3986 unreserved characters.
std::string percentEncode(std::string_view text);

/// The URL with the value of access_token replaced, for logs.
std::string redactUrl(std::string_view url);

} // namespace signalr::detail
