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
///
/// Each method's list is immutable once published: add() and remove() publish a new one, so
/// find() hands out a snapshot by taking a reference, without copying or allocating per call.
class HandlerRegistry {
public:
    using Handler = ArgumentsHandler;
    using HandlerList = std::vector<std::shared_ptr<const Handler>>;

    /// The handlers of one method at the time of find(); handlers may add or remove handlers
    /// while it runs.
    class Snapshot {
    public:
        Snapshot() = default;
        explicit Snapshot(std::shared_ptr<const HandlerList> list) : list_(std::move(list)) {}
        bool empty() const { return !list_ || list_->empty(); }
        std::size_t size() const { return list_ ? list_->size() : 0; }
        HandlerList::const_iterator begin() const {
            return list_ ? list_->begin() : kEmpty.begin();
        }
        HandlerList::const_iterator end() const { return list_ ? list_->end() : kEmpty.end(); }

    private:
        static inline const HandlerList kEmpty{};
        std::shared_ptr<const HandlerList> list_;
    };

    void add(HandlerId id, std::string method, Handler handler) {
        auto& entry = byMethod_[std::move(method)];
        auto ids = entry.ids;
        auto list = entry.list ? *entry.list : HandlerList{};
        ids.push_back(id);
        list.push_back(std::make_shared<const Handler>(std::move(handler)));
        entry.ids = std::move(ids);
        entry.list = std::make_shared<const HandlerList>(std::move(list));
    }

    void remove(HandlerId id) {
        for (auto it = byMethod_.begin(); it != byMethod_.end(); ++it) {
            auto& entry = it->second;
            auto found = std::find(entry.ids.begin(), entry.ids.end(), id);
            if (found == entry.ids.end()) {
                continue;
            }
            const auto index = static_cast<std::size_t>(found - entry.ids.begin());
            if (entry.ids.size() == 1) {
                byMethod_.erase(it);
                return;
            }
            auto list = *entry.list;
            list.erase(list.begin() + static_cast<std::ptrdiff_t>(index));
            entry.ids.erase(found);
            entry.list = std::make_shared<const HandlerList>(std::move(list));
            return;
        }
    }

    void remove(const std::string& method) { byMethod_.erase(method); }

    void clear() { byMethod_.clear(); }

    Snapshot find(const std::string& method) const {
        auto it = byMethod_.find(method);
        return it == byMethod_.end() ? Snapshot() : Snapshot(it->second.list);
    }

private:
    struct Entry {
        std::vector<HandlerId> ids; ///< parallel to *list
        std::shared_ptr<const HandlerList> list;
    };
    std::unordered_map<std::string, Entry> byMethod_;
};

} // namespace signalr::detail
