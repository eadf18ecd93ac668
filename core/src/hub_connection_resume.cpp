// Stateful reconnect: the part of HubConnectionCore that keeps a logical connection alive across
// transport drops. The rest of the core reaches it through a few hooks (send, receive, transport
// open and close, handshake, end of the connection).

#include <algorithm>
#include <utility>

#include "hub_connection_core.hpp"

namespace signalr::detail {

void HubConnectionCore::beginSession() {
    endSession(fail(ErrorCode::ConnectionLost, "a new connection replaced the session"));
    auto buffer = std::make_unique<MessageBuffer>(executor_, *protocol_,
                                                  options_.statefulReconnectBufferBytes,
                                                  [this](std::string bytes) { writeFrame(bytes); });
    TransportRequest request = transportRequest_;
    // The resume is a single attempt while calls wait in limbo: bound it like a handshake.
    if (options_.handshakeTimeout.count() > 0) {
        request.connectTimeout = std::min(request.connectTimeout, options_.handshakeTimeout);
    }
    session_ = std::make_unique<StatefulSession>(std::move(buffer), std::move(request));
    logger_.log(LogLevel::Debug, "stateful reconnect is on (replay buffer of {} bytes)",
                options_.statefulReconnectBufferBytes);
}

bool HubConnectionCore::resumeAfterDrop(std::optional<Error>& error) {
    if (session_->resuming()) {
        // The one attempt failed: the server no longer knows the session, or the network is
        // still down. The ordinary path (the reconnect policy, if any) takes over.
        Error original = std::move(*session_->resumingAfter);
        logger_.log(LogLevel::Warning, "resuming the session failed: {}",
                    error ? error->message : std::string("the server closed the connection"));
        error = std::move(original);
        return false;
    }
    if (!error) {
        // A clean close is the server ending the connection on purpose: it did not keep the
        // session for us.
        return false;
    }
    logger_.log(LogLevel::Information, "the connection dropped ({}); resuming the session",
                error->message);
    session_->resumingAfter = std::move(*error);
    session_->buffer->pause();
    // The old transport has reported its close: nothing more comes from it.
    dropTransport();
    protocol_->reset();
    // The server-timeout clock restarts with the new transport.
    lastReceive_ = executor_->now();
    transport_ = options_.platform.makeTransport();
    if (!transport_) {
        error = std::move(session_->resumingAfter);
        return false;
    }
    if (logger_.enabled(LogLevel::Debug)) {
        logger_.log(LogLevel::Debug, "reopening the transport to {}",
                    redactUrl(session_->request.url));
    }
    transport_->open(session_->request, transportHandlers());
    return true;
}

void HubConnectionCore::onResumeOpen() {
    session_->resumingAfter.reset();
    lastReceive_ = executor_->now();
    metrics_.reconnected();
    logger_.log(LogLevel::Information, "the session resumed: {} message(s) to replay",
                session_->buffer->bufferedMessages());
    // No handshake on a resumed session: the server expects our Sequence and replay at once.
    session_->buffer->resume();
}

void HubConnectionCore::endSession(const Error& error) {
    if (!session_) {
        return;
    }
    // Detached first: completions run user code, which may send again.
    auto session = std::move(session_);
    session->buffer->dispose(error);
}

bool HubConnectionCore::acceptIncoming(const HubMessage& message) {
    switch (session_->buffer->onReceived(message)) {
    case MessageBuffer::Verdict::Process: return true;
    case MessageBuffer::Verdict::Skip: return false;
    case MessageBuffer::Verdict::Violation: break;
    }
    const auto& sequence = std::get<SequenceMessage>(message);
    const std::string text =
        detail::format("the server sent Sequence {} but only {} message(s) were received",
                       sequence.sequenceId, session_->buffer->nextReceiveId() - 1);
    Error reason = fail(ErrorCode::ProtocolError, "protocol error: " + text);
    connectionLost(reason, fail(ErrorCode::ConnectionLost, "the connection was closed: " + text),
                   DisconnectReason{DisconnectKind::NetworkError, reason, false});
    return false;
}

} // namespace signalr::detail
