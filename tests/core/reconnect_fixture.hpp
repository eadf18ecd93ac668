#pragma once

#include <memory>
#include <string>
#include <vector>

#include "connection_fixture.hpp"

namespace signalr::test {

/// Records every connection event (and onClosed) as text, with the state seen inside it:
/// "reconnecting 2 ConnectionLost [Reconnecting]".
class EventRecorder : public ConnectionEventHandler {
public:
    explicit EventRecorder(HubConnection* connection) : connection_(connection) {}

    std::vector<std::string> events;
    std::vector<DisconnectReason> disconnects;
    std::vector<Error> reconnectReasons;

    void onConnecting() override { add("connecting"); }
    void onConnected(const std::optional<std::string>& id) override {
        add("connected " + id.value_or("-"));
    }
    void onDisconnected(const DisconnectReason& reason) override {
        disconnects.push_back(reason);
        add("disconnected " + kindName(reason.kind));
    }
    void onReconnecting(std::uint32_t attempt, const Error& reason) override {
        reconnectReasons.push_back(reason);
        add("reconnecting " + std::to_string(attempt));
    }
    void onReconnected(std::uint32_t attempt, const std::optional<std::string>& id) override {
        add("reconnected " + std::to_string(attempt) + " " + id.value_or("-"));
    }
    void onReconnectFailed(const Error& error) override {
        add("reconnectFailed " + std::string(toString(error.code)));
    }
    void closed(const std::optional<Error>& error) {
        add("closed " + (error ? std::string(toString(error->code)) : std::string("-")));
    }

    static std::string kindName(DisconnectKind kind) {
        switch (kind) {
        case DisconnectKind::UserRequested: return "UserRequested";
        case DisconnectKind::ServerClosed: return "ServerClosed";
        case DisconnectKind::NetworkError: return "NetworkError";
        case DisconnectKind::Timeout: return "Timeout";
        }
        return "?";
    }

private:
    void add(std::string text) {
        events.push_back(text + " [" + std::string(toString(connection_->state().state)) + "]");
    }
    HubConnection* connection_;
};

/// A ConnectionFixture whose connections reconnect; keep-alive and server timeout are off so
/// that moving the clock only fires the reconnect timers.
class ReconnectFixture : public ConnectionFixture {
protected:
    int negotiations = 0;

    void SetUp() override {
        // Each negotiate hands out a new connection id: conn-1, conn-2, ...
        http->handler = [this](const HttpRequest&) {
            ++negotiations;
            return Result<HttpResponse>(HttpResponse{
                200, FakeHttpClient::negotiateV1("conn-" + std::to_string(negotiations),
                                                 "token-" + std::to_string(negotiations))});
        };
    }

    HubConnectionBuilder reconnecting(ReconnectPolicy policy) {
        auto b = builder();
        b.withAutomaticReconnect(std::move(policy))
            .withKeepAliveInterval(std::chrono::milliseconds(0))
            .withServerTimeout(std::chrono::milliseconds(0));
        return b;
    }

    HubConnection build(HubConnectionBuilder& b) {
        auto built = b.build();
        EXPECT_TRUE(built.ok());
        return std::move(built).value();
    }

    /// Subscribes the recorder; call after the connection has its final address.
    void subscribe(HubConnection& connection) {
        recorder = std::make_shared<EventRecorder>(&connection);
        connection.addEventHandler(recorder);
        auto r = recorder;
        connection.onClosed([r](const std::optional<Error>& e) { r->closed(e); });
    }

    /// Makes every negotiate fail with HTTP 503 (true) or succeed again (false).
    void negotiateFails(bool failing) {
        if (failing) {
            http->handler = [this](const HttpRequest&) {
                ++negotiations;
                return Result<HttpResponse>(HttpResponse{503, "unavailable"});
            };
        } else {
            SetUp();
        }
    }

    /// The transport drops as if the network failed.
    void dropTransport() {
        transport()->drop(Error{ErrorCode::TransportFailed, "connection reset by peer", ""});
        executor->runPending();
    }

    std::vector<std::string> takeEvents() {
        auto out = std::move(recorder->events);
        recorder->events.clear();
        return out;
    }

    std::shared_ptr<EventRecorder> recorder;
};

} // namespace signalr::test
