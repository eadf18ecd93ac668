#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>

#include "signalr/connection_metrics.hpp"
#include "signalr/executor.hpp"

namespace signalr::detail {

/// The counters behind HubConnection::metrics(). One writer (the executor) and any number of
/// readers on other threads: everything is a relaxed atomic, so the hot path takes no lock and
/// a reader may see counters from slightly different instants.
class MetricsRecorder {
public:
    static constexpr std::size_t kRttWindow = 1024;

    void messageSent(std::size_t bytes) {
        add(messagesSent_, 1);
        add(bytesSent_, bytes);
    }
    void messageReceived(std::size_t bytes) {
        add(messagesReceived_, 1);
        add(bytesReceived_, bytes);
    }
    void reconnected() { add(reconnections_, 1); }
    void stateChanged(ConnectionState state, Executor::Clock::time_point at);
    void invocationCompleted(std::chrono::microseconds rtt);

    ConnectionMetrics read(Executor::Clock::time_point now) const;

private:
    static void add(std::atomic<std::uint64_t>& counter, std::uint64_t n) {
        // Single writer: a load and a store are enough and cheaper than a locked add.
        counter.store(counter.load(std::memory_order_relaxed) + n, std::memory_order_relaxed);
    }

    std::atomic<std::uint64_t> messagesSent_{0};
    std::atomic<std::uint64_t> messagesReceived_{0};
    std::atomic<std::uint64_t> bytesSent_{0};
    std::atomic<std::uint64_t> bytesReceived_{0};
    std::atomic<std::uint64_t> reconnections_{0};
    std::atomic<ConnectionState> state_{ConnectionState::Disconnected};
    std::atomic<Executor::Clock::rep> stateSince_{0};
    std::atomic<bool> stateSinceSet_{false};
    using RttWindow = std::array<std::atomic<std::int64_t>, kRttWindow>;
    // 8 KB that an idle connection never touches: built on the first completed invocation.
    // The writer owns it; readers find it through rttWindow_, published before rttCount_ moves
    // past 0 and kept until the recorder goes away, so a reader never sees it freed.
    std::unique_ptr<RttWindow> rttOwner_;
    std::atomic<RttWindow*> rttWindow_{nullptr};
    std::atomic<std::uint64_t> rttCount_{0};
};

} // namespace signalr::detail
