// libFuzzer target for the JSON hub protocol. Beyond "never crash", it checks two properties on
// every input:
//  - split invariance: the bytes fed whole, and fed in three pieces cut where the input's first
//    bytes say, give the same messages and the same verdict;
//  - round trip: every parsed message can be written, and the written text parses back to the
//    same message.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "json_hub_protocol.hpp"

namespace {

using signalr::detail::HubMessage;
using signalr::detail::makeJsonHubProtocol;

struct Outcome {
    std::vector<HubMessage> messages;
    bool ok = true;
};

Outcome parseInPieces(std::string_view data, std::size_t first, std::size_t second) {
    const auto protocol = makeJsonHubProtocol();
    Outcome outcome;
    for (const auto piece :
         {data.substr(0, first), data.substr(first, second - first), data.substr(second)}) {
        if (!protocol->parse(piece, outcome.messages).ok()) {
            outcome.ok = false;
            break;
        }
    }
    return outcome;
}

void check(bool condition) {
    if (!condition) {
        std::abort();
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* bytes, std::size_t size) {
    if (size < 2) {
        return 0;
    }
    // The first two bytes choose the cuts; the rest is the stream.
    const std::string_view data(reinterpret_cast<const char*>(bytes + 2), size - 2);
    auto first = data.empty() ? 0 : bytes[0] % (data.size() + 1);
    auto second = data.empty() ? 0 : bytes[1] % (data.size() + 1);
    if (first > second) {
        std::swap(first, second);
    }

    const auto whole = parseInPieces(data, data.size(), data.size());
    const auto split = parseInPieces(data, first, second);
    check(whole.ok == split.ok);
    // On an error, messages before it may or may not have been delivered depending on where the
    // cut fell; with no error the two must agree exactly.
    if (whole.ok) {
        check(whole.messages == split.messages);
    }

    const auto protocol = makeJsonHubProtocol();
    for (const auto& message : whole.messages) {
        std::string text;
        check(protocol->write(message, text).ok());
        std::vector<HubMessage> again;
        check(protocol->parse(text, again).ok());
        check(again.size() == 1 && again[0] == message);
    }
    return 0;
}
