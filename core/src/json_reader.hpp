#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include <simdjson.h>

#include "signalr/result.hpp"
#include "signalr/value.hpp"

namespace signalr::detail {

/// Nesting depth accepted by default, as System.Text.Json's default MaxDepth on the server.
inline constexpr std::size_t kDefaultJsonMaxDepth = 64;

/// Parses JSON documents with simdjson's DOM parser, which validates UTF-8 and enforces the
/// nesting limit. Keep one per stream and reuse it: the parser's buffers are allocated once and
/// grow with the largest document seen (and shrink again after an unusually large one).
class JsonReader {
public:
    /// `maxDepth` counts every array and object level of the document, the outermost included.
    explicit JsonReader(std::size_t maxDepth = kDefaultJsonMaxDepth) noexcept
        : maxDepth_(maxDepth) {}

    /// Parses one document. The element, and every string view into it, is valid until the next
    /// call. Errors are ProtocolError; the message is `context`, a colon and what is wrong:
    /// "Invalid negotiate response: the text is not valid UTF-8."
    Result<simdjson::dom::element> parse(std::string_view text,
                                         std::string_view context = "Invalid JSON");

    /// Builds into `out` the Value tree of an element that sits `depth` levels deep (the root is
    /// at depth 1). It also completes the depth check: simdjson does not count an empty array or
    /// object as a level, so one may still lie beyond maxDepth; that gives the same error as
    /// parse(), and leaves `out` unspecified.
    Result<void> toValue(simdjson::dom::element element, std::size_t depth, Value& out,
                         std::string_view context = "Invalid JSON") const;

    /// Like toValue() for every item of `array` (items that sit `depth` levels deep), appended to
    /// `out`: the hot path of hub message arguments, without a Result per item.
    Result<void> appendValues(simdjson::dom::array array, std::size_t depth,
                              std::vector<Value>& out,
                              std::string_view context = "Invalid JSON") const;

    std::size_t maxDepth() const noexcept { return maxDepth_; }

private:
    std::size_t maxDepth_;
    simdjson::dom::parser parser_;
    bool allocated_ = false;
    /// The text copied with simdjson's padding after it, reused between documents.
    std::vector<char> padded_;
};

/// A short phrase for a simdjson error ("nesting is deeper than 64 levels").
std::string describeJsonError(simdjson::error_code code, std::size_t maxDepth);

} // namespace signalr::detail
