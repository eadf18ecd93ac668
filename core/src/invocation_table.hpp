#pragma once

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "signalr/executor.hpp"
#include "signalr/hub_connection.hpp"
#include "signalr/result.hpp"
#include "signalr/value.hpp"

namespace signalr::detail {

/// A call waiting for its Completion: an invoke (onResult) or a stream (onItem + onComplete).
struct PendingCall {
    std::string method;
    std::function<void(Result<Value>)> onResult;
    ItemHandler onItem;
    std::function<void(Result<void>)> onComplete;
    /// When the invocation was sent, for round-trip times.
    Executor::Clock::time_point sentAt{};
    /// The arguments, kept only when the call may be sent again after a reconnect.
    std::optional<Arguments> resendArguments;

    bool isStream() const { return static_cast<bool>(onItem); }

    /// Finishes the call with an error, whatever its kind.
    void fail(Error error) {
        if (isStream()) {
            if (onComplete) {
                onComplete(std::move(error));
            }
        } else if (onResult) {
            onResult(std::move(error));
        }
    }
};

/// Invocation id to pending call. Ids are "0", "1", ... like the JavaScript client's.
///
/// Entries live in map nodes that are kept for reuse once their call is taken, so a steady
/// stream of invokes allocates no node. Pointers from find() stay valid until that call is taken
/// (nodes never move).
class InvocationTable {
public:
    std::string nextId() { return std::to_string(nextId_++); }

    void add(const std::string& id, PendingCall call) {
        if (spare_.empty()) {
            calls_.emplace(id, std::move(call));
            return;
        }
        auto node = std::move(spare_.back());
        spare_.pop_back();
        node.key() = id;
        node.mapped() = std::move(call);
        calls_.insert(std::move(node));
    }

    PendingCall* find(const std::string& id) {
        auto it = calls_.find(id);
        return it == calls_.end() ? nullptr : &it->second;
    }

    /// Removes the call and hands it over, so its callback runs outside the table.
    std::optional<PendingCall> take(const std::string& id) {
        auto it = calls_.find(id);
        if (it == calls_.end()) {
            return std::nullopt;
        }
        auto node = calls_.extract(it);
        std::optional<PendingCall> call(std::move(node.mapped()));
        if (spare_.size() < kSpareNodes) {
            node.mapped() = PendingCall{};
            spare_.push_back(std::move(node));
        }
        return call;
    }

    /// Fails every pending call exactly once. Callbacks may add new calls; those stay.
    void failAll(const Error& error) {
        auto calls = std::move(calls_);
        calls_.clear();
        for (auto& [id, call] : calls) {
            call.fail(error);
        }
    }

    /// Fails the calls `drop` selects, exactly once each; the others stay.
    template <class Pred>
    void failIf(Pred drop, const Error& error) {
        std::vector<PendingCall> failed;
        for (auto it = calls_.begin(); it != calls_.end();) {
            if (drop(it->second)) {
                failed.push_back(std::move(it->second));
                it = calls_.erase(it);
            } else {
                ++it;
            }
        }
        for (auto& call : failed) {
            call.fail(error);
        }
    }

    /// The ids of the pending calls, oldest first.
    std::vector<std::string> idsInOrder() const {
        std::vector<std::uint64_t> numbers;
        numbers.reserve(calls_.size());
        for (const auto& entry : calls_) {
            std::uint64_t n = 0;
            std::from_chars(entry.first.data(), entry.first.data() + entry.first.size(), n);
            numbers.push_back(n);
        }
        std::sort(numbers.begin(), numbers.end());
        std::vector<std::string> ids;
        ids.reserve(numbers.size());
        for (auto n : numbers) {
            ids.push_back(std::to_string(n));
        }
        return ids;
    }

    std::size_t size() const { return calls_.size(); }

private:
    using Map = std::unordered_map<std::string, PendingCall>;
    /// Enough for the calls a busy connection has in flight at once; beyond that, nodes are
    /// freed as usual.
    static constexpr std::size_t kSpareNodes = 128;

    Map calls_;
    std::vector<Map::node_type> spare_;
    std::uint64_t nextId_ = 0;
};

} // namespace signalr::detail
