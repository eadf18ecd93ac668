#include "json_hub_protocol.hpp"

#include <optional>

#include "json_reader.hpp"
#include "json_writer.hpp"

// Wire format (see docs/protocol.md): one JSON object per message, each followed by 0x1E.
//
// Writing: "type" comes first, then "headers" (only when not empty), then the message's own
// fields in the order the .NET server writes them:
//   Invocation/StreamInvocation: invocationId (if any), target, arguments, streamIds (if any)
//   StreamItem: invocationId, item
//   Completion: invocationId, then error or result (neither for a void completion)
//   CancelInvocation: invocationId
//   Close: error (if any), allowReconnect (only when true)
//   Ack/Sequence: sequenceId
// Absent optionals are omitted rather than written as null.
//
// Reading: properties may come in any order and unknown ones are ignored; when a property
// repeats, the last one wins (as in .NET). Only the properties the message type uses are
// checked. An optional string that is null counts as absent, as in the .NET reader.

namespace signalr::detail {

namespace {

constexpr char kRecordSeparator = '\x1e';
constexpr std::string_view kInvalidMessage = "Invalid JSON hub message";
// A pending partial message above this size is released once complete instead of being kept
// for reuse.
constexpr std::size_t kRetainedPendingCapacity = 64 * 1024;

using simdjson::dom::element;
using Field = std::optional<element>;

Error invalid(std::string_view what) {
    std::string message(kInvalidMessage);
    message += ": ";
    message += what;
    message += '.';
    return fail(ErrorCode::ProtocolError, std::move(message));
}

Error missing(std::string_view kind, std::string_view name) {
    return invalid("a " + std::string(kind) + " message needs the '" + std::string(name) +
                   "' property");
}

Error wrongType(std::string_view name, std::string_view expected) {
    return invalid("'" + std::string(name) + "' must be " + std::string(expected));
}

bool absent(const Field& field) {
    return !field || field->is_null();
}

/// The properties of one message, collected first because "type" need not come first.
struct RawMessage {
    Field type;
    Field invocationId;
    Field target;
    Field arguments;
    Field streamIds;
    Field item;
    Field result;
    Field error;
    Field allowReconnect;
    Field sequenceId;
    Field headers;
};

RawMessage collect(simdjson::dom::object object) {
    RawMessage raw;
    for (const auto member : object) {
        const std::string_view key = member.key;
        if (key == "type") {
            raw.type = member.value;
        } else if (key == "invocationId") {
            raw.invocationId = member.value;
        } else if (key == "target") {
            raw.target = member.value;
        } else if (key == "arguments") {
            raw.arguments = member.value;
        } else if (key == "streamIds") {
            raw.streamIds = member.value;
        } else if (key == "item") {
            raw.item = member.value;
        } else if (key == "result") {
            raw.result = member.value;
        } else if (key == "error") {
            raw.error = member.value;
        } else if (key == "allowReconnect") {
            raw.allowReconnect = member.value;
        } else if (key == "sequenceId") {
            raw.sequenceId = member.value;
        } else if (key == "headers") {
            raw.headers = member.value;
        }
    }
    return raw;
}

Result<void> readRequiredString(const Field& field, std::string_view kind, std::string_view name,
                                std::string& out) {
    if (absent(field)) {
        return missing(kind, name);
    }
    std::string_view text;
    if (field->get(text)) {
        return wrongType(name, "a string");
    }
    out.assign(text);
    return {};
}

Result<void> readOptionalString(const Field& field, std::string_view name,
                                std::optional<std::string>& out) {
    if (absent(field)) {
        return {};
    }
    std::string_view text;
    if (field->get(text)) {
        return wrongType(name, "a string");
    }
    out.emplace(text);
    return {};
}

// Depths of values inside a message: the message object is level 1.
constexpr std::size_t kArgumentDepth = 3;
constexpr std::size_t kPayloadDepth = 2;

Result<void> readValue(const JsonReader& reader, element field, std::size_t depth, Value& out) {
    auto value = reader.toValue(field, depth, kInvalidMessage);
    if (!value) {
        return std::move(value).error();
    }
    out = std::move(value).value();
    return {};
}

Result<void> readArguments(const JsonReader& reader, const Field& field, std::string_view kind,
                           Arguments& out) {
    if (!field) {
        return missing(kind, "arguments");
    }
    simdjson::dom::array array;
    if (field->get(array)) {
        return wrongType("arguments", "an array");
    }
    out.resize(array.size());
    std::size_t i = 0;
    for (const auto item : array) {
        if (auto r = readValue(reader, item, kArgumentDepth, out[i++]); !r) {
            return r;
        }
    }
    return {};
}

Result<void> readStreamIds(const Field& field, std::vector<std::string>& out) {
    if (absent(field)) {
        return {};
    }
    simdjson::dom::array array;
    if (field->get(array)) {
        return wrongType("streamIds", "an array of strings");
    }
    out.reserve(array.size());
    for (const auto item : array) {
        std::string_view id;
        if (item.get(id)) {
            return wrongType("streamIds", "an array of strings");
        }
        out.emplace_back(id);
    }
    return {};
}

Result<void> readHeaders(const Field& field, MessageHeaders& out) {
    if (absent(field)) {
        return {};
    }
    simdjson::dom::object object;
    if (field->get(object)) {
        return wrongType("headers", "an object");
    }
    for (const auto member : object) {
        std::string_view value;
        if (member.value.get(value)) {
            return invalid("header '" + std::string(member.key) + "' must have a string value");
        }
        out.insert_or_assign(std::string(member.key), std::string(value));
    }
    return {};
}

Result<void> readSequenceId(const Field& field, std::string_view kind, std::int64_t& out) {
    if (absent(field)) {
        return missing(kind, "sequenceId");
    }
    if (field->get(out)) {
        return wrongType("sequenceId", "a 64-bit integer");
    }
    return {};
}

Result<void> readInvocation(const JsonReader& reader, const RawMessage& raw,
                            std::vector<HubMessage>& out) {
    InvocationMessage message;
    if (auto r = readHeaders(raw.headers, message.headers); !r) {
        return r;
    }
    if (auto r = readOptionalString(raw.invocationId, "invocationId", message.invocationId); !r) {
        return r;
    }
    if (auto r = readRequiredString(raw.target, "Invocation", "target", message.target); !r) {
        return r;
    }
    if (auto r = readArguments(reader, raw.arguments, "Invocation", message.arguments); !r) {
        return r;
    }
    if (auto r = readStreamIds(raw.streamIds, message.streamIds); !r) {
        return r;
    }
    out.emplace_back(std::move(message));
    return {};
}

Result<void> readStreamInvocation(const JsonReader& reader, const RawMessage& raw,
                                  std::vector<HubMessage>& out) {
    constexpr std::string_view kKind = "StreamInvocation";
    StreamInvocationMessage message;
    if (auto r = readHeaders(raw.headers, message.headers); !r) {
        return r;
    }
    if (auto r = readRequiredString(raw.invocationId, kKind, "invocationId", message.invocationId);
        !r) {
        return r;
    }
    if (auto r = readRequiredString(raw.target, kKind, "target", message.target); !r) {
        return r;
    }
    if (auto r = readArguments(reader, raw.arguments, kKind, message.arguments); !r) {
        return r;
    }
    if (auto r = readStreamIds(raw.streamIds, message.streamIds); !r) {
        return r;
    }
    out.emplace_back(std::move(message));
    return {};
}

Result<void> readStreamItem(const JsonReader& reader, const RawMessage& raw,
                            std::vector<HubMessage>& out) {
    StreamItemMessage message;
    if (auto r = readHeaders(raw.headers, message.headers); !r) {
        return r;
    }
    if (auto r = readRequiredString(raw.invocationId, "StreamItem", "invocationId",
                                    message.invocationId);
        !r) {
        return r;
    }
    // "item": null is a null item, not a missing one.
    if (!raw.item) {
        return missing("StreamItem", "item");
    }
    if (auto r = readValue(reader, *raw.item, kPayloadDepth, message.item); !r) {
        return r;
    }
    out.emplace_back(std::move(message));
    return {};
}

Result<void> readCompletion(const JsonReader& reader, const RawMessage& raw,
                            std::vector<HubMessage>& out) {
    CompletionMessage message;
    if (auto r = readHeaders(raw.headers, message.headers); !r) {
        return r;
    }
    if (auto r = readRequiredString(raw.invocationId, "Completion", "invocationId",
                                    message.invocationId);
        !r) {
        return r;
    }
    if (auto r = readOptionalString(raw.error, "error", message.error); !r) {
        return r;
    }
    // "result": null is a result (a null one); only a missing "result" makes a void completion.
    if (raw.result) {
        if (message.error) {
            return invalid("a Completion message has both 'result' and 'error'");
        }
        if (auto r = readValue(reader, *raw.result, kPayloadDepth, message.result.emplace()); !r) {
            return r;
        }
    }
    out.emplace_back(std::move(message));
    return {};
}

Result<void> readCancelInvocation(const RawMessage& raw, std::vector<HubMessage>& out) {
    CancelInvocationMessage message;
    if (auto r = readHeaders(raw.headers, message.headers); !r) {
        return r;
    }
    if (auto r = readRequiredString(raw.invocationId, "CancelInvocation", "invocationId",
                                    message.invocationId);
        !r) {
        return r;
    }
    out.emplace_back(std::move(message));
    return {};
}

Result<void> readClose(const RawMessage& raw, std::vector<HubMessage>& out) {
    CloseMessage message;
    if (auto r = readOptionalString(raw.error, "error", message.error); !r) {
        return r;
    }
    if (!absent(raw.allowReconnect) && raw.allowReconnect->get(message.allowReconnect)) {
        return wrongType("allowReconnect", "a boolean");
    }
    out.emplace_back(message);
    return {};
}

Result<void> readAck(const RawMessage& raw, std::vector<HubMessage>& out) {
    AckMessage message;
    if (auto r = readSequenceId(raw.sequenceId, "Ack", message.sequenceId); !r) {
        return r;
    }
    out.emplace_back(message);
    return {};
}

Result<void> readSequence(const RawMessage& raw, std::vector<HubMessage>& out) {
    SequenceMessage message;
    if (auto r = readSequenceId(raw.sequenceId, "Sequence", message.sequenceId); !r) {
        return r;
    }
    out.emplace_back(message);
    return {};
}

/// Writes the JSON object of one message (without the separator).
class MessageWriter {
public:
    explicit MessageWriter(std::string& out) : out_(out) {}

    Result<void> operator()(const InvocationMessage& m) {
        begin(MessageType::Invocation);
        if (auto r = headers(m.headers); !r) {
            return r;
        }
        if (m.invocationId) {
            if (auto r = stringField("invocationId", *m.invocationId); !r) {
                return r;
            }
        }
        return invocationBody(m.target, m.arguments, m.streamIds);
    }

    Result<void> operator()(const StreamInvocationMessage& m) {
        begin(MessageType::StreamInvocation);
        if (auto r = headers(m.headers); !r) {
            return r;
        }
        if (auto r = stringField("invocationId", m.invocationId); !r) {
            return r;
        }
        return invocationBody(m.target, m.arguments, m.streamIds);
    }

    Result<void> operator()(const StreamItemMessage& m) {
        begin(MessageType::StreamItem);
        if (auto r = headers(m.headers); !r) {
            return r;
        }
        if (auto r = stringField("invocationId", m.invocationId); !r) {
            return r;
        }
        key("item");
        return writeJson(m.item, out_, JsonWriteMode::Strict);
    }

    Result<void> operator()(const CompletionMessage& m) {
        if (m.error && m.result) {
            return fail(ErrorCode::InvalidArgument,
                        "A Completion message cannot carry both a result and an error.");
        }
        begin(MessageType::Completion);
        if (auto r = headers(m.headers); !r) {
            return r;
        }
        if (auto r = stringField("invocationId", m.invocationId); !r) {
            return r;
        }
        if (m.error) {
            return stringField("error", *m.error);
        }
        if (m.result) {
            key("result");
            return writeJson(*m.result, out_, JsonWriteMode::Strict);
        }
        return {};
    }

    Result<void> operator()(const CancelInvocationMessage& m) {
        begin(MessageType::CancelInvocation);
        if (auto r = headers(m.headers); !r) {
            return r;
        }
        return stringField("invocationId", m.invocationId);
    }

    Result<void> operator()(const PingMessage&) {
        begin(MessageType::Ping);
        return {};
    }

    Result<void> operator()(const CloseMessage& m) {
        begin(MessageType::Close);
        if (m.error) {
            if (auto r = stringField("error", *m.error); !r) {
                return r;
            }
        }
        if (m.allowReconnect) {
            key("allowReconnect");
            out_ += "true";
        }
        return {};
    }

    Result<void> operator()(const AckMessage& m) {
        begin(MessageType::Ack);
        key("sequenceId");
        writeJsonInt(m.sequenceId, out_);
        return {};
    }

    Result<void> operator()(const SequenceMessage& m) {
        begin(MessageType::Sequence);
        key("sequenceId");
        writeJsonInt(m.sequenceId, out_);
        return {};
    }

private:
    void begin(MessageType type) {
        out_ += "{\"type\":";
        writeJsonInt(static_cast<std::int64_t>(type), out_);
    }

    // Property names are our own constants and need no escaping.
    void key(std::string_view name) {
        out_ += ",\"";
        out_ += name;
        out_ += "\":";
    }

    Result<void> stringField(std::string_view name, std::string_view value) {
        key(name);
        return writeJsonString(value, out_, JsonWriteMode::Strict);
    }

    Result<void> headers(const MessageHeaders& headers) {
        if (headers.empty()) {
            return {};
        }
        key("headers");
        out_ += '{';
        bool first = true;
        for (const auto& [name, value] : headers) {
            if (!first) {
                out_ += ',';
            }
            first = false;
            if (auto r = writeJsonString(name, out_, JsonWriteMode::Strict); !r) {
                return r;
            }
            out_ += ':';
            if (auto r = writeJsonString(value, out_, JsonWriteMode::Strict); !r) {
                return r;
            }
        }
        out_ += '}';
        return {};
    }

    Result<void> invocationBody(const std::string& target, const Arguments& arguments,
                                const std::vector<std::string>& streamIds) {
        if (auto r = stringField("target", target); !r) {
            return r;
        }
        key("arguments");
        out_ += '[';
        for (std::size_t i = 0; i < arguments.size(); ++i) {
            if (i != 0) {
                out_ += ',';
            }
            if (auto r = writeJson(arguments[i], out_, JsonWriteMode::Strict); !r) {
                return r;
            }
        }
        out_ += ']';
        if (streamIds.empty()) {
            return {};
        }
        key("streamIds");
        out_ += '[';
        for (std::size_t i = 0; i < streamIds.size(); ++i) {
            if (i != 0) {
                out_ += ',';
            }
            if (auto r = writeJsonString(streamIds[i], out_, JsonWriteMode::Strict); !r) {
                return r;
            }
        }
        out_ += ']';
        return {};
    }

    std::string& out_;
};

class JsonHubProtocol final : public HubProtocol {
public:
    explicit JsonHubProtocol(JsonLimits limits) : limits_(limits), reader_(limits.maxDepth) {}

    std::string_view name() const override { return "json"; }
    int version() const override { return 1; }
    TransferFormat transferFormat() const override { return TransferFormat::Text; }

    Result<void> write(const HubMessage& message, std::string& out) const override {
        const auto start = out.size();
        auto written = std::visit(MessageWriter(out), message);
        if (!written) {
            out.resize(start);
            return written;
        }
        out += '}';
        out += kRecordSeparator;
        return {};
    }

    Result<void> parse(std::string_view data, std::vector<HubMessage>& out) override {
        if (failure_) {
            return *failure_;
        }
        auto parsed = parseStream(data, out);
        if (!parsed) {
            failure_ = parsed.error();
            pending_.clear();
        }
        return parsed;
    }

    void reset() override {
        std::string().swap(pending_);
        failure_.reset();
    }

    std::size_t skippedMessages() const override { return skipped_; }

private:
    Error tooLarge() const {
        return invalid("a message is larger than the limit of " +
                       std::to_string(limits_.maxMessageSize) + " bytes");
    }

    Result<void> parseStream(std::string_view data, std::vector<HubMessage>& out) {
        if (!pending_.empty()) {
            const auto end = data.find(kRecordSeparator);
            const auto taken = end == std::string_view::npos ? data.size() : end;
            if (pending_.size() + taken > limits_.maxMessageSize) {
                return tooLarge();
            }
            pending_.append(data.data(), taken);
            if (end == std::string_view::npos) {
                return {};
            }
            data.remove_prefix(end + 1);
            auto parsed = parseMessage(pending_, out);
            pending_.clear();
            if (pending_.capacity() > kRetainedPendingCapacity) {
                std::string().swap(pending_);
            }
            if (!parsed) {
                return parsed;
            }
        }
        // Complete messages are parsed straight from the frame; only a trailing partial one is
        // copied aside.
        for (auto end = data.find(kRecordSeparator); end != std::string_view::npos;
             end = data.find(kRecordSeparator)) {
            if (auto parsed = parseMessage(data.substr(0, end), out); !parsed) {
                return parsed;
            }
            data.remove_prefix(end + 1);
        }
        // The limit applies to whole messages whatever the framing, so that any split of the
        // same bytes gives the same outcome.
        if (data.size() > limits_.maxMessageSize) {
            return tooLarge();
        }
        pending_.assign(data);
        return {};
    }

    Result<void> parseMessage(std::string_view text, std::vector<HubMessage>& out) {
        if (text.size() > limits_.maxMessageSize) {
            return tooLarge();
        }
        auto root = reader_.parse(text, kInvalidMessage);
        if (!root) {
            return std::move(root).error();
        }
        simdjson::dom::object object;
        if (root->get(object)) {
            return invalid("a message must be a JSON object");
        }
        const auto raw = collect(object);
        if (!raw.type) {
            return invalid("the 'type' property is missing");
        }
        std::int64_t type = 0;
        switch (raw.type->type()) {
        case simdjson::dom::element_type::INT64:
            type = raw.type->get_int64().value_unsafe();
            break;
        case simdjson::dom::element_type::UINT64:
            // Too large for any type we know: an unknown type like any other.
            type = -1;
            break;
        default:
            return wrongType("type", "an integer");
        }
        // Newer servers may add message types; like the TypeScript client, skip them.
        if (type < static_cast<std::int64_t>(MessageType::Invocation) ||
            type > static_cast<std::int64_t>(MessageType::Sequence)) {
            ++skipped_;
            return {};
        }
        switch (static_cast<MessageType>(type)) {
        case MessageType::Invocation: return readInvocation(reader_, raw, out);
        case MessageType::StreamItem: return readStreamItem(reader_, raw, out);
        case MessageType::Completion: return readCompletion(reader_, raw, out);
        case MessageType::StreamInvocation: return readStreamInvocation(reader_, raw, out);
        case MessageType::CancelInvocation: return readCancelInvocation(raw, out);
        case MessageType::Ping: out.emplace_back(PingMessage{}); return {};
        case MessageType::Close: return readClose(raw, out);
        case MessageType::Ack: return readAck(raw, out);
        case MessageType::Sequence: return readSequence(raw, out);
        }
        return fail(ErrorCode::Internal, "Unhandled hub message type.");
    }

    JsonLimits limits_;
    JsonReader reader_;
    /// The start of a message whose 0x1E has not arrived yet.
    std::string pending_;
    std::optional<Error> failure_;
    std::size_t skipped_ = 0;
};

} // namespace

std::unique_ptr<HubProtocol> makeJsonHubProtocol(JsonLimits limits) {
    return std::make_unique<JsonHubProtocol>(limits);
}

} // namespace signalr::detail
