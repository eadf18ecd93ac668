#include "signalr/json.hpp"

#include "json_reader.hpp"
#include "json_writer.hpp"

namespace signalr {

std::string toJson(const Value& value) {
    std::string out;
    // Lenient mode cannot fail: non-finite doubles become null.
    (void)detail::writeJson(value, out, detail::JsonWriteMode::Lenient);
    return out;
}

Result<Value> parseJson(std::string_view text) {
    detail::JsonReader reader;
    auto root = reader.parse(text);
    if (!root) {
        return std::move(root).error();
    }
    Value value;
    if (auto built = reader.toValue(*root, 1, value); !built) {
        return std::move(built).error();
    }
    return value;
}

} // namespace signalr
