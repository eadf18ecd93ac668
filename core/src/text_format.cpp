#include "text_format.hpp"

namespace signalr::detail {

void formatTo(std::string& out, std::string_view pattern, std::initializer_list<FormatArg> args) {
    std::size_t size = pattern.size();
    for (const auto& arg : args) {
        size += arg.text().size();
    }
    out.reserve(out.size() + size);
    auto next = args.begin();
    std::size_t from = 0;
    for (std::size_t at = pattern.find("{}"); at != std::string_view::npos && next != args.end();
         at = pattern.find("{}", from)) {
        out.append(pattern.substr(from, at - from));
        out.append(next->text());
        ++next;
        from = at + 2;
    }
    out.append(pattern.substr(from));
}

} // namespace signalr::detail
