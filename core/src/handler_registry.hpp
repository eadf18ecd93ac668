#pragma once

#include <algorithm>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "signalr/hub_connection.hpp"

namespace signalr::detail {

/// Handlers for server-to-client calls, by method name (case-sensitive).
class HandlerRegistry {
public:
    using Handler = std::function<Result<void>(const Arguments&)>;

    void add(HandlerId id, std::string method, Handler handler) {
        byMethod_[std::move(method)].push_back(
            Entry{id, std::make_shared<const Handler>(std::move(handler))});
    }

    void remove(HandlerId id) {
        for (auto it = byMethod_.begin(); it != byMethod_.end(); ++it) {
            auto& entries = it->second;
            auto found = std::find_if(entries.begin(), entries.end(),
                                      [id](const Entry& e) { return e.id == id; });
            if (found != entries.end()) {
                entries.erase(found);
                if (entries.empty()) {
                    byMethod_.erase(it);
                }
                return;
            }
        }
    }

    void remove(const std::string& method) { byMethod_.erase(method); }

    void clear() { byMethod_.clear(); }

    /// A snapshot: handlers may add or remove handlers while the snapshot runs.
    std::vector<std::shared_ptr<const Handler>> find(const std::string& method) const {
        std::vector<std::shared_ptr<const Handler>> out;
        auto it = byMethod_.find(method);
        if (it != byMethod_.end()) {
            out.reserve(it->second.size());
            for (const auto& entry : it->second) {
                out.push_back(entry.handler);
            }
        }
        return out;
    }

private:
    struct Entry {
        HandlerId id;
        std::shared_ptr<const Handler> handler;
    };
    std::unordered_map<std::string, std::vector<Entry>> byMethod_;
};

} // namespace signalr::detail
