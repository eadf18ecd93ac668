#include "json_reader.hpp"

#include <algorithm>
#include <cstring>

namespace signalr::detail {

namespace {

// Smallest buffers worth allocating; most hub messages fit.
constexpr std::size_t kInitialCapacity = 4 * 1024;
// After a document larger than this, buffers are shrunk back before the next small one: the DOM
// parser needs about 14 bytes per input byte, too much to keep for one huge message.
constexpr std::size_t kRetainedCapacity = 1024 * 1024;

Error depthError(std::string_view context, std::size_t maxDepth) {
    std::string message(context);
    message += ": ";
    message += describeJsonError(simdjson::DEPTH_ERROR, maxDepth);
    message += '.';
    return fail(ErrorCode::ProtocolError, std::move(message));
}

/// Recursion is bounded: simdjson has already refused documents nested deeper than maxDepth
/// (apart from a last empty level, which does not recurse).
Value build(simdjson::dom::element element, std::size_t depth, std::size_t maxDepth,
            bool& tooDeep) {
    using simdjson::dom::element_type;
    // Each accessor below matches the type just checked, so value_unsafe() cannot see an error.
    switch (element.type()) {
    case element_type::ARRAY: {
        if (depth > maxDepth) {
            tooDeep = true;
            return Value();
        }
        const auto array = element.get_array().value_unsafe();
        Value::Array items;
        items.reserve(array.size());
        for (const auto item : array) {
            items.push_back(build(item, depth + 1, maxDepth, tooDeep));
        }
        return Value::fromArray(std::move(items));
    }
    case element_type::OBJECT: {
        if (depth > maxDepth) {
            tooDeep = true;
            return Value();
        }
        const auto object = element.get_object().value_unsafe();
        Value::Object members;
        members.reserve(object.size());
        // Iterators rather than key_value_pair, which the compiler copies through memory.
        for (auto it = object.begin(), end = object.end(); it != end; ++it) {
            members.emplace_back(std::string(it.key()),
                                 build(it.value(), depth + 1, maxDepth, tooDeep));
        }
        return Value::fromObject(std::move(members));
    }
    case element_type::INT64: return Value::fromInt(element.get_int64().value_unsafe());
    case element_type::UINT64: return Value::fromUInt(element.get_uint64().value_unsafe());
    case element_type::DOUBLE: return Value::fromDouble(element.get_double().value_unsafe());
    case element_type::STRING:
        return Value::fromString(std::string(element.get_string().value_unsafe()));
    case element_type::BOOL: return Value::fromBool(element.get_bool().value_unsafe());
    case element_type::NULL_VALUE: return Value();
    }
    return Value();
}

} // namespace

Result<simdjson::dom::element> JsonReader::parse(std::string_view text, std::string_view context) {
    const auto failure = [&](simdjson::error_code error) {
        std::string message(context);
        message += ": ";
        message += describeJsonError(error, maxDepth_);
        message += '.';
        return fail(ErrorCode::ProtocolError, std::move(message));
    };
    const bool shrink = parser_.capacity() > kRetainedCapacity && text.size() <= kRetainedCapacity;
    if (!allocated_ || shrink || parser_.capacity() < text.size()) {
        // Grow geometrically so that slowly growing messages do not reallocate every time.
        // A fresh parser also drops the old document's tape, which simdjson never shrinks.
        const auto capacity = std::max(
            {text.size(), kInitialCapacity, shrink ? std::size_t{0} : 2 * parser_.capacity()});
        parser_ = simdjson::dom::parser{};
        // simdjson's max_depth N admits only N-1 levels of arrays and objects.
        if (const auto error = parser_.allocate(capacity, maxDepth_ + 1); error) {
            allocated_ = false;
            return failure(error);
        }
        allocated_ = true;
    }
    const auto needed = text.size() + simdjson::SIMDJSON_PADDING;
    if (padded_.size() < needed || (shrink && padded_.size() > kRetainedCapacity)) {
        padded_.assign(std::max(needed, kInitialCapacity), '\0');
        padded_.shrink_to_fit();
    }
    if (!text.empty()) {
        std::memcpy(padded_.data(), text.data(), text.size());
    }
    simdjson::dom::element root;
    if (const auto error = parser_.parse(padded_.data(), text.size(), false).get(root); error) {
        return failure(error);
    }
    return root;
}

Result<void> JsonReader::toValue(simdjson::dom::element element, std::size_t depth, Value& out,
                                 std::string_view context) const {
    bool tooDeep = false;
    out = build(element, depth, maxDepth_, tooDeep);
    if (tooDeep) {
        return depthError(context, maxDepth_);
    }
    return {};
}

Result<void> JsonReader::appendValues(simdjson::dom::array array, std::size_t depth,
                                      std::vector<Value>& out, std::string_view context) const {
    bool tooDeep = false;
    out.reserve(out.size() + array.size());
    for (const auto item : array) {
        out.push_back(build(item, depth, maxDepth_, tooDeep));
    }
    if (tooDeep) {
        return depthError(context, maxDepth_);
    }
    return {};
}

std::string describeJsonError(simdjson::error_code code, std::size_t maxDepth) {
    switch (code) {
    case simdjson::DEPTH_ERROR:
        return "nesting is deeper than " + std::to_string(maxDepth) + " levels";
    case simdjson::NUMBER_ERROR: return "a number is malformed or does not fit in 64 bits";
    case simdjson::NUMBER_OUT_OF_RANGE: return "a number does not fit in 64 bits";
    case simdjson::UTF8_ERROR: return "the text is not valid UTF-8";
    case simdjson::EMPTY: return "the text is empty";
    case simdjson::STRING_ERROR: return "a string has an invalid escape sequence";
    case simdjson::UNESCAPED_CHARS: return "a string contains an unescaped control character";
    case simdjson::UNCLOSED_STRING: return "a string is not closed";
    case simdjson::T_ATOM_ERROR:
    case simdjson::F_ATOM_ERROR:
    case simdjson::N_ATOM_ERROR: return "a literal is not true, false or null";
    case simdjson::TAPE_ERROR:
        return "the structure is broken (missing or extra commas, brackets or keys)";
    case simdjson::MEMALLOC:
    case simdjson::CAPACITY: return "the document is too large";
    default: return simdjson::error_message(code);
    }
}

} // namespace signalr::detail
