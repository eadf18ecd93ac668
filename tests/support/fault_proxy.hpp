// A fault-injecting TCP proxy for tests: listens on a free 127.0.0.1 port and forwards every
// connection to 127.0.0.1:<target port> (the test hub), while the test cuts, stalls, delays or
// refuses connections on command. POSIX/Linux only, no dependency on the signalr library.
//
//   std::string error;
//   auto proxy = signalr::test::FaultProxy::start(hub->port(), error);
//   ASSERT_TRUE(proxy) << error;
//   auto url = proxy->baseUrl() + "/hub";   // the client talks to the proxy
//   proxy->cutAll();                         // RST both sides: no WebSocket close is seen
//   proxy->stall();                          // open connections go silent, sockets stay open
//   proxy->resume();
//   proxy->setDelay(50ms);                   // every chunk held 50 ms, both directions
//   proxy->refuseNewConnections(2s);         // new connections are reset at once for 2 s
//
// One thread of its own runs a poll() loop over every socket. Every command is synchronous: when
// it returns, the proxy thread has applied it (after cutAll() the sockets are reset; after
// stall() not one more byte is forwarded on the stalled connections). Commands may be called
// from any thread, including from callbacks of the code under test.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

namespace signalr::test {

class FaultProxy {
public:
    /// Counters since start(). Read them with stats(); every field is consistent with the others.
    struct Stats {
        std::uint64_t accepted = 0;  ///< connections accepted and forwarded (refused ones excluded)
        std::uint64_t refused = 0;   ///< connections reset at once by refuseNewConnections()
        std::uint64_t cut = 0;       ///< connections reset by cutAll()
        std::uint64_t failed = 0;    ///< forwarded connections ended by a reset or socket error
        std::uint64_t open = 0;      ///< connections open now
        std::uint64_t bytesUp = 0;   ///< client -> target bytes written to the target
        std::uint64_t bytesDown = 0; ///< target -> client bytes written to the client
    };

    /// Listens on 127.0.0.1 (a free port) and forwards to 127.0.0.1:targetPort. nullptr, with the
    /// reason in `error`, if the listener or the thread cannot be set up.
    static std::unique_ptr<FaultProxy> start(int targetPort, std::string& error);

    FaultProxy(const FaultProxy&) = delete;
    FaultProxy& operator=(const FaultProxy&) = delete;
    /// Stops the thread and resets every open connection.
    ~FaultProxy();

    int port() const;
    std::string baseUrl() const; ///< "http://127.0.0.1:<port>" (no trailing slash)

    /// Resets every open connection on both sides (SO_LINGER 0, so an RST and no FIN): neither
    /// end sees a WebSocket Close or an orderly TCP close. Returns how many were cut.
    std::size_t cutAll();

    /// Stops forwarding on the connections open now (both directions); the sockets stay open,
    /// so both ends see a silent peer. Connections accepted later are forwarded normally.
    /// Returns how many were stalled.
    std::size_t stall();

    /// Forwards again on every stalled connection (what was read before the stall is delivered).
    void resume();

    /// Holds every chunk read from now on for `delay` before writing it on, in both
    /// directions; order is kept. 0 (the default) forwards at once.
    void setDelay(std::chrono::milliseconds delay);

    /// For `duration`, every new connection is accepted and reset at once (the client sees a
    /// connection reset; nothing reaches the target). Open connections are not affected.
    void refuseNewConnections(std::chrono::milliseconds duration);

    /// Ends a refuseNewConnections() period early.
    void acceptNewConnections();

    Stats stats() const;

    /// Waits until `predicate(stats())` holds (it runs under the proxy's lock: keep it short).
    /// False after `timeout`. The counters are published right after each round of forwarding,
    /// so a byte may reach its peer a moment before it is counted.
    bool waitFor(const std::function<bool(const Stats&)>& predicate,
                 std::chrono::milliseconds timeout);

    /// Waits until at least `count` connections have been accepted in total (Stats::accepted).
    /// False after `timeout`.
    bool waitForAccepted(std::uint64_t count, std::chrono::milliseconds timeout);

    /// Waits until exactly `count` connections are open. False after `timeout`.
    bool waitForOpen(std::uint64_t count, std::chrono::milliseconds timeout);

private:
    struct Impl;
    explicit FaultProxy(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

} // namespace signalr::test
