#include "support/fault_proxy.hpp"
#include "support/loopback.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <mutex>
#include <optional>
#include <thread>
#include <utility>
#include <vector>

namespace signalr::test {
namespace {

using Clock = std::chrono::steady_clock;

constexpr std::size_t kReadSize = 64 * 1024;
// Per direction: beyond this the proxy stops reading, so a slow or stalled reader pushes back on
// the writer through TCP instead of growing the proxy's memory.
constexpr std::size_t kMaxBuffered = 1024 * 1024;

// SO_LINGER 0 makes close() send an RST and drop unsent data: the peer sees a reset, never an
// orderly end (no FIN, so no WebSocket Close either).
void resetAndClose(int fd) {
    if (fd < 0) {
        return;
    }
    linger hard{};
    hard.l_onoff = 1;
    hard.l_linger = 0;
    ::setsockopt(fd, SOL_SOCKET, SO_LINGER, &hard, sizeof hard);
    ::close(fd);
}

bool wouldBlock(int error) {
    return error == EAGAIN || error == EWOULDBLOCK || error == EINTR;
}

struct Chunk {
    Clock::time_point release;
    std::string bytes;
};

// One direction of a forwarded connection.
struct Direction {
    std::deque<Chunk> held; // read, waiting for their release time (setDelay)
    std::string out;        // released, not yet fully written
    std::size_t written = 0;
    std::size_t buffered = 0; // held bytes + unwritten bytes of `out`
    Clock::time_point lastRelease{};
    bool sourceEnded = false; // the source sent FIN
    bool shutDown = false;    // the FIN was passed on

    bool hasOutput() const { return written < out.size(); }

    void push(std::string bytes, Clock::time_point now, std::chrono::milliseconds delay) {
        buffered += bytes.size();
        if (delay.count() == 0 && held.empty()) {
            out.append(bytes);
            return;
        }
        // Later chunks never overtake earlier ones, even if the delay was lowered in between.
        lastRelease = std::max(now + delay, lastRelease);
        held.push_back(Chunk{lastRelease, std::move(bytes)});
    }

    void release(Clock::time_point now) {
        while (!held.empty() && held.front().release <= now) {
            out.append(held.front().bytes);
            held.pop_front();
        }
    }
};

struct Link {
    int client = -1;
    int target = -1;
    bool connecting = true;
    bool stalled = false;
    bool dead = false;
    Direction up;   // client -> target
    Direction down; // target -> client
};

} // namespace

struct FaultProxy::Impl {
    int targetPort = 0;
    int listener = -1;
    int port = 0;
    int wake = -1;
    std::thread thread;

    // Shared with the test threads, under `mutex`.
    mutable std::mutex mutex;
    std::condition_variable changed;
    std::mutex commandMutex; // one command at a time, so each gets its own result
    bool stopping = false;
    std::uint64_t requested = 0;
    std::uint64_t applied = 0;
    bool cutRequest = false;
    bool stallRequest = false;
    bool resumeRequest = false;
    std::chrono::milliseconds delay{0};
    Clock::time_point refuseUntil{};
    std::size_t result = 0;
    Stats stats;

    // Owned by the proxy thread.
    std::vector<std::unique_ptr<Link>> links;
    Stats local;

    ~Impl() {
        if (wake >= 0) {
            ::close(wake);
        }
        if (listener >= 0) {
            ::close(listener);
        }
    }

    void wakeUp() const {
        const std::uint64_t one = 1;
        [[maybe_unused]] auto n = ::write(wake, &one, sizeof one);
    }

    template <class Set>
    std::size_t command(Set set) {
        std::lock_guard serial(commandMutex);
        std::unique_lock lock(mutex);
        set();
        const auto ticket = ++requested;
        wakeUp();
        changed.wait(lock, [&] { return applied >= ticket || stopping; });
        return result;
    }

    void abort(Link& link) {
        resetAndClose(link.client);
        resetAndClose(link.target);
        link.client = link.target = -1;
        link.dead = true;
    }

    void fail(Link& link) {
        abort(link);
        ++local.failed;
    }

    // Reads one chunk from `fd` into `direction`. False if the link was aborted.
    bool readInto(Link& link, int fd, Direction& direction, Clock::time_point now,
                  std::chrono::milliseconds delayNow) {
        std::string bytes(kReadSize, '\0');
        const auto n = ::recv(fd, bytes.data(), bytes.size(), 0);
        if (n > 0) {
            bytes.resize(static_cast<std::size_t>(n));
            direction.push(std::move(bytes), now, delayNow);
        } else if (n == 0) {
            direction.sourceEnded = true;
        } else if (!wouldBlock(errno)) {
            fail(link); // a reset on one side is passed on as a reset to the other
            return false;
        }
        return true;
    }

    bool writeFrom(Link& link, int fd, Direction& direction, std::uint64_t& counter) {
        const auto n = ::send(fd, direction.out.data() + direction.written,
                              direction.out.size() - direction.written, MSG_NOSIGNAL);
        if (n < 0) {
            if (!wouldBlock(errno)) {
                fail(link);
                return false;
            }
            return true;
        }
        direction.written += static_cast<std::size_t>(n);
        direction.buffered -= static_cast<std::size_t>(n);
        counter += static_cast<std::uint64_t>(n);
        if (direction.written == direction.out.size()) {
            direction.out.clear();
            direction.written = 0;
        }
        return true;
    }

    void acceptAll(Clock::time_point now, Clock::time_point refusing) {
        for (;;) {
            const int client = ::accept4(listener, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
            if (client < 0) {
                return; // EAGAIN, or a connection that died in the backlog
            }
            if (now < refusing) {
                resetAndClose(client);
                ++local.refused;
                continue;
            }
            ++local.accepted;
            auto link = std::make_unique<Link>();
            link->client = client;
            link->target = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
            const auto address = loopback(targetPort);
            const int rc = link->target < 0 ? -1
                                            : ::connect(link->target,
                                                        reinterpret_cast<const sockaddr*>(&address),
                                                        sizeof address);
            if (rc == 0) {
                link->connecting = false;
            } else if (errno != EINPROGRESS) {
                fail(*link); // target down: the client sees a reset, as if nobody listened
                continue;
            }
            links.push_back(std::move(link));
        }
    }

    void finishConnect(Link& link) {
        int error = 0;
        socklen_t length = sizeof error;
        if (::getsockopt(link.target, SOL_SOCKET, SO_ERROR, &error, &length) != 0 || error != 0) {
            fail(link);
            return;
        }
        link.connecting = false;
    }

    // Passes a FIN on once everything before it was written; closes the link when both
    // directions have ended.
    void passOnEnds(Link& link) {
        if (link.dead) {
            return;
        }
        if (link.up.sourceEnded && link.up.buffered == 0 && !link.up.shutDown) {
            ::shutdown(link.target, SHUT_WR);
            link.up.shutDown = true;
        }
        if (link.down.sourceEnded && link.down.buffered == 0 && !link.down.shutDown) {
            ::shutdown(link.client, SHUT_WR);
            link.down.shutDown = true;
        }
        if (link.up.shutDown && link.down.shutDown) {
            ::close(link.client);
            ::close(link.target);
            link.client = link.target = -1;
            link.dead = true;
        }
    }

    void publish(std::unique_lock<std::mutex>& lock) {
        local.open = links.size();
        stats = local;
        lock.unlock();
        changed.notify_all();
    }

    void run() {
        std::vector<pollfd> fds;
        for (;;) {
            const auto now = Clock::now();
            std::chrono::milliseconds delayNow;
            Clock::time_point refusing;
            {
                std::unique_lock lock(mutex);
                if (stopping) {
                    break;
                }
                delayNow = delay;
                refusing = refuseUntil;
                if (applied < requested) {
                    result = 0;
                    if (cutRequest) {
                        for (auto& link : links) {
                            abort(*link);
                            ++local.cut;
                            ++result;
                        }
                        links.clear();
                    }
                    if (stallRequest) {
                        for (auto& link : links) {
                            result += link->stalled ? 0 : 1;
                            link->stalled = true;
                        }
                    }
                    if (resumeRequest) {
                        for (auto& link : links) {
                            link->stalled = false;
                        }
                    }
                    cutRequest = stallRequest = resumeRequest = false;
                    applied = requested;
                }
                publish(lock);
            }

            // What each socket waits for, and the next release time of a held chunk.
            std::optional<Clock::time_point> nextRelease;
            fds.clear();
            fds.push_back(pollfd{wake, POLLIN, 0});
            fds.push_back(pollfd{listener, POLLIN, 0});
            for (auto& link : links) {
                Link& l = *link;
                short client = 0;
                short target = 0;
                if (l.connecting) {
                    target = POLLOUT;
                } else if (!l.stalled) {
                    l.up.release(now);
                    l.down.release(now);
                    for (auto* d : {&l.up, &l.down}) {
                        if (!d->held.empty() &&
                            (!nextRelease || d->held.front().release < *nextRelease)) {
                            nextRelease = d->held.front().release;
                        }
                    }
                    if (!l.up.sourceEnded && l.up.buffered < kMaxBuffered) {
                        client |= POLLIN;
                    }
                    if (!l.down.sourceEnded && l.down.buffered < kMaxBuffered) {
                        target |= POLLIN;
                    }
                    if (l.down.hasOutput()) {
                        client |= POLLOUT;
                    }
                    if (l.up.hasOutput()) {
                        target |= POLLOUT;
                    }
                }
                // A socket that has ended both ways is left out: poll() would report its
                // hang-up on every round while the other direction still drains.
                const bool clientDone = l.up.sourceEnded && l.down.shutDown;
                const bool targetDone = l.down.sourceEnded && l.up.shutDown;
                fds.push_back(pollfd{clientDone ? -1 : l.client, client, 0});
                fds.push_back(pollfd{targetDone ? -1 : l.target, target, 0});
            }
            int timeout = -1;
            if (nextRelease) {
                const auto wait = std::chrono::ceil<std::chrono::milliseconds>(*nextRelease - now);
                timeout = static_cast<int>(std::max<std::int64_t>(0, wait.count()));
            }
            if (::poll(fds.data(), fds.size(), timeout) < 0 && errno != EINTR) {
                break;
            }

            const auto after = Clock::now();
            if (fds[0].revents != 0) {
                std::uint64_t drained = 0;
                [[maybe_unused]] auto n = ::read(wake, &drained, sizeof drained);
            }
            // Links accepted below have no pollfd yet: only the first `polled` are checked.
            const auto polled = links.size();
            if (fds[1].revents != 0) {
                acceptAll(after, refusing);
            }
            for (std::size_t i = 0; i < polled; ++i) {
                Link& l = *links[i];
                const auto& client = fds[2 + 2 * i];
                const auto& target = fds[3 + 2 * i];
                if (l.connecting) {
                    if (target.revents != 0) {
                        finishConnect(l);
                    }
                    if (!l.dead && (client.revents & (POLLERR | POLLHUP)) != 0) {
                        fail(l);
                    }
                    continue;
                }
                // Errors and hang-ups are reported even on sockets nobody reads (stalled links,
                // full buffers): unless a read consumes them, they end the link, or poll() would
                // report them again at once.
                const short ended = POLLERR | POLLHUP;
                const bool clientReadable =
                    (client.events & POLLIN) != 0 && (client.revents & (POLLIN | ended)) != 0;
                const bool targetReadable =
                    (target.events & POLLIN) != 0 && (target.revents & (POLLIN | ended)) != 0;
                if (clientReadable && !readInto(l, l.client, l.up, after, delayNow)) {
                    continue;
                }
                if (targetReadable && !readInto(l, l.target, l.down, after, delayNow)) {
                    continue;
                }
                if ((!clientReadable && (client.revents & ended) != 0) ||
                    (!targetReadable && (target.revents & ended) != 0)) {
                    fail(l);
                    continue;
                }
                if (!l.stalled) {
                    l.up.release(after);
                    l.down.release(after);
                }
                if (!l.stalled && l.down.hasOutput() &&
                    !writeFrom(l, l.client, l.down, local.bytesDown)) {
                    continue;
                }
                if (!l.stalled && l.up.hasOutput() &&
                    !writeFrom(l, l.target, l.up, local.bytesUp)) {
                    continue;
                }
                passOnEnds(l);
            }
            std::erase_if(links, [](const auto& link) { return link->dead; });
        }
        for (auto& link : links) {
            abort(*link);
        }
        links.clear();
        std::unique_lock lock(mutex);
        stopping = true;
        publish(lock);
    }
};

FaultProxy::FaultProxy(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

std::unique_ptr<FaultProxy> FaultProxy::start(int targetPort, std::string& error) {
    auto impl = std::make_unique<Impl>();
    impl->targetPort = targetPort;
    impl->listener = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    auto address = loopback(0);
    socklen_t length = sizeof address;
    if (impl->listener < 0 ||
        ::bind(impl->listener, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
        ::listen(impl->listener, SOMAXCONN) != 0 ||
        ::getsockname(impl->listener, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
        error = std::string("FaultProxy: cannot listen on 127.0.0.1: ") + std::strerror(errno);
        return nullptr;
    }
    impl->port = ntohs(address.sin_port);
    impl->wake = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (impl->wake < 0) {
        error = std::string("FaultProxy: eventfd: ") + std::strerror(errno);
        return nullptr;
    }
    Impl* raw = impl.get();
    impl->thread = std::thread([raw] { raw->run(); });
    return std::unique_ptr<FaultProxy>(new FaultProxy(std::move(impl)));
}

FaultProxy::~FaultProxy() {
    {
        std::lock_guard lock(impl_->mutex);
        impl_->stopping = true;
    }
    impl_->wakeUp();
    impl_->thread.join();
}

int FaultProxy::port() const {
    return impl_->port;
}

std::string FaultProxy::baseUrl() const {
    return "http://127.0.0.1:" + std::to_string(impl_->port);
}

std::size_t FaultProxy::cutAll() {
    return impl_->command([this] { impl_->cutRequest = true; });
}

std::size_t FaultProxy::stall() {
    return impl_->command([this] { impl_->stallRequest = true; });
}

void FaultProxy::resume() {
    impl_->command([this] { impl_->resumeRequest = true; });
}

void FaultProxy::setDelay(std::chrono::milliseconds delay) {
    impl_->command([this, delay] { impl_->delay = delay; });
}

void FaultProxy::refuseNewConnections(std::chrono::milliseconds duration) {
    impl_->command([this, duration] { impl_->refuseUntil = Clock::now() + duration; });
}

void FaultProxy::acceptNewConnections() {
    impl_->command([this] { impl_->refuseUntil = Clock::time_point{}; });
}

FaultProxy::Stats FaultProxy::stats() const {
    std::lock_guard lock(impl_->mutex);
    return impl_->stats;
}

bool FaultProxy::waitFor(const std::function<bool(const Stats&)>& predicate,
                         std::chrono::milliseconds timeout) {
    std::unique_lock lock(impl_->mutex);
    return impl_->changed.wait_for(lock, timeout, [&] { return predicate(impl_->stats); });
}

bool FaultProxy::waitForAccepted(std::uint64_t count, std::chrono::milliseconds timeout) {
    return waitFor([count](const Stats& s) { return s.accepted >= count; }, timeout);
}

bool FaultProxy::waitForOpen(std::uint64_t count, std::chrono::milliseconds timeout) {
    return waitFor([count](const Stats& s) { return s.open == count; }, timeout);
}

} // namespace signalr::test
