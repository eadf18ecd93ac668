// cli_tests: runs the built signalr-cli and signalr-chat against the real ASP.NET Core hub.
// The hub starts once for the binary; ctest runs the binary as one test so it is not restarted
// for each case.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "hub_environment.hpp"
#include "support/hub_process.hpp"

namespace signalr::test {
namespace {

std::string baseUrl;

class HubEnvironment : public ::testing::Environment {
public:
    void SetUp() override {
        std::string error;
        hub_ = HubProcess::start(error);
        ASSERT_TRUE(hub_) << "cannot start the test hub: " << error;
        baseUrl = hub_->baseUrl();
    }
    void TearDown() override {
        if (hub_) {
            hub_->stop();
        }
    }

private:
    std::unique_ptr<HubProcess> hub_;
};

} // namespace

const std::string& hubBaseUrl() {
    return baseUrl;
}

int unusedLoopbackPort() {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = 0;
    socklen_t length = sizeof address;
    int port = 0;
    if (::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0 &&
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) == 0) {
        port = ntohs(address.sin_port);
    }
    ::close(fd);
    return port;
}

} // namespace signalr::test

int main(int argc, char** argv) {
    ::testing::InitGoogleTest(&argc, argv);
    ::testing::AddGlobalTestEnvironment(new signalr::test::HubEnvironment);
    return RUN_ALL_TESTS();
}
