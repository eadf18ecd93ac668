#pragma once

#include <memory>

#include "signalr/event_loop.hpp"
#include "test_server.hpp"
#include "test_support.hpp"

namespace signalr::test {

/// A TLS test server with a fresh self-signed certificate, and a running loop that trusts it.
/// Members are built in order and the loop goes first on destruction.
struct TrustedTlsServer {
    SelfSignedCertificate certificate;
    TestServer server{TestServer::Options{
        .certificateFile = certificate.certificateFile(),
        .privateKeyFile = certificate.privateKeyFile(),
    }};
    std::shared_ptr<EventLoop> loop = loopTrusting(certificate.certificateFile());
};

} // namespace signalr::test
