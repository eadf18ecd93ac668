#include "integration_fixture.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <dirent.h>

#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <sstream>

namespace signalr::integration {

namespace {

struct SharedHubState {
    std::mutex mutex;
    std::unique_ptr<test::HubProcess> hub;
    std::string error;
    bool tried = false;
};

SharedHubState& sharedHubState() {
    static SharedHubState state;
    return state;
}

/// Stops the shared hub after the last test, before static destructors run.
class SharedHubEnvironment : public ::testing::Environment {
public:
    void TearDown() override {
        auto& state = sharedHubState();
        std::lock_guard lock(state.mutex);
        if (state.hub) {
            state.hub->stop();
            state.hub.reset();
        }
    }
};

[[maybe_unused]] ::testing::Environment* const kSharedHubEnvironment =
    ::testing::AddGlobalTestEnvironment(new SharedHubEnvironment);

std::string readFile(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

sockaddr_in loopback(int port) {
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = htons(static_cast<std::uint16_t>(port));
    return address;
}

bool waitReadable(int fd, Clock::time_point deadline) {
    for (;;) {
        const auto left =
            std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
        if (left.count() <= 0) {
            return false;
        }
        pollfd p{fd, POLLIN, 0};
        const int ready = ::poll(&p, 1, static_cast<int>(left.count()));
        if (ready > 0) {
            return true;
        }
        if (ready < 0 && errno != EINTR) {
            return false;
        }
    }
}

/// SIGNALR_TEST_LOG=trace|debug|information shows more of the client's log.
LogLevel testLogLevel() {
    const char* level = std::getenv("SIGNALR_TEST_LOG");
    const std::string name = level != nullptr ? level : "";
    if (name == "trace") {
        return LogLevel::Trace;
    }
    if (name == "debug") {
        return LogLevel::Debug;
    }
    if (name == "information") {
        return LogLevel::Information;
    }
    return LogLevel::Warning;
}

} // namespace

test::HubProcess* sharedHub() {
    auto& state = sharedHubState();
    std::lock_guard lock(state.mutex);
    if (!state.tried) {
        state.tried = true;
        state.hub = test::HubProcess::start(state.error);
    }
    if (!state.hub) {
        ADD_FAILURE() << "cannot start the test hub: " << state.error;
    }
    return state.hub.get();
}

std::string hubUrl(const std::string& path) {
    auto* hub = sharedHub();
    return hub != nullptr ? hub->baseUrl() + path : std::string();
}

Result<HubConnection> build(const std::string& url, const Configure& configure) {
    HubConnectionBuilder builder;
    builder.withUrl(url).configureLogging(testLogLevel());
    if (configure) {
        configure(builder);
    }
    return builder.build();
}

Result<void> start(HubConnection& connection, std::chrono::milliseconds timeout) {
    return signalr::wait([&](auto done) { connection.start(done); }, timeout);
}

Result<void> stop(HubConnection& connection, std::chrono::milliseconds timeout) {
    return signalr::wait([&](auto done) { connection.stop(done); }, timeout);
}

Result<HubConnection> connect(const std::string& url, const Configure& configure) {
    auto built = build(url, configure);
    if (!built) {
        return built;
    }
    auto started = start(built.value());
    if (!started) {
        return std::move(started).error();
    }
    return built;
}

std::shared_ptr<Mailbox<std::optional<Error>>> watchClosed(HubConnection& connection) {
    auto closed = mailbox<std::optional<Error>>();
    connection.onClosed([closed](const std::optional<Error>& error) { closed->push(error); });
    return closed;
}

std::string describe(const Error& error) {
    std::string text = error.toString();
    if (!error.serverMessage.empty()) {
        text += " (server: " + error.serverMessage + ")";
    }
    return text;
}

long long elapsedMs(Clock::time_point since) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - since).count();
}

int processThreadCount() {
    std::istringstream status(readFile("/proc/self/status"));
    std::string line;
    while (std::getline(status, line)) {
        if (line.rfind("Threads:", 0) == 0) {
            return std::stoi(line.substr(8));
        }
    }
    return -1;
}

int openFileDescriptors() {
    DIR* fds = ::opendir("/proc/self/fd");
    if (fds == nullptr) {
        return -1;
    }
    int count = 0;
    while (const dirent* entry = ::readdir(fds)) {
        count += entry->d_name[0] != '.' ? 1 : 0;
    }
    ::closedir(fds);
    return count - 1; // the directory stream's own descriptor
}

int unusedLoopbackPort() {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    auto address = loopback(0);
    socklen_t length = sizeof address;
    int port = 0;
    if (::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0 &&
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) == 0) {
        port = ntohs(address.sin_port);
    }
    ::close(fd);
    return port;
}

int hubPid(int port) {
    // The hub is forked from a helper thread, so it is listed as a child of that thread.
    const std::string needle = "127.0.0.1:" + std::to_string(port);
    DIR* tasks = ::opendir("/proc/self/task");
    if (tasks == nullptr) {
        return -1;
    }
    int found = -1;
    while (const dirent* entry = ::readdir(tasks)) {
        if (entry->d_name[0] == '.') {
            continue;
        }
        std::istringstream children(
            readFile(std::string("/proc/self/task/") + entry->d_name + "/children"));
        int pid = 0;
        while (found < 0 && children >> pid) {
            auto cmdline = readFile("/proc/" + std::to_string(pid) + "/cmdline");
            if (cmdline.find("TestHub.dll") != std::string::npos &&
                cmdline.find(needle) != std::string::npos) {
                found = pid;
            }
        }
    }
    ::closedir(tasks);
    return found;
}

SilentServer::SilentServer() {
    listener_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    auto address = loopback(0);
    socklen_t length = sizeof address;
    if (listener_ >= 0 &&
        ::bind(listener_, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0 &&
        ::listen(listener_, 16) == 0 &&
        ::getsockname(listener_, reinterpret_cast<sockaddr*>(&address), &length) == 0) {
        port_ = ntohs(address.sin_port);
    }
}

SilentServer::~SilentServer() {
    for (int fd : accepted_) {
        ::close(fd);
    }
    if (listener_ >= 0) {
        ::close(listener_);
    }
}

bool SilentServer::waitForRequest(std::chrono::milliseconds timeout) {
    const auto deadline = Clock::now() + timeout;
    if (port_ == 0 || !waitReadable(listener_, deadline)) {
        return false;
    }
    const int client = ::accept4(listener_, nullptr, nullptr, SOCK_CLOEXEC);
    if (client < 0) {
        return false;
    }
    accepted_.push_back(client);
    return waitReadable(client, deadline);
}

} // namespace signalr::integration
