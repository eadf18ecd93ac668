#include "json_arguments.hpp"

#include <string>

#include "signalr/json.hpp"

namespace signalr::cli {

Result<Arguments> parseJsonArguments(std::span<const std::string_view> words) {
    Arguments arguments;
    arguments.reserve(words.size());
    for (auto word : words) {
        auto value = parseJson(word);
        if (!value) {
            // Bare words are the usual mistake: the shell ate the quotes of a JSON string.
            return fail(ErrorCode::InvalidArgument, "argument '" + std::string(word) +
                                                        "' is not JSON (" + value.error().message +
                                                        "); quote strings like '\"text\"'");
        }
        arguments.push_back(std::move(value).value());
    }
    return arguments;
}

} // namespace signalr::cli
