#include "url.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>

namespace signalr::detail {

namespace {

int defaultPort(std::string_view scheme) {
    return (scheme == "https" || scheme == "wss") ? 443 : 80;
}

std::string lower(std::string_view text) {
    std::string out(text);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}

Error invalid(std::string_view text, std::string_view why) {
    return fail(ErrorCode::InvalidArgument,
                "invalid URL '" + redactUrl(text) + "': " + std::string(why));
}

} // namespace

std::string Url::target() const {
    return query.empty() ? path : path + "?" + query;
}

std::string Url::toString() const {
    std::string out = scheme + "://";
    out += host.find(':') != std::string::npos ? "[" + host + "]" : host;
    if (port != defaultPort(scheme)) {
        out += ":" + std::to_string(port);
    }
    out += target();
    return out;
}

Result<Url> parseUrl(std::string_view text) {
    const auto schemeEnd = text.find("://");
    if (schemeEnd == std::string_view::npos) {
        return invalid(text, "it has no scheme");
    }
    Url url;
    url.scheme = lower(text.substr(0, schemeEnd));
    if (url.scheme != "http" && url.scheme != "https" && url.scheme != "ws" &&
        url.scheme != "wss") {
        return invalid(text, "the scheme must be http, https, ws or wss");
    }
    auto rest = text.substr(schemeEnd + 3);
    // A fragment never reaches the server.
    rest = rest.substr(0, rest.find('#'));
    const auto authorityEnd = rest.find_first_of("/?");
    auto authority = rest.substr(0, authorityEnd);
    rest = authorityEnd == std::string_view::npos ? std::string_view() : rest.substr(authorityEnd);
    if (authority.find('@') != std::string_view::npos) {
        return invalid(text, "user information is not supported");
    }
    std::string_view portText;
    if (!authority.empty() && authority.front() == '[') {
        const auto close = authority.find(']');
        if (close == std::string_view::npos) {
            return invalid(text, "unterminated IPv6 address");
        }
        url.host = std::string(authority.substr(1, close - 1));
        auto after = authority.substr(close + 1);
        if (!after.empty()) {
            if (after.front() != ':') {
                return invalid(text, "unexpected text after the IPv6 address");
            }
            portText = after.substr(1);
        }
    } else {
        const auto colon = authority.rfind(':');
        url.host = lower(authority.substr(0, colon));
        if (colon != std::string_view::npos) {
            portText = authority.substr(colon + 1);
        }
    }
    if (url.host.empty()) {
        return invalid(text, "it has no host");
    }
    url.port = defaultPort(url.scheme);
    if (!portText.empty()) {
        int port = 0;
        auto [end, ec] = std::from_chars(portText.data(), portText.data() + portText.size(), port);
        if (ec != std::errc() || end != portText.data() + portText.size() || port <= 0 ||
            port > 65535) {
            return invalid(text, "bad port");
        }
        url.port = port;
    }
    const auto queryStart = rest.find('?');
    url.path = std::string(rest.substr(0, queryStart));
    if (url.path.empty()) {
        url.path = "/";
    }
    if (queryStart != std::string_view::npos) {
        url.query = std::string(rest.substr(queryStart + 1));
    }
    return url;
}

Url appendPath(Url url, std::string_view segment) {
    if (url.path.empty() || url.path.back() != '/') {
        url.path += '/';
    }
    url.path += segment;
    return url;
}

Url appendQuery(Url url, std::string_view key, std::string_view value) {
    if (!url.query.empty()) {
        url.query += '&';
    }
    url.query += percentEncode(key);
    url.query += '=';
    url.query += percentEncode(value);
    return url;
}

Url toWebSocketUrl(Url url) {
    if (url.scheme == "http") {
        url.scheme = "ws";
    } else if (url.scheme == "https") {
        url.scheme = "wss";
    }
    return url;
}

std::string percentEncode(std::string_view text) {
    static constexpr char kHex[] = "0123456789ABCDEF";
    std::string out;
    out.reserve(text.size());
    for (const char ch : text) {
        const auto c = static_cast<unsigned char>(ch);
        if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
            out += ch;
        } else {
            out += '%';
            out += kHex[c >> 4];
            out += kHex[c & 0x0F];
        }
    }
    return out;
}

std::string redactUrl(std::string_view url) {
    std::string out(url);
    static constexpr std::string_view kKey = "access_token=";
    std::size_t pos = 0;
    while ((pos = out.find(kKey, pos)) != std::string::npos) {
        const bool atParamStart = pos > 0 && (out[pos - 1] == '?' || out[pos - 1] == '&');
        pos += kKey.size();
        if (!atParamStart) {
            continue;
        }
        const auto end = out.find_first_of("&#", pos);
        out.replace(pos, (end == std::string::npos ? out.size() : end) - pos, "***");
    }
    return out;
}

} // namespace signalr::detail
