#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "hub_message.hpp"
#include "hub_protocol.hpp"
#include "signalr/executor.hpp"
#include "signalr/result.hpp"

namespace signalr::detail {

/// True for the messages stateful reconnect numbers and replays: types 1 to 5.
bool isTrackable(const HubMessage& message);

/// The stateful-reconnect bookkeeping of one logical connection (protocol version 2), with no
/// I/O of its own: it writes through the function it is given and arms its Ack timer on the
/// executor. Executor thread only.
///
/// Outgoing: every trackable message is serialized once, numbered from 1 and kept until the
/// server acknowledges it, so it can be replayed on a new transport. The kept bytes are bounded:
/// once they reach the limit, further messages wait (unwritten, unnumbered, in order) and the
/// send that crossed the limit does not complete until Acks bring the buffer back under it.
/// Nothing is ever dropped, except by dispose().
///
/// Incoming: trackable messages are numbered the same way; replayed duplicates are filtered out,
/// and about once a second (never while paused, and only after something arrived) an Ack tells
/// the server what was processed.
class MessageBuffer {
public:
    using Writer = std::function<void(std::string bytes)>;
    using Completion = std::function<void(Result<void>)>;

    /// `protocol` and `executor` must outlive the buffer; `write` puts bytes on the current
    /// transport and is only called while the buffer is not paused.
    MessageBuffer(std::shared_ptr<Executor> executor, const HubProtocol& protocol,
                  std::size_t limitBytes, Writer write,
                  std::chrono::milliseconds ackInterval = std::chrono::seconds(1));
    ~MessageBuffer();
    MessageBuffer(const MessageBuffer&) = delete;
    MessageBuffer& operator=(const MessageBuffer&) = delete;

    /// Serializes, numbers, keeps and (unless paused or over the limit) writes a trackable
    /// message. A serialization error is returned and `whenSent` is not called. Otherwise
    /// `whenSent` runs exactly once: with success once the message is written and the buffer is
    /// not over its limit (possibly before send() returns), or with the dispose() error.
    Result<void> send(const HubMessage& message, Completion whenSent);

    /// What to do with an incoming message.
    enum class Verdict {
        Process,   ///< dispatch it
        Skip,      ///< handled here (Ack, Sequence) or a replayed duplicate
        Violation, ///< a Sequence beyond what was received: close with a protocol error
    };
    Verdict onReceived(const HubMessage& message);

    /// The transport is gone: stop writing and acknowledging until resume().
    void pause();
    /// A new transport is open: writes Sequence{oldest unacknowledged id, or the next id when
    /// nothing is kept}, then every kept message in order, and carries on.
    void resume();
    /// The logical connection ended: every send still waiting completes with `error`, and later
    /// sends fail with it.
    void dispose(const Error& error);

    bool paused() const { return paused_; }
    std::size_t bufferedBytes() const { return bufferedBytes_; }
    std::size_t bufferedMessages() const { return kept_.size(); }
    std::size_t waitingMessages() const { return waiting_.size(); }
    /// The id the next numbered outgoing message gets.
    std::int64_t nextSendId() const { return nextSendId_; }
    /// The id the next incoming trackable message is expected to carry.
    std::int64_t nextReceiveId() const { return nextReceiveId_; }

private:
    struct Kept {
        std::int64_t id;
        std::string bytes;
        Completion whenSent; ///< empty once called
        bool written = false;
    };
    struct Waiting {
        std::string bytes;
        Completion whenSent;
    };
    using Ready = std::vector<std::pair<Completion, Result<void>>>;

    void admit(std::string bytes, Completion whenSent);
    /// Admits waiting messages while there is room and collects completions now due.
    void settle(Ready& ready);
    void release(std::int64_t upTo, Ready& ready);
    void writeControl(const HubMessage& message);
    void armAckTimer();
    void onAckTimer();
    static void run(Ready& ready);

    std::shared_ptr<Executor> executor_;
    const HubProtocol& protocol_;
    std::size_t limitBytes_;
    Writer write_;
    std::chrono::milliseconds ackInterval_;
    /// Timer callbacks hold a weak reference to this: they do nothing once the buffer is gone.
    std::shared_ptr<MessageBuffer*> self_;

    std::deque<Kept> kept_;
    std::deque<Waiting> waiting_;
    std::size_t bufferedBytes_ = 0;
    /// Kept messages whose whenSent has not run yet.
    std::size_t held_ = 0;
    std::int64_t nextSendId_ = 1;
    bool paused_ = false;
    std::optional<Error> disposed_;

    std::int64_t nextReceiveId_ = 1;
    std::int64_t latestReceived_ = 0;
    Executor::TimerId ackTimer_ = 0;
};

} // namespace signalr::detail
