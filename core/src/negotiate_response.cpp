#include "negotiate_response.hpp"

#include <climits>

#include "json_reader.hpp"

namespace signalr::detail {

namespace {

constexpr std::string_view kInvalidResponse = "Invalid negotiate response";
constexpr std::string_view kClassicServer =
    "Detected a connection attempt to an ASP.NET SignalR Server. This client only supports "
    "connecting to an ASP.NET Core SignalR Server. See https://aka.ms/signalr-core-differences "
    "for details.";

using simdjson::dom::element;

Error invalidResponse(std::string_view what) {
    std::string message(kInvalidResponse);
    message += ": ";
    message += what;
    message += '.';
    return fail(ErrorCode::NegotiateFailed, std::move(message));
}

Error wrongType(std::string_view name, std::string_view expected) {
    return invalidResponse("'" + std::string(name) + "' must be " + std::string(expected));
}

Error missing(std::string_view name) {
    return invalidResponse("the required property '" + std::string(name) + "' is missing");
}

/// Reads a string property; null counts as absent.
Result<void> readString(element value, std::string_view name, std::optional<std::string>& out) {
    if (value.is_null()) {
        out.reset();
        return {};
    }
    std::string_view text;
    if (value.get(text)) {
        return wrongType(name, "a string");
    }
    out.emplace(text);
    return {};
}

Result<void> readStringArray(element value, std::string_view name, std::vector<std::string>& out) {
    simdjson::dom::array array;
    if (value.get(array)) {
        return wrongType(name, "an array of strings");
    }
    out.clear();
    for (const auto item : array) {
        std::string_view text;
        if (item.get(text)) {
            return wrongType(name, "an array of strings");
        }
        out.emplace_back(text);
    }
    return {};
}

Result<AvailableTransport> readTransport(element value) {
    simdjson::dom::object object;
    if (value.get(object)) {
        return wrongType("availableTransports", "an array of objects");
    }
    std::optional<std::string> transport;
    std::optional<std::vector<std::string>> formats;
    for (const auto member : object) {
        const std::string_view key = member.key;
        if (key == "transport") {
            if (auto r = readString(member.value, "transport", transport); !r) {
                return std::move(r).error();
            }
        } else if (key == "transferFormats") {
            formats.emplace();
            if (auto r = readStringArray(member.value, "transferFormats", *formats); !r) {
                return std::move(r).error();
            }
        }
    }
    if (!transport) {
        return missing("transport");
    }
    if (!formats) {
        return missing("transferFormats");
    }
    return AvailableTransport{std::move(*transport), std::move(*formats)};
}

} // namespace

Result<NegotiateResponse> parseNegotiateResponse(std::string_view body) {
    JsonReader reader;
    auto root = reader.parse(body, kInvalidResponse);
    if (!root) {
        auto error = std::move(root).error();
        error.code = ErrorCode::NegotiateFailed;
        return error;
    }
    simdjson::dom::object object;
    if (root->get(object)) {
        return invalidResponse("it is not a JSON object");
    }

    NegotiateResponse response;
    std::optional<std::string> connectionId;
    std::optional<std::string> connectionToken;
    bool hasTransports = false;
    for (const auto member : object) {
        const std::string_view key = member.key;
        const element value = member.value;
        Result<void> read;
        if (key == "ProtocolVersion") {
            // Only the classic ASP.NET SignalR server sends this: no point in going on.
            return fail(ErrorCode::NegotiateFailed, std::string(kClassicServer));
        } else if (key == "url") {
            read = readString(value, key, response.url);
        } else if (key == "accessToken") {
            read = readString(value, key, response.accessToken);
        } else if (key == "error") {
            read = readString(value, key, response.error);
        } else if (key == "connectionId") {
            read = readString(value, key, connectionId);
        } else if (key == "connectionToken") {
            read = readString(value, key, connectionToken);
        } else if (key == "negotiateVersion") {
            std::int64_t version = 0;
            if (value.get(version) || version < INT_MIN || version > INT_MAX) {
                return wrongType(key, "an integer");
            }
            response.negotiateVersion = static_cast<int>(version);
        } else if (key == "availableTransports") {
            simdjson::dom::array array;
            if (value.get(array)) {
                return wrongType(key, "an array");
            }
            response.availableTransports.clear();
            for (const auto item : array) {
                auto transport = readTransport(item);
                if (!transport) {
                    return std::move(transport).error();
                }
                response.availableTransports.push_back(std::move(*transport));
            }
            hasTransports = true;
        } else if (key == "useStatefulReconnect") {
            if (!value.is_null() && value.get(response.useStatefulReconnect)) {
                return wrongType(key, "a boolean");
            }
        }
        if (!read) {
            return std::move(read).error();
        }
    }

    // A redirect or an error needs nothing else.
    if (response.url || response.error) {
        return response;
    }
    if (!connectionId) {
        return missing("connectionId");
    }
    response.connectionId = std::move(*connectionId);
    if (response.negotiateVersion >= 1) {
        if (!connectionToken) {
            return missing("connectionToken");
        }
        response.connectionToken = std::move(*connectionToken);
    } else {
        // Version 0 servers have a single id: it is also the token for transport requests.
        response.connectionToken = response.connectionId;
    }
    if (!hasTransports) {
        return missing("availableTransports");
    }
    return response;
}

} // namespace signalr::detail
