// FaultProxy between blocking test clients and a tiny echo server: forwarding, counting, and each
// fault (cut, stall, delay, refuse) as seen from both ends.
#include "support/fault_proxy.hpp"
#include "support/loopback.hpp"

#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace signalr::test {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

constexpr auto kTimeout = 5s;

// How a connection ended, seen from one end.
enum class End { Open, Eof, Reset };

// Echoes every byte back on each accepted connection (one thread per connection) and records how
// each connection ended.
class EchoServer {
public:
    EchoServer() {
        listener_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        auto address = loopback(0);
        socklen_t length = sizeof address;
        if (::bind(listener_, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0 &&
            ::listen(listener_, 64) == 0 &&
            ::getsockname(listener_, reinterpret_cast<sockaddr*>(&address), &length) == 0) {
            port_ = ntohs(address.sin_port);
        }
        acceptor_ = std::thread([this] { acceptLoop(); });
    }

    ~EchoServer() {
        // shutdown() wakes the threads blocked in accept() and recv().
        ::shutdown(listener_, SHUT_RDWR);
        acceptor_.join();
        {
            std::lock_guard lock(mutex_);
            for (int fd : connections_) {
                ::shutdown(fd, SHUT_RDWR);
            }
        }
        for (auto& worker : workers_) {
            worker.join();
        }
        for (int fd : connections_) {
            ::close(fd);
        }
        ::close(listener_);
    }

    int port() const { return port_; }

    std::uint64_t received() const {
        std::lock_guard lock(mutex_);
        return received_;
    }

    // Waits until `count` connections have ended and returns how each ended, in end order.
    std::vector<End> waitEnds(std::size_t count) {
        std::unique_lock lock(mutex_);
        changed_.wait_for(lock, kTimeout, [&] { return ends_.size() >= count; });
        return ends_;
    }

private:
    void acceptLoop() {
        for (;;) {
            const int fd = ::accept4(listener_, nullptr, nullptr, SOCK_CLOEXEC);
            if (fd < 0) {
                return;
            }
            std::lock_guard lock(mutex_);
            connections_.push_back(fd);
            workers_.emplace_back([this, fd] { echo(fd); });
        }
    }

    void echo(int fd) {
        char buffer[16384];
        End end = End::Eof;
        for (;;) {
            const auto n = ::recv(fd, buffer, sizeof buffer, 0);
            if (n <= 0) {
                end = n < 0 && errno == ECONNRESET ? End::Reset : End::Eof;
                break;
            }
            {
                std::lock_guard lock(mutex_);
                received_ += static_cast<std::uint64_t>(n);
            }
            if (::send(fd, buffer, static_cast<std::size_t>(n), MSG_NOSIGNAL) != n) {
                end = End::Reset;
                break;
            }
        }
        // Answer the client's FIN with ours, as a server closing after the request would.
        ::shutdown(fd, SHUT_WR);
        std::lock_guard lock(mutex_);
        ends_.push_back(end);
        changed_.notify_all();
    }

    int listener_ = -1;
    int port_ = 0;
    std::thread acceptor_;
    mutable std::mutex mutex_;
    std::condition_variable changed_;
    std::vector<int> connections_;
    std::vector<std::thread> workers_;
    std::vector<End> ends_;
    std::uint64_t received_ = 0;
};

// A blocking client socket with bounded reads.
class Client {
public:
    explicit Client(int port) {
        fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        const auto address = loopback(port);
        connected_ =
            ::connect(fd_, reinterpret_cast<const sockaddr*>(&address), sizeof address) == 0;
    }
    ~Client() { ::close(fd_); }
    Client(const Client&) = delete;
    Client& operator=(const Client&) = delete;

    bool connected() const { return connected_; }
    int fd() const { return fd_; }

    bool send(const std::string& bytes) {
        std::size_t done = 0;
        while (done < bytes.size()) {
            const auto n = ::send(fd_, bytes.data() + done, bytes.size() - done, MSG_NOSIGNAL);
            if (n <= 0) {
                return false;
            }
            done += static_cast<std::size_t>(n);
        }
        return true;
    }

    // Up to `count` bytes, waiting at most `timeout` in total; fewer if the time ran out or the
    // connection ended (see end()).
    std::string receive(std::size_t count, std::chrono::milliseconds timeout = kTimeout) {
        const auto deadline = Clock::now() + timeout;
        std::string out;
        while (out.size() < count && end_ == End::Open) {
            const auto left =
                std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
            pollfd p{fd_, POLLIN, 0};
            if (left.count() <= 0 || ::poll(&p, 1, static_cast<int>(left.count())) <= 0) {
                break;
            }
            char buffer[65536];
            const auto want = std::min(sizeof buffer, count - out.size());
            const auto n = ::recv(fd_, buffer, want, 0);
            if (n > 0) {
                out.append(buffer, static_cast<std::size_t>(n));
            } else {
                end_ = n < 0 && errno == ECONNRESET ? End::Reset : End::Eof;
            }
        }
        return out;
    }

    // Waits (bounded) for the connection to end; Open if it did not.
    End waitEnd(std::chrono::milliseconds timeout = kTimeout) {
        const auto extra = receive(1, timeout);
        EXPECT_EQ(extra, "");
        return end_;
    }

private:
    int fd_ = -1;
    bool connected_ = false;
    End end_ = End::Open;
};

class FaultProxyTest : public ::testing::Test {
protected:
    void SetUp() override {
        ASSERT_NE(echo_.port(), 0);
        std::string error;
        proxy_ = FaultProxy::start(echo_.port(), error);
        ASSERT_TRUE(proxy_) << error;
    }

    // Sends `text` through `client` and expects it back.
    static void roundTrip(Client& client, const std::string& text) {
        ASSERT_TRUE(client.send(text));
        EXPECT_EQ(client.receive(text.size()), text);
    }

    EchoServer echo_;
    std::unique_ptr<FaultProxy> proxy_;
};

TEST_F(FaultProxyTest, ForwardsBothWaysAndCountsConnections) {
    EXPECT_NE(proxy_->port(), echo_.port());
    EXPECT_EQ(proxy_->baseUrl(), "http://127.0.0.1:" + std::to_string(proxy_->port()));
    {
        Client a(proxy_->port());
        Client b(proxy_->port());
        ASSERT_TRUE(a.connected() && b.connected());
        roundTrip(a, "hello a");
        roundTrip(b, "hello b");
        roundTrip(a, "again a");
        // The counters are published just after the bytes were written on.
        ASSERT_TRUE(proxy_->waitFor([](const auto& s) { return s.bytesDown == 21; }, kTimeout));
        const auto stats = proxy_->stats();
        EXPECT_EQ(stats.accepted, 2u);
        EXPECT_EQ(stats.open, 2u);
        EXPECT_EQ(stats.bytesUp, 21u);
    }
    // Both clients closed normally: the echo server sees an orderly end, never a reset.
    EXPECT_EQ(echo_.waitEnds(2), (std::vector<End>{End::Eof, End::Eof}));
    EXPECT_TRUE(proxy_->waitForOpen(0, kTimeout));
    EXPECT_EQ(proxy_->stats().cut + proxy_->stats().failed, 0u);
}

TEST_F(FaultProxyTest, CarriesALargeTransferIntact) {
    Client client(proxy_->port());
    ASSERT_TRUE(client.connected());
    std::string data(4 * 1024 * 1024, '\0');
    for (std::size_t i = 0; i < data.size(); ++i) {
        data[i] = static_cast<char>((i * 7919) >> 3);
    }
    // More than every buffer on the way holds: the sender must run while the client reads.
    std::thread sender([&] { EXPECT_TRUE(client.send(data)); });
    const auto back = client.receive(data.size(), 20s);
    sender.join();
    EXPECT_TRUE(back == data) << "got " << back.size() << " of " << data.size() << " bytes";
}

TEST_F(FaultProxyTest, HalfCloseIsPassedOnAsAnOrderlyEnd) {
    Client client(proxy_->port());
    ASSERT_TRUE(client.connected());
    ASSERT_TRUE(client.send("last words"));
    ::shutdown(client.fd(), SHUT_WR);
    EXPECT_EQ(client.receive(10), "last words");
    EXPECT_EQ(client.waitEnd(), End::Eof);
    EXPECT_EQ(echo_.waitEnds(1), std::vector<End>{End::Eof});
    EXPECT_TRUE(proxy_->waitForOpen(0, kTimeout));
}

TEST_F(FaultProxyTest, CutAllResetsBothSides) {
    Client a(proxy_->port());
    Client b(proxy_->port());
    roundTrip(a, "a");
    roundTrip(b, "b");
    EXPECT_EQ(proxy_->cutAll(), 2u);
    EXPECT_EQ(a.waitEnd(), End::Reset);
    EXPECT_EQ(b.waitEnd(), End::Reset);
    EXPECT_EQ(echo_.waitEnds(2), (std::vector<End>{End::Reset, End::Reset}));
    const auto stats = proxy_->stats();
    EXPECT_EQ(stats.cut, 2u);
    EXPECT_EQ(stats.open, 0u);

    // The proxy keeps accepting after a cut.
    Client c(proxy_->port());
    roundTrip(c, "still here");
    EXPECT_EQ(proxy_->cutAll(), 1u);
    EXPECT_EQ(proxy_->cutAll(), 0u);
}

TEST_F(FaultProxyTest, StallForwardsNothingUntilResumedAndKeepsSocketsOpen) {
    Client stalled(proxy_->port());
    roundTrip(stalled, "before");
    EXPECT_EQ(proxy_->stall(), 1u);
    const auto before = echo_.received();
    ASSERT_TRUE(stalled.send("during"));
    // Nothing may come back while stalled; waiting a bounded time is the only way to see that.
    EXPECT_EQ(stalled.receive(6, 300ms), "");
    EXPECT_EQ(echo_.received(), before);

    // A connection opened during the stall is forwarded normally.
    Client fresh(proxy_->port());
    roundTrip(fresh, "fresh");

    proxy_->resume();
    EXPECT_EQ(stalled.receive(6), "during");
    roundTrip(stalled, "after");
    const auto stats = proxy_->stats();
    EXPECT_EQ(stats.open, 2u);
    EXPECT_EQ(stats.cut + stats.failed, 0u);
}

TEST_F(FaultProxyTest, StalledConnectionResetByTheClientIsClosed) {
    {
        Client client(proxy_->port());
        roundTrip(client, "x");
        EXPECT_EQ(proxy_->stall(), 1u);
        linger hard{1, 0};
        ::setsockopt(client.fd(), SOL_SOCKET, SO_LINGER, &hard, sizeof hard);
    }
    EXPECT_TRUE(proxy_->waitForOpen(0, kTimeout));
    EXPECT_EQ(proxy_->stats().failed, 1u);
    EXPECT_EQ(echo_.waitEnds(1), std::vector<End>{End::Reset});
}

TEST_F(FaultProxyTest, DelayHoldsEveryChunkInBothDirections) {
    Client client(proxy_->port());
    roundTrip(client, "warm-up");
    proxy_->setDelay(250ms);
    const auto start = Clock::now();
    roundTrip(client, "slow");
    const auto slow = Clock::now() - start;
    EXPECT_GE(slow, 500ms); // held on the way up and again on the way down
    EXPECT_LT(slow, 3s);

    // Order is kept across many small chunks.
    std::string expected;
    for (int i = 0; i < 50; ++i) {
        const auto piece = std::to_string(i) + ",";
        ASSERT_TRUE(client.send(piece));
        expected += piece;
    }
    EXPECT_EQ(client.receive(expected.size()), expected);

    proxy_->setDelay(0ms);
    const auto fastStart = Clock::now();
    roundTrip(client, "fast");
    // Well under one hold: the delay is gone (a loaded machine still answers within that).
    EXPECT_LT(Clock::now() - fastStart, 250ms);
}

TEST_F(FaultProxyTest, RefusedConnectionsAreResetAndOpenOnesKeepWorking) {
    Client open(proxy_->port());
    roundTrip(open, "open");
    proxy_->refuseNewConnections(30s);
    Client refused(proxy_->port());
    EXPECT_EQ(refused.waitEnd(), End::Reset);
    roundTrip(open, "still open");
    auto stats = proxy_->stats();
    EXPECT_EQ(stats.refused, 1u);
    EXPECT_EQ(stats.accepted, 1u);

    proxy_->acceptNewConnections();
    Client later(proxy_->port());
    roundTrip(later, "accepted again");
    stats = proxy_->stats();
    EXPECT_EQ(stats.refused, 1u);
    EXPECT_EQ(stats.accepted, 2u);
}

TEST_F(FaultProxyTest, RefusalEndsByItself) {
    const auto start = Clock::now();
    // Long enough that the first connection below surely falls inside it on a loaded machine.
    proxy_->refuseNewConnections(1s);
    Client refused(proxy_->port());
    EXPECT_EQ(refused.waitEnd(), End::Reset);
    // Retry until the refusal period is over, as a reconnecting client would.
    for (;;) {
        Client client(proxy_->port());
        if (client.send("x") && client.receive(1) == "x") {
            break;
        }
        ASSERT_LT(Clock::now() - start, kTimeout);
    }
    EXPECT_GE(Clock::now() - start, 1s);
}

TEST(FaultProxyTargetDown, ClientIsResetWhenTheTargetDoesNotListen) {
    // A port that was free a moment ago: bind, read the port, release.
    const int probe = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    auto address = loopback(0);
    socklen_t length = sizeof address;
    ASSERT_EQ(::bind(probe, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
    ASSERT_EQ(::getsockname(probe, reinterpret_cast<sockaddr*>(&address), &length), 0);
    ::close(probe);

    std::string error;
    auto proxy = FaultProxy::start(ntohs(address.sin_port), error);
    ASSERT_TRUE(proxy) << error;
    Client client(proxy->port());
    ASSERT_TRUE(client.connected());
    EXPECT_EQ(client.waitEnd(), End::Reset);
    EXPECT_TRUE(proxy->waitForOpen(0, kTimeout));
    EXPECT_EQ(proxy->stats().failed, 1u);
}

} // namespace
} // namespace signalr::test
