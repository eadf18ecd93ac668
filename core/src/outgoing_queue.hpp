#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "signalr/error.hpp"
#include "signalr/executor.hpp"
#include "signalr/in_flight_options.hpp"

namespace signalr::detail {

/// Calls made while the connection is not up, waiting to be sent in order once it is. Pure
/// bookkeeping: the owner arms a timer for nextDeadline() and runs the callbacks of what the
/// queue hands back, outside the queue.
class OutgoingQueue {
public:
    struct Entry {
        /// Chosen by the owner, to tell the entries apart.
        std::uint64_t id = 0;
        /// Serialized size, counted against OutgoingQueueOptions::maxBytes.
        std::size_t bytes = 0;
        Executor::Clock::time_point deadline{};
        /// Sends the call (the connection is up).
        std::function<void()> send;
        /// Completes the call with an error instead.
        std::function<void(Error)> fail;
        /// For error messages: "invoke 'Add'".
        std::string description;
    };

    /// Queues `entry` within `limits`. Returns the entries that must now fail with Dropped:
    /// the evicted ones, or `entry` itself when it is rejected.
    std::vector<Entry> push(Entry entry, const OutgoingQueueOptions& limits);
    /// The oldest entry, removed; nullopt when empty.
    std::optional<Entry> popFront();
    /// Removes the entry with this id; nullopt if it is not queued.
    std::optional<Entry> remove(std::uint64_t id);
    /// Removes and returns the entries whose deadline is at or before `now`.
    std::vector<Entry> takeExpired(Executor::Clock::time_point now);
    /// Removes and returns everything, oldest first.
    std::deque<Entry> takeAll();
    /// The earliest deadline of a queued entry.
    std::optional<Executor::Clock::time_point> nextDeadline() const;

    std::size_t size() const { return entries_.size(); }
    std::size_t bytes() const { return bytes_; }
    bool empty() const { return entries_.empty(); }

private:
    std::deque<Entry> entries_;
    std::size_t bytes_ = 0;
};

} // namespace signalr::detail
