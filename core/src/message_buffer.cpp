#include "message_buffer.hpp"

#include <utility>
#include <variant>

namespace signalr::detail {

bool isTrackable(const HubMessage& message) {
    // The variant's alternatives follow the message types: indexes 0..4 are types 1..5.
    return message.index() <= 4;
}

MessageBuffer::MessageBuffer(std::shared_ptr<Executor> executor, const HubProtocol& protocol,
                             std::size_t limitBytes, Writer write,
                             std::chrono::milliseconds ackInterval)
    : executor_(std::move(executor)), protocol_(protocol), limitBytes_(limitBytes),
      write_(std::move(write)), ackInterval_(ackInterval),
      self_(std::make_shared<MessageBuffer*>(this)) {}

MessageBuffer::~MessageBuffer() = default;

Result<void> MessageBuffer::send(const HubMessage& message, Completion whenSent) {
    std::string bytes;
    auto written = protocol_.write(message, bytes);
    if (!written) {
        return written;
    }
    if (disposed_) {
        if (whenSent) {
            whenSent(*disposed_);
        }
        return {};
    }
    Ready ready;
    // Order is the protocol: once one message waits, every later one waits behind it.
    if (waiting_.empty() && bufferedBytes_ < limitBytes_) {
        admit(std::move(bytes), std::move(whenSent));
    } else {
        waiting_.push_back(Waiting{std::move(bytes), std::move(whenSent)});
    }
    settle(ready);
    run(ready);
    return {};
}

void MessageBuffer::admit(std::string bytes, Completion whenSent) {
    Kept kept{nextSendId_++, std::move(bytes), std::move(whenSent), false};
    bufferedBytes_ += kept.bytes.size();
    if (kept.whenSent) {
        ++held_;
    }
    if (!paused_) {
        write_(kept.bytes);
        kept.written = true;
    }
    kept_.push_back(std::move(kept));
}

void MessageBuffer::settle(Ready& ready) {
    for (;;) {
        // A send that pushed the buffer over its limit completes once Acks bring it back under.
        // While paused nothing new is written, so nothing can complete.
        if (!paused_ && held_ > 0 && bufferedBytes_ <= limitBytes_) {
            for (auto& kept : kept_) {
                if (kept.whenSent && kept.written) {
                    ready.emplace_back(std::move(kept.whenSent), Result<void>());
                    kept.whenSent = nullptr;
                    --held_;
                }
            }
        }
        if (waiting_.empty() || bufferedBytes_ >= limitBytes_) {
            return;
        }
        Waiting next = std::move(waiting_.front());
        waiting_.pop_front();
        admit(std::move(next.bytes), std::move(next.whenSent));
    }
}

void MessageBuffer::release(std::int64_t upTo, Ready& ready) {
    while (!kept_.empty() && kept_.front().id <= upTo) {
        Kept& front = kept_.front();
        bufferedBytes_ -= front.bytes.size();
        if (front.whenSent) {
            ready.emplace_back(std::move(front.whenSent), Result<void>());
            --held_;
        }
        kept_.pop_front();
    }
}

MessageBuffer::Verdict MessageBuffer::onReceived(const HubMessage& message) {
    if (const auto* ack = std::get_if<AckMessage>(&message)) {
        Ready ready;
        release(ack->sequenceId, ready);
        settle(ready);
        run(ready);
        return Verdict::Skip;
    }
    if (const auto* sequence = std::get_if<SequenceMessage>(&message)) {
        // The server restarts numbering at the oldest message we may have missed; it cannot
        // skip ahead of what it has sent us.
        if (sequence->sequenceId < 1 || sequence->sequenceId > nextReceiveId_) {
            return Verdict::Violation;
        }
        nextReceiveId_ = sequence->sequenceId;
        return Verdict::Skip;
    }
    if (!isTrackable(message)) {
        return Verdict::Process;
    }
    const std::int64_t id = nextReceiveId_++;
    // Even a duplicate means the server still holds messages we have: acknowledge them.
    armAckTimer();
    if (id <= latestReceived_) {
        return Verdict::Skip;
    }
    latestReceived_ = id;
    return Verdict::Process;
}

void MessageBuffer::pause() {
    paused_ = true;
    if (ackTimer_ != 0) {
        executor_->cancel(ackTimer_);
        ackTimer_ = 0;
    }
}

void MessageBuffer::resume() {
    if (disposed_) {
        return;
    }
    paused_ = false;
    writeControl(SequenceMessage{kept_.empty() ? nextSendId_ : kept_.front().id});
    for (auto& kept : kept_) {
        write_(kept.bytes);
        kept.written = true;
    }
    // The last Ack may have been lost with the old transport.
    if (latestReceived_ > 0) {
        armAckTimer();
    }
    Ready ready;
    settle(ready);
    run(ready);
}

void MessageBuffer::dispose(const Error& error) {
    pause();
    if (disposed_) {
        return;
    }
    disposed_ = error;
    Ready ready;
    for (auto& kept : kept_) {
        if (kept.whenSent) {
            ready.emplace_back(std::move(kept.whenSent), error);
        }
    }
    for (auto& waiting : waiting_) {
        if (waiting.whenSent) {
            ready.emplace_back(std::move(waiting.whenSent), error);
        }
    }
    kept_.clear();
    waiting_.clear();
    bufferedBytes_ = 0;
    held_ = 0;
    run(ready);
}

void MessageBuffer::writeControl(const HubMessage& message) {
    if (paused_) {
        return;
    }
    std::string bytes;
    if (protocol_.write(message, bytes)) {
        write_(std::move(bytes));
    }
}

void MessageBuffer::armAckTimer() {
    if (paused_ || ackTimer_ != 0 || disposed_) {
        return;
    }
    std::weak_ptr<MessageBuffer*> weak = self_;
    ackTimer_ = executor_->schedule(ackInterval_, [weak] {
        if (auto self = weak.lock()) {
            (*self)->onAckTimer();
        }
    });
}

void MessageBuffer::onAckTimer() {
    ackTimer_ = 0;
    if (paused_ || disposed_) {
        return;
    }
    writeControl(AckMessage{latestReceived_});
}

void MessageBuffer::run(Ready& ready) {
    for (auto& [done, result] : ready) {
        done(std::move(result));
    }
}

} // namespace signalr::detail
