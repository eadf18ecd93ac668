#include "event_dispatcher.hpp"

#include <algorithm>

namespace signalr::detail {

void EventDispatcher::remove(EventSubscription id) {
    entries_.erase(std::remove_if(entries_.begin(), entries_.end(),
                                  [id](const Entry& e) { return e.id == id; }),
                   entries_.end());
}

namespace {

class Connecting : public ConnectionEventHandler {
public:
    explicit Connecting(std::function<void()> f) : f_(std::move(f)) {}
    void onConnecting() override { f_(); }

private:
    std::function<void()> f_;
};

class Connected : public ConnectionEventHandler {
public:
    explicit Connected(std::function<void(const std::optional<std::string>&)> f)
        : f_(std::move(f)) {}
    void onConnected(const std::optional<std::string>& id) override { f_(id); }

private:
    std::function<void(const std::optional<std::string>&)> f_;
};

class Disconnected : public ConnectionEventHandler {
public:
    explicit Disconnected(std::function<void(const DisconnectReason&)> f) : f_(std::move(f)) {}
    void onDisconnected(const DisconnectReason& reason) override { f_(reason); }

private:
    std::function<void(const DisconnectReason&)> f_;
};

class Reconnecting : public ConnectionEventHandler {
public:
    explicit Reconnecting(std::function<void(std::uint32_t, const Error&)> f) : f_(std::move(f)) {}
    void onReconnecting(std::uint32_t attempt, const Error& reason) override {
        f_(attempt, reason);
    }

private:
    std::function<void(std::uint32_t, const Error&)> f_;
};

class Reconnected : public ConnectionEventHandler {
public:
    explicit Reconnected(std::function<void(std::uint32_t, const std::optional<std::string>&)> f)
        : f_(std::move(f)) {}
    void onReconnected(std::uint32_t attempt, const std::optional<std::string>& id) override {
        f_(attempt, id);
    }

private:
    std::function<void(std::uint32_t, const std::optional<std::string>&)> f_;
};

class ReconnectFailed : public ConnectionEventHandler {
public:
    explicit ReconnectFailed(std::function<void(const Error&)> f) : f_(std::move(f)) {}
    void onReconnectFailed(const Error& error) override { f_(error); }

private:
    std::function<void(const Error&)> f_;
};

template <class H, class F>
std::shared_ptr<ConnectionEventHandler> wrap(F f) {
    if (!f) {
        return nullptr;
    }
    return std::make_shared<H>(std::move(f));
}

} // namespace

std::shared_ptr<ConnectionEventHandler> makeConnectingHandler(std::function<void()> f) {
    return wrap<Connecting>(std::move(f));
}
std::shared_ptr<ConnectionEventHandler>
makeConnectedHandler(std::function<void(const std::optional<std::string>&)> f) {
    return wrap<Connected>(std::move(f));
}
std::shared_ptr<ConnectionEventHandler>
makeDisconnectedHandler(std::function<void(const DisconnectReason&)> f) {
    return wrap<Disconnected>(std::move(f));
}
std::shared_ptr<ConnectionEventHandler>
makeReconnectingHandler(std::function<void(std::uint32_t, const Error&)> f) {
    return wrap<Reconnecting>(std::move(f));
}
std::shared_ptr<ConnectionEventHandler>
makeReconnectedHandler(std::function<void(std::uint32_t, const std::optional<std::string>&)> f) {
    return wrap<Reconnected>(std::move(f));
}
std::shared_ptr<ConnectionEventHandler>
makeReconnectFailedHandler(std::function<void(const Error&)> f) {
    return wrap<ReconnectFailed>(std::move(f));
}

} // namespace signalr::detail
