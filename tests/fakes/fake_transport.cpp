#include "fake_transport.hpp"

namespace signalr::test {

namespace {
constexpr char kRecordSeparator = '\x1e';
}

void FakeTransportState::accept() {
    executor->post([self = this] {
        if (!self->destroyed && !self->closeReported && self->handlers.onOpen) {
            self->opened = true;
            self->handlers.onOpen();
        }
    });
}

void FakeTransportState::receive(std::string data) {
    executor->post([self = this, data = std::move(data)] {
        if (!self->destroyed && !self->closeReported && self->handlers.onMessage) {
            self->handlers.onMessage(data);
        }
    });
}

void FakeTransportState::drop(std::optional<Error> error) {
    executor->post([self = this, error = std::move(error)] {
        if (!self->destroyed && !self->closeReported && self->handlers.onClose) {
            self->closeReported = true;
            self->handlers.onClose(error);
        }
    });
}

std::vector<std::string> FakeTransportState::messages() const {
    std::vector<std::string> out;
    for (std::size_t i = 0; i < sent.size(); ++i) {
        if (i == 0 && sent[i].find("\"protocol\"") != std::string::npos) {
            continue;
        }
        std::string frame = sent[i];
        std::size_t start = 0;
        while (start < frame.size()) {
            auto end = frame.find(kRecordSeparator, start);
            if (end == std::string::npos) {
                out.push_back(frame.substr(start));
                break;
            }
            out.push_back(frame.substr(start, end - start));
            start = end + 1;
        }
    }
    return out;
}

void FakeTransport::open(TransportRequest request, TransportHandlers handlers) {
    state_->request = std::move(request);
    state_->handlers = std::move(handlers);
    if (state_->autoOpen) {
        state_->accept();
    }
}

std::string FakeTransport::send(std::string data, TransferFormat) {
    const bool isHandshake = state_->sent.empty() && data.find("\"protocol\"") != std::string::npos;
    state_->sent.push_back(std::move(data));
    if (isHandshake && state_->autoHandshake) {
        state_->receive(std::string("{}") + kRecordSeparator);
    }
    return {}; // every message is kept in `sent`
}

void FakeTransport::close() {
    state_->closeCalled = true;
    if (state_->closeOnClose) {
        state_->drop(std::nullopt);
    }
}

std::unique_ptr<Transport> FakeTransportFactory::make() {
    auto state = std::make_shared<FakeTransportState>();
    state->executor = executor_;
    state->supportsHeaders = defaults.supportsHeaders;
    state->autoOpen = defaults.autoOpen;
    state->autoHandshake = defaults.autoHandshake;
    state->closeOnClose = defaults.closeOnClose;
    created.push_back(state);
    return std::make_unique<FakeTransport>(state);
}

} // namespace signalr::test
