// Integration test of the HubProcess helper against the real ASP.NET Core test hub.
#include "support/hub_process.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <string>
#include <thread>

#include <gtest/gtest.h>

namespace {

using signalr::test::HubProcess;

struct HttpResponse {
    int status = 0; // 0 = no answer
    std::string body;
    std::string error;
};

// Minimal blocking HTTP/1.1 client for 127.0.0.1 (Connection: close, bounded by a 5 s deadline).
HttpResponse httpRequest(int port, const std::string& method, const std::string& target) {
    HttpResponse response;
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        response.error = "socket failed";
        return response;
    }
    timeval tv{5, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(static_cast<uint16_t>(port));
    if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
        response.error = "connect failed";
        ::close(fd);
        return response;
    }
    const std::string request = method + " " + target +
                                " HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(port) +
                                "\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
    if (::send(fd, request.data(), request.size(), MSG_NOSIGNAL) !=
        static_cast<ssize_t>(request.size())) {
        response.error = "send failed";
        ::close(fd);
        return response;
    }
    std::string raw;
    char buf[4096];
    for (;;) {
        const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
        if (n <= 0)
            break;
        raw.append(buf, static_cast<std::size_t>(n));
    }
    ::close(fd);
    if (raw.rfind("HTTP/1.1 ", 0) != 0 || raw.size() < 12) {
        response.error = "no HTTP response: " + raw;
        return response;
    }
    response.status = std::stoi(raw.substr(9, 3));
    const auto headerEnd = raw.find("\r\n\r\n");
    if (headerEnd != std::string::npos)
        response.body = raw.substr(headerEnd + 4);
    return response;
}

bool portAcceptsConnections(int port) {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(static_cast<uint16_t>(port));
    const bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
    ::close(fd);
    return ok;
}

void expectNegotiateOk(const HubProcess& hub) {
    const auto response = httpRequest(hub.port(), "POST", "/hub/negotiate?negotiateVersion=1");
    EXPECT_EQ(response.status, 200) << response.error << "\n--- hub output ---\n" << hub.output();
    EXPECT_NE(response.body.find("\"connectionToken\""), std::string::npos) << response.body;
    EXPECT_NE(response.body.find("\"negotiateVersion\":1"), std::string::npos) << response.body;
}

TEST(HubProcess, StartNegotiateKillRestartSamePort) {
    std::string error;
    auto hub = HubProcess::start(error);
    ASSERT_TRUE(hub) << error;
    ASSERT_TRUE(hub->running());
    const int port = hub->port();
    EXPECT_GT(port, 0);
    EXPECT_EQ(hub->baseUrl(), "http://127.0.0.1:" + std::to_string(port));
    expectNegotiateOk(*hub);

    hub->kill();
    EXPECT_FALSE(hub->running());
    EXPECT_FALSE(portAcceptsConnections(port));
    hub->kill(); // idempotent

    ASSERT_TRUE(hub->restart(error)) << error;
    EXPECT_EQ(hub->port(), port);
    expectNegotiateOk(*hub);
    EXPECT_NE(hub->output().find("Now listening on: http://127.0.0.1:" + std::to_string(port)),
              std::string::npos)
        << hub->output();
}

TEST(HubProcess, GracefulStopAndRestartFromShortLivedThread) {
    std::string error;
    auto hub = HubProcess::start(error);
    ASSERT_TRUE(hub) << error;
    const int port = hub->port();

    const auto before = std::chrono::steady_clock::now();
    hub->stop();
    EXPECT_LT(std::chrono::steady_clock::now() - before, std::chrono::seconds(10))
        << "SIGTERM was not enough";
    EXPECT_FALSE(hub->running());
    EXPECT_FALSE(portAcceptsConnections(port));
    hub->stop(); // idempotent

    // The child must survive the end of the thread that (re)started it (PR_SET_PDEATHSIG is per
    // thread).
    bool restarted = false;
    std::thread([&] { restarted = hub->restart(error); }).join();
    ASSERT_TRUE(restarted) << error;
    EXPECT_EQ(hub->port(), port);
    expectNegotiateOk(*hub);
}

TEST(HubProcess, TwoHubsRunSideBySide) {
    std::string error;
    auto first = HubProcess::start(error);
    ASSERT_TRUE(first) << error;
    auto second = HubProcess::start(error);
    ASSERT_TRUE(second) << error;
    EXPECT_NE(first->port(), second->port());
    expectNegotiateOk(*first);
    expectNegotiateOk(*second);
}

TEST(HubProcess, ReportsFailureWithHubOutputWhenPortIsTaken) {
    std::string error;
    auto hub = HubProcess::start(error);
    ASSERT_TRUE(hub) << error;
    const auto before = std::chrono::steady_clock::now();
    // Long enough for a second dotnet process to start and fail on a 2-core machine that is busy
    // building: it once took over 8 s. A failing start returns as soon as the process exits.
    auto clash = HubProcess::start(error, hub->port(), std::chrono::seconds(30));
    EXPECT_FALSE(clash);
    EXPECT_LT(std::chrono::steady_clock::now() - before, std::chrono::seconds(45));
    EXPECT_NE(error.find("address already in use"), std::string::npos) << error;
    expectNegotiateOk(*hub); // the first hub is unaffected
}

} // namespace
