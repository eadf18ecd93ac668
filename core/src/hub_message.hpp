#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "signalr/value.hpp"

namespace signalr::detail {

/// Message headers (string to string); receivers ignore ones they do not know.
using MessageHeaders = std::map<std::string, std::string>;

enum class MessageType : int {
    Invocation = 1,
    StreamItem = 2,
    Completion = 3,
    StreamInvocation = 4,
    CancelInvocation = 5,
    Ping = 6,
    Close = 7,
    Ack = 8,
    Sequence = 9,
};

struct InvocationMessage {
    MessageHeaders headers;
    /// Absent for non-blocking calls: the callee must not answer those.
    std::optional<std::string> invocationId;
    std::string target;
    Arguments arguments;
    std::vector<std::string> streamIds;
    friend bool operator==(const InvocationMessage&, const InvocationMessage&) = default;
};

struct StreamItemMessage {
    MessageHeaders headers;
    std::string invocationId;
    Value item;
    friend bool operator==(const StreamItemMessage&, const StreamItemMessage&) = default;
};

struct CompletionMessage {
    MessageHeaders headers;
    std::string invocationId;
    /// At most one of error and result is set; neither means a void completion.
    std::optional<std::string> error;
    std::optional<Value> result;
    friend bool operator==(const CompletionMessage&, const CompletionMessage&) = default;
};

struct StreamInvocationMessage {
    MessageHeaders headers;
    std::string invocationId;
    std::string target;
    Arguments arguments;
    std::vector<std::string> streamIds;
    friend bool operator==(const StreamInvocationMessage&,
                           const StreamInvocationMessage&) = default;
};

struct CancelInvocationMessage {
    MessageHeaders headers;
    std::string invocationId;
    friend bool operator==(const CancelInvocationMessage&,
                           const CancelInvocationMessage&) = default;
};

struct PingMessage {
    friend bool operator==(const PingMessage&, const PingMessage&) = default;
};

struct CloseMessage {
    std::optional<std::string> error;
    bool allowReconnect = false;
    friend bool operator==(const CloseMessage&, const CloseMessage&) = default;
};

struct AckMessage {
    std::int64_t sequenceId = 0;
    friend bool operator==(const AckMessage&, const AckMessage&) = default;
};

struct SequenceMessage {
    std::int64_t sequenceId = 0;
    friend bool operator==(const SequenceMessage&, const SequenceMessage&) = default;
};

using HubMessage =
    std::variant<InvocationMessage, StreamItemMessage, CompletionMessage, StreamInvocationMessage,
                 CancelInvocationMessage, PingMessage, CloseMessage, AckMessage, SequenceMessage>;

} // namespace signalr::detail
