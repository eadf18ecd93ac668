#include "metrics_recorder.hpp"

#include <algorithm>
#include <vector>

namespace signalr::detail {

void MetricsRecorder::stateChanged(ConnectionState state, Executor::Clock::time_point at) {
    stateSince_.store(at.time_since_epoch().count(), std::memory_order_relaxed);
    stateSinceSet_.store(true, std::memory_order_relaxed);
    state_.store(state, std::memory_order_release);
}

void MetricsRecorder::invocationCompleted(std::chrono::microseconds rtt) {
    if (!rttOwner_) {
        rttOwner_ = std::make_unique<RttWindow>();
        rttWindow_.store(rttOwner_.get(), std::memory_order_release);
    }
    const auto count = rttCount_.load(std::memory_order_relaxed);
    (*rttOwner_)[count % kRttWindow].store(rtt.count(), std::memory_order_relaxed);
    rttCount_.store(count + 1, std::memory_order_release);
}

ConnectionMetrics MetricsRecorder::read(Executor::Clock::time_point now) const {
    ConnectionMetrics m;
    m.messagesSent = messagesSent_.load(std::memory_order_relaxed);
    m.messagesReceived = messagesReceived_.load(std::memory_order_relaxed);
    m.bytesSent = bytesSent_.load(std::memory_order_relaxed);
    m.bytesReceived = bytesReceived_.load(std::memory_order_relaxed);
    m.reconnections = reconnections_.load(std::memory_order_relaxed);
    m.state = state_.load(std::memory_order_acquire);
    if (stateSinceSet_.load(std::memory_order_relaxed)) {
        const Executor::Clock::time_point since(
            Executor::Clock::duration(stateSince_.load(std::memory_order_relaxed)));
        m.timeInState = std::max(std::chrono::nanoseconds(0),
                                 std::chrono::duration_cast<std::chrono::nanoseconds>(now - since));
    }

    const auto count = rttCount_.load(std::memory_order_acquire);
    const auto n = static_cast<std::size_t>(std::min<std::uint64_t>(count, kRttWindow));
    m.invocationRtt.count = count;
    const RttWindow* window = rttWindow_.load(std::memory_order_acquire);
    if (n == 0 || window == nullptr) {
        return m;
    }
    std::vector<std::int64_t> samples(n);
    for (std::size_t i = 0; i < n; ++i) {
        samples[i] = (*window)[i].load(std::memory_order_relaxed);
    }
    // Nearest rank: the smallest sample with at least p% of the samples at or below it.
    auto percentile = [&](std::size_t p) {
        const std::size_t rank = std::max<std::size_t>(1, (p * n + 99) / 100);
        std::nth_element(samples.begin(), samples.begin() + static_cast<std::ptrdiff_t>(rank - 1),
                         samples.end());
        return std::chrono::microseconds(samples[rank - 1]);
    };
    m.invocationRtt.p50 = percentile(50);
    m.invocationRtt.p99 = percentile(99);
    return m;
}

} // namespace signalr::detail
