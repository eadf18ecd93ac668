#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "hub_message.hpp"
#include "signalr/result.hpp"
#include "signalr/transport.hpp"

namespace signalr::detail {

/// A hub protocol codec: bytes in, messages out, and back. It does no I/O, and feeding any
/// split of the same bytes yields the same messages.
class HubProtocol {
public:
    virtual ~HubProtocol() = default;

    /// "json" or "messagepack", as sent in the handshake.
    virtual std::string_view name() const = 0;
    virtual int version() const = 0;
    virtual TransferFormat transferFormat() const = 0;

    /// Appends one framed message to `out`. Fails (InvalidArgument) on values the format cannot
    /// carry, such as NaN in JSON; `out` is then unchanged.
    virtual Result<void> write(const HubMessage& message, std::string& out) const = 0;

    /// Consumes `data` (one transport frame, or any part of the byte stream). Complete messages
    /// are appended to `out`; an incomplete tail is kept for the next call. Messages of unknown
    /// type are skipped and counted in skippedMessages(). After an error (ProtocolError) the
    /// stream is unusable: call reset().
    virtual Result<void> parse(std::string_view data, std::vector<HubMessage>& out) = 0;

    /// Drops any buffered partial message (a new connection starts clean).
    virtual void reset() = 0;

    /// How many messages of unknown type parse() has skipped so far.
    virtual std::size_t skippedMessages() const = 0;
};

} // namespace signalr::detail
