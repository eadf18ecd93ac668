#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "signalr/executor.hpp"
#include "signalr/transport.hpp"

namespace signalr::test {

/// What one fake transport saw and what the test makes it do. Outlives the transport, so a
/// test can inspect it after the connection dropped the transport.
struct FakeTransportState {
    std::shared_ptr<Executor> executor;
    TransportRequest request;
    TransportHandlers handlers;
    std::vector<std::string> sent;
    bool supportsHeaders = true;
    bool autoOpen = true;      ///< open() is accepted at once
    bool autoHandshake = true; ///< the handshake request is answered with `{}`
    bool closeOnClose = true;  ///< close() is confirmed with a clean onClose
    bool opened = false;
    bool closeCalled = false;
    bool closeReported = false;
    bool destroyed = false;

    /// Each of these posts the event, like a real transport.
    void accept();
    void receive(std::string data);
    void drop(std::optional<Error> error);
    /// Messages sent after the handshake, without their record separators.
    std::vector<std::string> messages() const;
};

class FakeTransport : public Transport {
public:
    explicit FakeTransport(std::shared_ptr<FakeTransportState> state) : state_(std::move(state)) {}
    ~FakeTransport() override { state_->destroyed = true; }
    void open(TransportRequest request, TransportHandlers handlers) override;
    std::string send(std::string data, TransferFormat format) override;
    void close() override;
    bool supportsHeaders() const override { return state_->supportsHeaders; }

private:
    std::shared_ptr<FakeTransportState> state_;
};

/// Makes FakeTransports and remembers each one's state.
class FakeTransportFactory {
public:
    explicit FakeTransportFactory(std::shared_ptr<Executor> executor)
        : executor_(std::move(executor)) {}

    std::unique_ptr<Transport> make();
    /// Applied to every new transport before open().
    FakeTransportState defaults;
    std::vector<std::shared_ptr<FakeTransportState>> created;
    std::shared_ptr<FakeTransportState> last() const {
        return created.empty() ? nullptr : created.back();
    }

private:
    std::shared_ptr<Executor> executor_;
};

} // namespace signalr::test
