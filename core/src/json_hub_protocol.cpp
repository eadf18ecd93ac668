#include "json_hub_protocol.hpp"

#include <cstdint>
#include <memory>
#include <optional>
#include <type_traits>
#include <variant>

#include "json_reader.hpp"
#include "json_writer.hpp"

// Wire format (the SignalR HubProtocol spec): one JSON object per message, each followed by 0x1E.
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

/// A property's value, or nullptr when the message does not have it.
using Field = const element*;

/// Missing, or null: how the .NET reader treats optional properties.
bool absent(Field field) {
    return field == nullptr || field->is_null();
}

/// The properties a hub message may have.
enum class Property : unsigned {
    Type,
    InvocationId,
    Target,
    Arguments,
    StreamIds,
    Item,
    Result,
    Error,
    AllowReconnect,
    SequenceId,
    Headers,
    Count,
};

/// Maps a property name to its Property, or Count for names we ignore. Dispatching on the
/// length first keeps this to one or two comparisons per key.
Property propertyOf(std::string_view key) {
    switch (key.size()) {
    case 4:
        return key == "type" ? Property::Type : key == "item" ? Property::Item : Property::Count;
    case 5: return key == "error" ? Property::Error : Property::Count;
    case 6:
        return key == "target"   ? Property::Target
               : key == "result" ? Property::Result
                                 : Property::Count;
    case 7: return key == "headers" ? Property::Headers : Property::Count;
    case 9:
        return key == "arguments"   ? Property::Arguments
               : key == "streamIds" ? Property::StreamIds
                                    : Property::Count;
    case 10: return key == "sequenceId" ? Property::SequenceId : Property::Count;
    case 12: return key == "invocationId" ? Property::InvocationId : Property::Count;
    case 14: return key == "allowReconnect" ? Property::AllowReconnect : Property::Count;
    default: return Property::Count;
    }
}

/// The properties of one message, collected first because "type" need not come first. When a
/// property repeats, the last one wins.
class RawMessage {
public:
    explicit RawMessage(simdjson::dom::object object) {
        // Iterators rather than key_value_pair: copying that pair around stalled the CPU on
        // store forwarding, a measurable part of parsing a small message.
        for (auto it = object.begin(), end = object.end(); it != end; ++it) {
            const auto property = propertyOf(it.key());
            if (property != Property::Count) {
                const auto index = static_cast<unsigned>(property);
                std::construct_at(&slots_[index].value, it.value());
                present_ |= 1u << index;
            }
        }
    }

    Field get(Property property) const {
        const auto index = static_cast<unsigned>(property);
        return (present_ >> index) & 1u ? &slots_[index].value : nullptr;
    }

private:
    // Left uninitialised on purpose: this runs for every message, and zeroing eleven elements
    // cost more than collecting the properties. `present_` says which slots hold a value.
    static_assert(std::is_trivially_copyable_v<element> &&
                  std::is_trivially_destructible_v<element>);
    union Slot {
        Slot() noexcept {}
        element value;
    };
    std::uint32_t present_ = 0;
    Slot slots_[static_cast<unsigned>(Property::Count)];
};

Result<void> readRequiredString(Field field, std::string_view kind, std::string_view name,
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

Result<void> readOptionalString(Field field, std::string_view name,
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

Result<void> readArguments(const JsonReader& reader, Field field, std::string_view kind,
                           Arguments& out) {
    if (!field) {
        return missing(kind, "arguments");
    }
    simdjson::dom::array array;
    if (field->get(array)) {
        return wrongType("arguments", "an array");
    }
    return reader.appendValues(array, kArgumentDepth, out, kInvalidMessage);
}

Result<void> readStreamIds(Field field, std::vector<std::string>& out) {
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

Result<void> readHeaders(Field field, MessageHeaders& out) {
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

Result<void> readSequenceId(Field field, std::string_view kind, std::int64_t& out) {
    if (absent(field)) {
        return missing(kind, "sequenceId");
    }
    if (field->get(out)) {
        return wrongType("sequenceId", "a 64-bit integer");
    }
    return {};
}

// The readers fill a message already placed in the output vector, which saves moving it there.

Result<void> read(const JsonReader& reader, const RawMessage& raw, InvocationMessage& message) {
    if (auto r = readHeaders(raw.get(Property::Headers), message.headers); !r) {
        return r;
    }
    if (auto r = readOptionalString(raw.get(Property::InvocationId), "invocationId",
                                    message.invocationId);
        !r) {
        return r;
    }
    if (auto r =
            readRequiredString(raw.get(Property::Target), "Invocation", "target", message.target);
        !r) {
        return r;
    }
    if (auto r =
            readArguments(reader, raw.get(Property::Arguments), "Invocation", message.arguments);
        !r) {
        return r;
    }
    return readStreamIds(raw.get(Property::StreamIds), message.streamIds);
}

Result<void> read(const JsonReader& reader, const RawMessage& raw,
                  StreamInvocationMessage& message) {
    constexpr std::string_view kKind = "StreamInvocation";
    if (auto r = readHeaders(raw.get(Property::Headers), message.headers); !r) {
        return r;
    }
    if (auto r = readRequiredString(raw.get(Property::InvocationId), kKind, "invocationId",
                                    message.invocationId);
        !r) {
        return r;
    }
    if (auto r = readRequiredString(raw.get(Property::Target), kKind, "target", message.target);
        !r) {
        return r;
    }
    if (auto r = readArguments(reader, raw.get(Property::Arguments), kKind, message.arguments);
        !r) {
        return r;
    }
    return readStreamIds(raw.get(Property::StreamIds), message.streamIds);
}

Result<void> read(const JsonReader& reader, const RawMessage& raw, StreamItemMessage& message) {
    if (auto r = readHeaders(raw.get(Property::Headers), message.headers); !r) {
        return r;
    }
    if (auto r = readRequiredString(raw.get(Property::InvocationId), "StreamItem", "invocationId",
                                    message.invocationId);
        !r) {
        return r;
    }
    // "item": null is a null item, not a missing one.
    const auto* item = raw.get(Property::Item);
    if (item == nullptr) {
        return missing("StreamItem", "item");
    }
    return reader.toValue(*item, kPayloadDepth, message.item, kInvalidMessage);
}

Result<void> read(const JsonReader& reader, const RawMessage& raw, CompletionMessage& message) {
    if (auto r = readHeaders(raw.get(Property::Headers), message.headers); !r) {
        return r;
    }
    if (auto r = readRequiredString(raw.get(Property::InvocationId), "Completion", "invocationId",
                                    message.invocationId);
        !r) {
        return r;
    }
    if (auto r = readOptionalString(raw.get(Property::Error), "error", message.error); !r) {
        return r;
    }
    // "result": null is a result (a null one); only a missing "result" makes a void completion.
    const auto* result = raw.get(Property::Result);
    if (result == nullptr) {
        return {};
    }
    if (message.error) {
        return invalid("a Completion message has both 'result' and 'error'");
    }
    return reader.toValue(*result, kPayloadDepth, message.result.emplace(), kInvalidMessage);
}

Result<void> read(const JsonReader&, const RawMessage& raw, CancelInvocationMessage& message) {
    if (auto r = readHeaders(raw.get(Property::Headers), message.headers); !r) {
        return r;
    }
    return readRequiredString(raw.get(Property::InvocationId), "CancelInvocation", "invocationId",
                              message.invocationId);
}

Result<void> read(const JsonReader&, const RawMessage&, PingMessage&) {
    return {};
}

Result<void> read(const JsonReader&, const RawMessage& raw, CloseMessage& message) {
    if (auto r = readOptionalString(raw.get(Property::Error), "error", message.error); !r) {
        return r;
    }
    const auto* allowReconnect = raw.get(Property::AllowReconnect);
    if (!absent(allowReconnect) && allowReconnect->get(message.allowReconnect)) {
        return wrongType("allowReconnect", "a boolean");
    }
    return {};
}

Result<void> read(const JsonReader&, const RawMessage& raw, AckMessage& message) {
    return readSequenceId(raw.get(Property::SequenceId), "Ack", message.sequenceId);
}

Result<void> read(const JsonReader&, const RawMessage& raw, SequenceMessage& message) {
    return readSequenceId(raw.get(Property::SequenceId), "Sequence", message.sequenceId);
}

/// Reads a message of type M straight into a new element of `out`; on failure the element is
/// removed again.
template <class M>
Result<void> readInto(const JsonReader& reader, const RawMessage& raw,
                      std::vector<HubMessage>& out) {
    auto& message = *std::get_if<M>(&out.emplace_back(std::in_place_type<M>));
    auto r = read(reader, raw, message);
    if (!r) {
        out.pop_back();
    }
    return r;
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
        // One allocation up front instead of a few as the text grows: most messages fit.
        constexpr std::size_t kTypicalMessage = 128;
        if (out.capacity() - start < kTypicalMessage) {
            out.reserve(start + kTypicalMessage);
        }
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
        // pending_ is empty here: either it was, or its message was just completed.
        if (!data.empty()) {
            pending_.assign(data);
        }
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
        const RawMessage raw(object);
        const auto* typeField = raw.get(Property::Type);
        if (typeField == nullptr) {
            return invalid("the 'type' property is missing");
        }
        std::int64_t type = 0;
        switch (typeField->type()) {
        case simdjson::dom::element_type::INT64:
            type = typeField->get_int64().value_unsafe();
            break;
        case simdjson::dom::element_type::UINT64:
            // Too large for any type we know: an unknown type like any other.
            type = -1;
            break;
        default: return wrongType("type", "an integer");
        }
        // Newer servers may add message types; like the TypeScript client, skip them.
        if (type < static_cast<std::int64_t>(MessageType::Invocation) ||
            type > static_cast<std::int64_t>(MessageType::Sequence)) {
            ++skipped_;
            return {};
        }
        switch (static_cast<MessageType>(type)) {
        case MessageType::Invocation: return readInto<InvocationMessage>(reader_, raw, out);
        case MessageType::StreamItem: return readInto<StreamItemMessage>(reader_, raw, out);
        case MessageType::Completion: return readInto<CompletionMessage>(reader_, raw, out);
        case MessageType::StreamInvocation:
            return readInto<StreamInvocationMessage>(reader_, raw, out);
        case MessageType::CancelInvocation:
            return readInto<CancelInvocationMessage>(reader_, raw, out);
        case MessageType::Ping: return readInto<PingMessage>(reader_, raw, out);
        case MessageType::Close: return readInto<CloseMessage>(reader_, raw, out);
        case MessageType::Ack: return readInto<AckMessage>(reader_, raw, out);
        case MessageType::Sequence: return readInto<SequenceMessage>(reader_, raw, out);
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
