#include "test_server.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <filesystem>
#include <fstream>
#include <string_view>

#include <libwebsockets.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

namespace signalr::test {

namespace {

constexpr std::size_t kServerRxBuffer = 16 * 1024;

int serverCallback(lws* wsi, lws_callback_reasons reason, void* user, void* in, std::size_t len);

const lws_protocols kServerProtocols[] = {
    {"test-server", &serverCallback, 0, kServerRxBuffer, 0, nullptr, 0},
    {nullptr, nullptr, 0, 0, 0, nullptr, 0},
};

std::string copyHeader(lws* wsi, lws_token_indexes token) {
    const int length = lws_hdr_total_length(wsi, token);
    if (length <= 0) {
        return {};
    }
    std::string value(static_cast<std::size_t>(length) + 1, '\0');
    const int copied = lws_hdr_copy(wsi, value.data(), length + 1, token);
    value.resize(copied > 0 ? static_cast<std::size_t>(copied) : 0);
    return value;
}

std::string copyCustomHeader(lws* wsi, const char* nameWithColon) {
    const int nameLength = static_cast<int>(std::strlen(nameWithColon));
    const int length = lws_hdr_custom_length(wsi, nameWithColon, nameLength);
    if (length <= 0) {
        return {};
    }
    std::string value(static_cast<std::size_t>(length) + 1, '\0');
    const int copied =
        lws_hdr_custom_copy(wsi, value.data(), length + 1, nameWithColon, nameLength);
    value.resize(copied > 0 ? static_cast<std::size_t>(copied) : 0);
    return value;
}

bool startsWith(std::string_view text, std::string_view prefix) {
    return text.substr(0, prefix.size()) == prefix;
}

int numberAfter(std::string_view path, std::string_view prefix) {
    return std::atoi(std::string(path.substr(prefix.size())).c_str());
}

std::string withHeadroom(std::string_view payload) {
    std::string buffer(LWS_PRE, '\0');
    buffer.append(payload);
    return buffer;
}

} // namespace

struct TestServer::Session {
    std::string path;
    // HTTP
    std::string method;
    std::string xTest;
    std::string authorization;
    std::string contentLength;
    std::string requestBody;
    std::string response; // LWS_PRE headroom + body
    std::size_t responseSent = 0;
    bool responding = false;
    bool answered = false;
    // WebSocket
    std::string rx;
    bool rxBinary = false;
    bool receiving = false;
    std::deque<std::pair<std::string, bool>> out; // LWS_PRE headroom + payload, binary
    std::size_t outSent = 0;
    int closeCode = 0;
};

namespace {

int serverCallback(lws* wsi, lws_callback_reasons reason, void* /*user*/, void* in,
                   std::size_t len) {
    auto* server = static_cast<TestServer*>(lws_context_user(lws_get_context(wsi)));
    if (server == nullptr) {
        return 0;
    }
    return server->handleLws(wsi, static_cast<int>(reason), in, len);
}

} // namespace

TestServer::TestServer(Options options) : tls_(!options.certificateFile.empty()) {
    // Quiet, like the library's loop, unless SIGNALR_LWS_LOG asks for lws's log.
    const char* requested = std::getenv("SIGNALR_LWS_LOG");
    lws_set_log_level(requested != nullptr ? std::atoi(requested) : 0, nullptr);
    sessions_ = new std::map<lws*, Session>();
    lws_context_creation_info info;
    std::memset(&info, 0, sizeof info);
    info.port = 0; // any free port; read it back below
    info.iface = "127.0.0.1";
    info.protocols = kServerProtocols;
    info.user = this;
    info.gid = -1;
    info.uid = -1;
    info.pt_serv_buf_size = 32 * 1024;
    info.max_http_header_data = 16 * 1024;
    info.timeout_secs = 60;
    if (tls_) {
        info.options |= LWS_SERVER_OPTION_DO_SSL_GLOBAL_INIT;
        info.ssl_cert_filepath = options.certificateFile.c_str();
        info.ssl_private_key_filepath = options.privateKeyFile.c_str();
        info.alpn = "http/1.1";
        // lws would also build a client TLS context that it cannot free reliably when several
        // lws contexts coexist (see the library's LoopCore): give it one that we free.
        clientTls_ = SSL_CTX_new(TLS_client_method());
        info.provided_client_ssl_ctx = clientTls_;
    }
    context_ = lws_create_context(&info);
    if (context_ == nullptr) {
        std::fprintf(stderr, "TestServer: lws_create_context failed\n");
        std::abort();
    }
    port_ = lws_get_vhost_listen_port(lws_get_vhost_by_name(context_, "default"));
    thread_ = std::thread([this] { run(); });
}

TestServer::~TestServer() {
    {
        // Under the lock: the server thread destroys the context (and its wake-up fd) only
        // after taking it.
        std::lock_guard lock(stopMutex_);
        stopping_.store(true);
        lws_cancel_service(context_);
    }
    thread_.join();
    delete sessions_;
    if (clientTls_ != nullptr) {
        SSL_CTX_free(clientTls_);
    }
}

void TestServer::run() {
    while (!stopping_.load()) {
        if (lws_service(context_, 0) < 0) {
            break;
        }
    }
    std::lock_guard lock(stopMutex_);
    lws_context_destroy(context_);
}

std::string TestServer::wsUrl(const std::string& path) const {
    return std::string(tls_ ? "wss" : "ws") + "://127.0.0.1:" + std::to_string(port_) + path;
}

std::string TestServer::httpUrl(const std::string& path) const {
    return std::string(tls_ ? "https" : "http") + "://127.0.0.1:" + std::to_string(port_) + path;
}

int TestServer::respond(lws* wsi, Session& session, int status, std::string body) {
    unsigned char headers[LWS_PRE + 1024];
    unsigned char* start = headers + LWS_PRE;
    unsigned char* p = start;
    unsigned char* end = headers + sizeof headers - 1;
    if (lws_add_http_common_headers(wsi, static_cast<unsigned int>(status), "text/plain",
                                    body.size(), &p, end) != 0 ||
        lws_finalize_write_http_header(wsi, start, &p, end) != 0) {
        return 1;
    }
    session.response = withHeadroom(body);
    session.responseSent = 0;
    session.responding = true;
    lws_callback_on_writable(wsi);
    return 0;
}

int TestServer::writeHttp(lws* wsi, Session& session) {
    if (!session.responding) {
        return 0;
    }
    const std::size_t total = session.response.size() - LWS_PRE;
    const std::size_t chunk = std::min<std::size_t>(total - session.responseSent, 16 * 1024);
    const bool last = session.responseSent + chunk == total;
    if (chunk > 0 || last) {
        auto* data = reinterpret_cast<unsigned char*>(session.response.data()) + LWS_PRE +
                     session.responseSent;
        if (lws_write(wsi, data, chunk, last ? LWS_WRITE_HTTP_FINAL : LWS_WRITE_HTTP) < 0) {
            return -1;
        }
    }
    session.responseSent += chunk;
    if (!last) {
        lws_callback_on_writable(wsi);
        return 0;
    }
    session.responding = false;
    return lws_http_transaction_completed(wsi) != 0 ? -1 : 0;
}

int TestServer::writeWebSocket(lws* wsi, Session& session) {
    if (!session.out.empty() && session.path == "/echo-fragmented") {
        // Continuation frames of 4 KB: the client must join them into one message.
        auto& [buffer, binary] = session.out.front();
        const std::size_t size = buffer.size() - LWS_PRE;
        const std::size_t chunk = std::min<std::size_t>(size - session.outSent, 4096);
        const bool last = session.outSent + chunk == size;
        int flags = session.outSent == 0 ? (binary ? LWS_WRITE_BINARY : LWS_WRITE_TEXT)
                                         : LWS_WRITE_CONTINUATION;
        if (!last) {
            flags |= LWS_WRITE_NO_FIN;
        }
        auto* data = reinterpret_cast<unsigned char*>(buffer.data()) + LWS_PRE + session.outSent;
        if (lws_write(wsi, data, chunk, static_cast<lws_write_protocol>(flags)) < 0) {
            return -1;
        }
        session.outSent += chunk;
        if (last) {
            session.out.pop_front();
            session.outSent = 0;
        }
        if (!session.out.empty()) {
            lws_callback_on_writable(wsi);
        }
        return 0;
    }
    if (!session.out.empty()) {
        auto& [buffer, binary] = session.out.front();
        // One frame for the whole message, whatever its size: the client must reassemble a
        // frame delivered in pieces. lws buffers what the socket does not take at once.
        const std::size_t size = buffer.size() - LWS_PRE;
        auto* data = reinterpret_cast<unsigned char*>(buffer.data()) + LWS_PRE;
        if (lws_write(wsi, data, size, binary ? LWS_WRITE_BINARY : LWS_WRITE_TEXT) < 0) {
            return -1;
        }
        session.out.pop_front();
        if (!session.out.empty() || session.closeCode != 0) {
            lws_callback_on_writable(wsi);
        }
        return 0;
    }
    if (session.closeCode != 0) {
        lws_close_reason(wsi, static_cast<lws_close_status>(session.closeCode),
                         reinterpret_cast<unsigned char*>(const_cast<char*>("bye")), 3);
        return -1;
    }
    return 0;
}

int TestServer::handleLws(lws* wsi, int reasonValue, void* in, std::size_t len) {
    const auto reason = static_cast<lws_callback_reasons>(reasonValue);
    auto& sessions = *sessions_;
    switch (reason) {
    case LWS_CALLBACK_HTTP: {
        Session& session = sessions[wsi];
        session = Session{};
        session.path = in != nullptr ? static_cast<const char*>(in) : "";
        session.method = lws_hdr_total_length(wsi, WSI_TOKEN_POST_URI) > 0 ? "POST" : "GET";
        session.xTest = copyCustomHeader(wsi, "x-test:");
        session.authorization = copyHeader(wsi, WSI_TOKEN_HTTP_AUTHORIZATION);
        session.contentLength = copyHeader(wsi, WSI_TOKEN_HTTP_CONTENT_LENGTH);
        if (session.method == "POST" && std::atoi(session.contentLength.c_str()) > 0) {
            return 0; // answer at HTTP_BODY_COMPLETION
        }
        [[fallthrough]];
    }
    case LWS_CALLBACK_HTTP_BODY_COMPLETION: {
        Session& session = sessions[wsi];
        if (session.answered) {
            return 0; // lws also reports the end of an empty POST body
        }
        session.answered = true;
        const std::string_view path = session.path;
        if (path == "/http/echo") {
            return respond(wsi, session, 200,
                           "method=" + session.method + ";x-test=" + session.xTest +
                               ";authorization=" + session.authorization + ";content-length=" +
                               session.contentLength + ";body=" + session.requestBody);
        }
        if (path == "/http/fixed") {
            return respond(wsi, session, 200, R"({"fixed":true})");
        }
        if (startsWith(path, "/http/status/")) {
            const int status = numberAfter(path, "/http/status/");
            return respond(wsi, session, status, "status " + std::to_string(status));
        }
        if (startsWith(path, "/http/large/")) {
            const int size = numberAfter(path, "/http/large/");
            std::string body(static_cast<std::size_t>(size), 'a');
            for (std::size_t i = 0; i < body.size(); ++i) {
                body[i] = static_cast<char>('a' + i % 26);
            }
            return respond(wsi, session, 200, std::move(body));
        }
        if (path == "/http/slow") {
            return 0; // never answers
        }
        return respond(wsi, session, 404, "not found");
    }
    case LWS_CALLBACK_HTTP_BODY:
        sessions[wsi].requestBody.append(static_cast<const char*>(in), len);
        return 0;
    case LWS_CALLBACK_HTTP_WRITEABLE: return writeHttp(wsi, sessions[wsi]);

    case LWS_CALLBACK_HTTP_CONFIRM_UPGRADE: {
        Session& session = sessions[wsi];
        session = Session{};
        session.path = copyHeader(wsi, WSI_TOKEN_GET_URI);
        session.xTest = copyCustomHeader(wsi, "x-test:");
        session.authorization = copyHeader(wsi, WSI_TOKEN_HTTP_AUTHORIZATION);
        if (startsWith(session.path, "/status/")) {
            const int status = numberAfter(session.path, "/status/");
            lws_return_http_status(wsi, static_cast<unsigned int>(status), nullptr);
            return 1; // answered: no upgrade
        }
        return 0;
    }
    case LWS_CALLBACK_ESTABLISHED: {
        openWebSockets_.fetch_add(1);
        Session& session = sessions[wsi];
        const std::string_view path = session.path;
        if (startsWith(path, "/close/")) {
            session.closeCode = numberAfter(path, "/close/");
            lws_callback_on_writable(wsi);
        } else if (path == "/headers") {
            session.out.emplace_back(
                withHeadroom("x-test=" + session.xTest + ";authorization=" + session.authorization),
                false);
            lws_callback_on_writable(wsi);
        } else if (path == "/drop") {
            ::shutdown(lws_get_socket_fd(wsi), SHUT_RDWR);
        }
        return 0;
    }
    case LWS_CALLBACK_RECEIVE: {
        Session& session = sessions[wsi];
        if (!session.receiving) {
            session.receiving = true;
            session.rx.clear();
            session.rxBinary = lws_frame_is_binary(wsi) != 0;
        }
        session.rx.append(static_cast<const char*>(in), len);
        if (lws_is_final_fragment(wsi) && lws_remaining_packet_payload(wsi) == 0) {
            session.receiving = false;
            messagesReceived_.fetch_add(1);
            if (session.path == "/echo-type") {
                session.out.emplace_back(
                    withHeadroom((session.rxBinary ? "binary:" : "text:") + session.rx), false);
            } else {
                session.out.emplace_back(withHeadroom(session.rx), session.rxBinary);
            }
            lws_callback_on_writable(wsi);
        }
        return 0;
    }
    case LWS_CALLBACK_SERVER_WRITEABLE: return writeWebSocket(wsi, sessions[wsi]);
    case LWS_CALLBACK_WS_PEER_INITIATED_CLOSE:
        if (len >= 2 && in != nullptr) {
            const auto* bytes = static_cast<const unsigned char*>(in);
            lastClientCloseCode_.store((bytes[0] << 8) | bytes[1]);
        }
        return 0;
    case LWS_CALLBACK_CLOSED: openWebSockets_.fetch_sub(1); return 0;
    case LWS_CALLBACK_WSI_DESTROY: sessions.erase(wsi); return 0;
    default: return 0;
    }
}

// ---- helpers ----------------------------------------------------------------------------------

SelfSignedCertificate::SelfSignedCertificate() {
    char pattern[] = "/tmp/signalr-tls-XXXXXX";
    if (::mkdtemp(pattern) == nullptr) {
        std::abort();
    }
    directory_ = pattern;
    certificateFile_ = directory_ + "/cert.pem";
    privateKeyFile_ = directory_ + "/key.pem";

    EVP_PKEY* key = EVP_EC_gen("P-256");
    X509* cert = X509_new();
    X509_set_version(cert, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(cert), 1);
    X509_gmtime_adj(X509_getm_notBefore(cert), -3600);
    X509_gmtime_adj(X509_getm_notAfter(cert), 3600L * 24);
    X509_set_pubkey(cert, key);
    X509_NAME* name = X509_get_subject_name(cert);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                               reinterpret_cast<const unsigned char*>("127.0.0.1"), -1, -1, 0);
    X509_set_issuer_name(cert, name);
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, cert, cert, nullptr, nullptr, 0);
    for (auto [nid, value] : {std::pair{NID_subject_alt_name, "IP:127.0.0.1"},
                              std::pair{NID_basic_constraints, "critical,CA:TRUE"}}) {
        X509_EXTENSION* extension = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
        X509_add_ext(cert, extension, -1);
        X509_EXTENSION_free(extension);
    }
    X509_sign(cert, key, EVP_sha256());

    FILE* certOut = std::fopen(certificateFile_.c_str(), "w");
    PEM_write_X509(certOut, cert);
    std::fclose(certOut);
    FILE* keyOut = std::fopen(privateKeyFile_.c_str(), "w");
    PEM_write_PrivateKey(keyOut, key, nullptr, nullptr, 0, nullptr, nullptr);
    std::fclose(keyOut);
    X509_free(cert);
    EVP_PKEY_free(key);
}

SelfSignedCertificate::~SelfSignedCertificate() {
    std::error_code ignored;
    std::filesystem::remove_all(directory_, ignored);
}

namespace {

int boundSocket(int* port) {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = 0;
    if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
        std::abort();
    }
    socklen_t length = sizeof address;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
    *port = ntohs(address.sin_port);
    return fd;
}

} // namespace

int refusedPort() {
    // Bound but not listening: the kernel refuses connections to it while we hold it... and
    // after we close it, nothing else on this machine picks a just-released ephemeral port soon.
    int port = 0;
    const int fd = boundSocket(&port);
    ::close(fd);
    return port;
}

SilentListener::SilentListener() {
    fd_ = boundSocket(&port_);
    ::listen(fd_, 1024);
}

SilentListener::~SilentListener() {
    ::close(fd_);
}

int processThreadCount() {
    std::ifstream status("/proc/self/status");
    std::string line;
    while (std::getline(status, line)) {
        if (startsWith(line, "Threads:")) {
            return std::atoi(line.c_str() + 8);
        }
    }
    return -1;
}

} // namespace signalr::test
