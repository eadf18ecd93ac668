#include "signalr/error.hpp"
#include "signalr/connection_state.hpp"
#include "signalr/logging.hpp"

namespace signalr {

std::string_view toString(ErrorCode code) noexcept {
    switch (code) {
    case ErrorCode::InvalidArgument: return "InvalidArgument";
    case ErrorCode::InvalidState: return "InvalidState";
    case ErrorCode::NegotiateFailed: return "NegotiateFailed";
    case ErrorCode::Unauthorized: return "Unauthorized";
    case ErrorCode::TransportFailed: return "TransportFailed";
    case ErrorCode::HandshakeFailed: return "HandshakeFailed";
    case ErrorCode::Timeout: return "Timeout";
    case ErrorCode::ConnectionLost: return "ConnectionLost";
    case ErrorCode::ServerClosed: return "ServerClosed";
    case ErrorCode::ProtocolError: return "ProtocolError";
    case ErrorCode::HubError: return "HubError";
    case ErrorCode::TypeMismatch: return "TypeMismatch";
    case ErrorCode::Cancelled: return "Cancelled";
    case ErrorCode::NotConnected: return "NotConnected";
    case ErrorCode::Dropped: return "Dropped";
    case ErrorCode::Internal: return "Internal";
    }
    return "Unknown";
}

std::string Error::toString() const {
    std::string out(signalr::toString(code));
    out += ": ";
    out += message;
    return out;
}

std::string_view toString(LogLevel level) noexcept {
    switch (level) {
    case LogLevel::Trace: return "trace";
    case LogLevel::Debug: return "debug";
    case LogLevel::Information: return "info";
    case LogLevel::Warning: return "warning";
    case LogLevel::Error: return "error";
    case LogLevel::Critical: return "critical";
    case LogLevel::None: return "none";
    }
    return "unknown";
}

std::string_view toString(ConnectionState state) noexcept {
    switch (state) {
    case ConnectionState::Disconnected: return "Disconnected";
    case ConnectionState::Connecting: return "Connecting";
    case ConnectionState::Connected: return "Connected";
    case ConnectionState::Reconnecting: return "Reconnecting";
    case ConnectionState::Disconnecting: return "Disconnecting";
    case ConnectionState::Failed: return "Failed";
    }
    return "Unknown";
}

} // namespace signalr
