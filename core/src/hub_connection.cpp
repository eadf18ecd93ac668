#include "signalr/hub_connection.hpp"

#include "event_dispatcher.hpp"
#include "hub_connection_core.hpp"

namespace signalr {

namespace {
Error movedFrom() {
    return fail(ErrorCode::InvalidState, "this HubConnection was moved from");
}
} // namespace

HubConnection::HubConnection(std::shared_ptr<detail::HubConnectionCore> core)
    : core_(std::move(core)) {}

HubConnection::HubConnection(HubConnection&&) noexcept = default;

HubConnection& HubConnection::operator=(HubConnection&& other) noexcept {
    if (this != &other) {
        if (core_) {
            core_->shutdown();
        }
        core_ = std::move(other.core_);
    }
    return *this;
}

HubConnection::~HubConnection() {
    if (core_) {
        core_->shutdown();
    }
}

void HubConnection::start(Completion done) {
    if (!core_) {
        if (done) {
            done(movedFrom());
        }
        return;
    }
    core_->start(std::move(done));
}

void HubConnection::stop(Completion done) {
    if (!core_) {
        if (done) {
            done(movedFrom());
        }
        return;
    }
    core_->stop(std::move(done));
}

void HubConnection::reconnect(Completion done) {
    if (!core_) {
        if (done) {
            done(movedFrom());
        }
        return;
    }
    core_->reconnect(std::move(done));
}

ConnectionStateSnapshot HubConnection::state() const {
    return core_ ? core_->snapshot() : ConnectionStateSnapshot{};
}

ConnectionMetrics HubConnection::metrics() const {
    return core_ ? core_->metrics() : ConnectionMetrics{};
}

std::optional<std::string> HubConnection::connectionId() const {
    return core_ ? core_->connectionId() : std::nullopt;
}

void HubConnection::invokeRaw(std::string method, Arguments args,
                              std::function<void(Result<Value>)> done) {
    if (!core_) {
        if (done) {
            done(movedFrom());
        }
        return;
    }
    core_->invoke(std::move(method), std::move(args), std::move(done));
}

void HubConnection::send(std::string method, Arguments args, Completion done) {
    if (!core_) {
        if (done) {
            done(movedFrom());
        }
        return;
    }
    core_->send(std::move(method), std::move(args), std::move(done));
}

StreamSubscription HubConnection::streamRaw(std::string method, Arguments args,
                                            detail::ItemHandler onItem, Completion onComplete) {
    if (!core_) {
        if (onComplete) {
            onComplete(movedFrom());
        }
        return StreamSubscription();
    }
    return StreamSubscription(core_->stream(std::move(method), std::move(args), std::move(onItem),
                                            std::move(onComplete)));
}

HandlerId HubConnection::on(std::string method, std::function<void(const Arguments&)> handler) {
    return onRaw(std::move(method), [handler = std::move(handler)](const Arguments& args, bool) {
        if (handler) {
            handler(args);
        }
        return Result<void>();
    });
}

HandlerId HubConnection::onRaw(std::string method, detail::ArgumentsHandler handler) {
    return core_ ? core_->on(std::move(method), std::move(handler)) : 0;
}

void HubConnection::off(HandlerId id) {
    if (core_) {
        core_->off(id);
    }
}

void HubConnection::off(const std::string& method) {
    if (core_) {
        core_->off(method);
    }
}

void HubConnection::onInvocation(
    std::string method,
    std::function<void(const Arguments&, std::function<void(Result<Value>)> respond)> responder) {
    if (core_) {
        core_->onInvocation(std::move(method), std::move(responder));
    }
}

void HubConnection::onClosed(std::function<void(const std::optional<Error>&)> handler) {
    if (core_) {
        core_->onClosed(std::move(handler));
    }
}

EventSubscription HubConnection::addEventHandler(std::shared_ptr<ConnectionEventHandler> handler) {
    return core_ ? core_->addEventHandler(std::move(handler)) : 0;
}

EventSubscription HubConnection::onConnecting(std::function<void()> handler) {
    return addEventHandler(detail::makeConnectingHandler(std::move(handler)));
}

EventSubscription
HubConnection::onConnected(std::function<void(const std::optional<std::string>&)> handler) {
    return addEventHandler(detail::makeConnectedHandler(std::move(handler)));
}

EventSubscription
HubConnection::onDisconnected(std::function<void(const DisconnectReason&)> handler) {
    return addEventHandler(detail::makeDisconnectedHandler(std::move(handler)));
}

EventSubscription
HubConnection::onReconnecting(std::function<void(std::uint32_t, const Error&)> handler) {
    return addEventHandler(detail::makeReconnectingHandler(std::move(handler)));
}

EventSubscription HubConnection::onReconnected(
    std::function<void(std::uint32_t, const std::optional<std::string>&)> handler) {
    return addEventHandler(detail::makeReconnectedHandler(std::move(handler)));
}

EventSubscription HubConnection::onReconnectFailed(std::function<void(const Error&)> handler) {
    return addEventHandler(detail::makeReconnectFailedHandler(std::move(handler)));
}

void HubConnection::removeEventHandler(EventSubscription id) {
    if (core_) {
        core_->removeEventHandler(id);
    }
}

} // namespace signalr
