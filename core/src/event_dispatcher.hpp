#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "signalr/connection_events.hpp"

namespace signalr::detail {

/// The connection event subscribers, in the order added. Executor thread only.
class EventDispatcher {
public:
    void add(EventSubscription id, std::shared_ptr<ConnectionEventHandler> handler) {
        if (handler) {
            entries_.push_back(Entry{id, std::move(handler)});
        }
    }
    void remove(EventSubscription id);
    void clear() { entries_.clear(); }
    std::size_t size() const { return entries_.size(); }

    /// Calls `event` on each subscriber. A snapshot is taken first: a handler may subscribe,
    /// unsubscribe or stop the connection. `stillValid` is asked before every call, so nothing
    /// runs once the connection moved on (stopped, destroyed) inside an earlier handler.
    template <class Event, class Valid>
    void fire(const Event& event, const Valid& stillValid) const {
        if (entries_.empty()) {
            return;
        }
        std::vector<std::shared_ptr<ConnectionEventHandler>> handlers;
        handlers.reserve(entries_.size());
        for (const auto& entry : entries_) {
            handlers.push_back(entry.handler);
        }
        for (const auto& handler : handlers) {
            if (!stillValid()) {
                return;
            }
            event(*handler);
        }
    }

private:
    struct Entry {
        EventSubscription id;
        std::shared_ptr<ConnectionEventHandler> handler;
    };
    std::vector<Entry> entries_;
};

/// Adapts one std::function callback of HubConnection::onConnected() etc. to the interface.
std::shared_ptr<ConnectionEventHandler> makeConnectingHandler(std::function<void()> f);
std::shared_ptr<ConnectionEventHandler>
makeConnectedHandler(std::function<void(const std::optional<std::string>&)> f);
std::shared_ptr<ConnectionEventHandler>
makeDisconnectedHandler(std::function<void(const DisconnectReason&)> f);
std::shared_ptr<ConnectionEventHandler>
makeReconnectingHandler(std::function<void(std::uint32_t, const Error&)> f);
std::shared_ptr<ConnectionEventHandler>
makeReconnectedHandler(std::function<void(std::uint32_t, const std::optional<std::string>&)> f);
std::shared_ptr<ConnectionEventHandler>
makeReconnectFailedHandler(std::function<void(const Error&)> f);

} // namespace signalr::detail
