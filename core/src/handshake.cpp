#include "handshake.hpp"

#include "json_reader.hpp"
#include "json_writer.hpp"

namespace signalr::detail {

namespace {

constexpr char kRecordSeparator = '\x1e';
// The reply is a tiny object; a server that sends this much without a separator is not
// speaking SignalR.
constexpr std::size_t kMaxReplySize = 64 * 1024;
constexpr std::string_view kInvalidReply = "Invalid handshake reply";

Error invalidReply(std::string_view what) {
    std::string message(kInvalidReply);
    message += ": ";
    message += what;
    message += '.';
    return fail(ErrorCode::ProtocolError, std::move(message));
}

} // namespace

std::string writeHandshakeRequest(std::string_view protocol, int version) {
    std::string out = "{\"protocol\":";
    // Lenient: the protocol name is one of our own constants.
    (void)writeJsonString(protocol, out, JsonWriteMode::Lenient);
    out += ",\"version\":";
    writeJsonInt(version, out);
    out += '}';
    out += kRecordSeparator;
    return out;
}

Result<HandshakeReply> parseHandshakeReply(std::string_view data) {
    const auto end = data.substr(0, kMaxReplySize).find(kRecordSeparator);
    if (end == std::string_view::npos) {
        if (data.size() >= kMaxReplySize) {
            return invalidReply("no record separator in the first 64 KiB");
        }
        return HandshakeReply{};
    }
    JsonReader reader;
    auto root = reader.parse(data.substr(0, end), kInvalidReply);
    if (!root) {
        return std::move(root).error();
    }
    simdjson::dom::object object;
    if (root->get(object)) {
        return invalidReply("it is not a JSON object");
    }
    HandshakeReply reply;
    reply.consumed = end + 1;
    for (const auto member : object) {
        const std::string_view key = member.key;
        if (key == "type") {
            // A hub message where the reply should be. The TypeScript client refuses this too
            // ("Expected a handshake response from the server.").
            return invalidReply("expected a handshake reply but got a hub message");
        }
        if (key == "error" && !member.value.is_null()) {
            std::string_view text;
            if (member.value.get(text)) {
                return invalidReply("'error' is not a string");
            }
            reply.error.emplace(text);
        }
    }
    return reply;
}

} // namespace signalr::detail
