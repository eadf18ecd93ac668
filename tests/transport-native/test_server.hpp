#pragma once

#include <atomic>
#include <cstddef>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

struct lws;
struct lws_context;
struct ssl_ctx_st;

namespace signalr::test {

/// A small libwebsockets WebSocket + HTTP server on 127.0.0.1 (a free port), on a thread of its
/// own, for the native transport tests. Behaviour is chosen by the request path:
///
/// WebSocket (ws://127.0.0.1:port/...):
///   /echo          echoes every message (same frame type, one frame however it arrived)
///   /echo-type     answers "text:<payload>" or "binary:<payload>"
///   /echo-fragmented  echoes every message as continuation frames of 4 KB
///   /headers       sends "x-test=<X-Test>;authorization=<Authorization>" of the upgrade request
///   /close/<code>  closes at once with that code and reason "bye"
///   /drop          shuts the socket down without a close frame
///   /status/<n>    refuses the upgrade with HTTP status n
/// HTTP (http://127.0.0.1:port/...):
///   /http/echo     200, "method=..;x-test=..;authorization=..;content-length=..;body=<body>"
///   /http/fixed    200, {"fixed":true}
///   /http/status/<n>  status n, body "status <n>"
///   /http/large/<n>   200, n bytes of 'a'..'z'
///   /http/slow     never answers
class TestServer {
public:
    struct Options {
        /// PEM files: serve wss:// and https:// instead.
        std::string certificateFile;
        std::string privateKeyFile;
    };

    TestServer() : TestServer(Options{}) {}
    explicit TestServer(Options options);
    ~TestServer();

    TestServer(const TestServer&) = delete;
    TestServer& operator=(const TestServer&) = delete;

    int port() const { return port_; }
    /// "ws://127.0.0.1:<port><path>" (wss:// with TLS).
    std::string wsUrl(const std::string& path) const;
    /// "http://127.0.0.1:<port><path>" (https:// with TLS).
    std::string httpUrl(const std::string& path) const;

    /// WebSocket connections currently established.
    int openWebSockets() const { return openWebSockets_.load(); }
    /// The close code of the last close frame a client sent (0 if none yet).
    int lastClientCloseCode() const { return lastClientCloseCode_.load(); }
    /// WebSocket messages received from all clients so far.
    int messagesReceived() const { return messagesReceived_.load(); }

    /// Internal: the lws protocol callback, on the server thread.
    int handleLws(lws* wsi, int reason, void* in, std::size_t len);

private:
    struct Session;

    int respond(lws* wsi, Session& session, int status, std::string body);
    int writeHttp(lws* wsi, Session& session);
    int writeWebSocket(lws* wsi, Session& session);
    void run();

    bool tls_ = false;
    lws_context* context_ = nullptr;
    ssl_ctx_st* clientTls_ = nullptr;
    int port_ = 0;
    std::thread thread_;
    std::mutex stopMutex_;
    std::atomic<bool> stopping_{false};
    std::atomic<int> openWebSockets_{0};
    std::atomic<int> lastClientCloseCode_{0};
    std::atomic<int> messagesReceived_{0};
    std::map<lws*, Session>* sessions_ = nullptr; // server thread only
};

/// A self-signed certificate for 127.0.0.1 (subjectAltName IP:127.0.0.1), written as PEM files in
/// a fresh temporary directory that the destructor removes.
class SelfSignedCertificate {
public:
    SelfSignedCertificate();
    ~SelfSignedCertificate();

    SelfSignedCertificate(const SelfSignedCertificate&) = delete;
    SelfSignedCertificate& operator=(const SelfSignedCertificate&) = delete;

    const std::string& certificateFile() const { return certificateFile_; }
    const std::string& privateKeyFile() const { return privateKeyFile_; }

private:
    std::string directory_;
    std::string certificateFile_;
    std::string privateKeyFile_;
};

/// A TCP port on 127.0.0.1 that refuses connections (nothing listens on it).
int refusedPort();

/// A listening socket that never accepts or answers: connections hang in the backlog.
class SilentListener {
public:
    SilentListener();
    ~SilentListener();
    SilentListener(const SilentListener&) = delete;
    SilentListener& operator=(const SilentListener&) = delete;
    int port() const { return port_; }

private:
    int fd_ = -1;
    int port_ = 0;
};

/// Threads of this process, from /proc/self/status.
int processThreadCount();

} // namespace signalr::test
