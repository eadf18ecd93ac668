#include "outgoing_queue.hpp"

#include <algorithm>
#include <utility>

namespace signalr::detail {

std::vector<OutgoingQueue::Entry> OutgoingQueue::push(Entry entry,
                                                      const OutgoingQueueOptions& limits) {
    std::vector<Entry> dropped;
    // Evicting others cannot make room for a call that alone exceeds the byte bound.
    if (limits.maxMessages == 0 || entry.bytes > limits.maxBytes) {
        dropped.push_back(std::move(entry));
        return dropped;
    }
    auto full = [&] {
        return entries_.size() >= limits.maxMessages || bytes_ + entry.bytes > limits.maxBytes;
    };
    if (full() && limits.whenFull == QueueFullStrategy::Fail) {
        dropped.push_back(std::move(entry));
        return dropped;
    }
    while (full() && !entries_.empty()) {
        if (limits.whenFull == QueueFullStrategy::DropOldest) {
            dropped.push_back(std::move(entries_.front()));
            entries_.pop_front();
        } else {
            dropped.push_back(std::move(entries_.back()));
            entries_.pop_back();
        }
        bytes_ -= dropped.back().bytes;
    }
    bytes_ += entry.bytes;
    entries_.push_back(std::move(entry));
    return dropped;
}

std::optional<OutgoingQueue::Entry> OutgoingQueue::popFront() {
    if (entries_.empty()) {
        return std::nullopt;
    }
    Entry entry = std::move(entries_.front());
    entries_.pop_front();
    bytes_ -= entry.bytes;
    return entry;
}

std::optional<OutgoingQueue::Entry> OutgoingQueue::remove(std::uint64_t id) {
    auto it =
        std::find_if(entries_.begin(), entries_.end(), [id](const Entry& e) { return e.id == id; });
    if (it == entries_.end()) {
        return std::nullopt;
    }
    Entry entry = std::move(*it);
    entries_.erase(it);
    bytes_ -= entry.bytes;
    return entry;
}

std::vector<OutgoingQueue::Entry> OutgoingQueue::takeExpired(Executor::Clock::time_point now) {
    std::vector<Entry> expired;
    std::deque<Entry> kept;
    for (auto& entry : entries_) {
        if (entry.deadline <= now) {
            bytes_ -= entry.bytes;
            expired.push_back(std::move(entry));
        } else {
            kept.push_back(std::move(entry));
        }
    }
    entries_ = std::move(kept);
    return expired;
}

std::deque<OutgoingQueue::Entry> OutgoingQueue::takeAll() {
    std::deque<Entry> all = std::move(entries_);
    entries_.clear();
    bytes_ = 0;
    return all;
}

std::optional<Executor::Clock::time_point> OutgoingQueue::nextDeadline() const {
    if (entries_.empty()) {
        return std::nullopt;
    }
    return std::min_element(entries_.begin(), entries_.end(),
                            [](const Entry& a, const Entry& b) { return a.deadline < b.deadline; })
        ->deadline;
}

} // namespace signalr::detail
