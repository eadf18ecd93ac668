// Connection events while the hub goes away and comes back:
//   signalr-reconnect-example http://127.0.0.1:5000/hub [RECONNECTS]
// Prints every event with the time since start, checks that calls work again after each
// reconnect, and exits 0 after RECONNECTS reconnects (default 1), or 1 when the policy gives up.
// Restart the hub while it runs to see the events.
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include <signalr/signalr.hpp>
#include <signalr/wait.hpp> // native only: blocking adaptor for synchronous code

namespace {

using Clock = std::chrono::steady_clock;
const Clock::time_point kStart = Clock::now();

// One line per event on stdout, flushed so a pipe sees it at once.
void print(const std::string& line) {
    const auto ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - kStart).count();
    std::printf("[%6.3f] %s\n", static_cast<double>(ms) / 1000.0, line.c_str());
    std::fflush(stdout);
}

std::string kindName(signalr::DisconnectKind kind) {
    switch (kind) {
    case signalr::DisconnectKind::UserRequested: return "stopped";
    case signalr::DisconnectKind::ServerClosed: return "server closed";
    case signalr::DisconnectKind::NetworkError: return "network error";
    case signalr::DisconnectKind::Timeout: return "server timeout";
    }
    return "unknown";
}

// The interface form of the events: one object gets them all, on the connection's event loop.
// The main thread waits for reconnects through it.
class EventPrinter : public signalr::ConnectionEventHandler {
public:
    void onConnecting() override { print("connecting"); }

    void onConnected(const std::optional<std::string>& id) override {
        print("connected as " + id.value_or("?"));
    }

    void onDisconnected(const signalr::DisconnectReason& reason) override {
        print("disconnected (" + kindName(reason.kind) + ")" +
              (reason.error ? ": " + reason.error->message : std::string()));
    }

    void onReconnecting(std::uint32_t attempt, const signalr::Error& reason) override {
        print("reconnecting, attempt " + std::to_string(attempt) + " (" + reason.message + ")");
    }

    void onReconnected(std::uint32_t attempt, const std::optional<std::string>& id) override {
        print("reconnected after " + std::to_string(attempt) + " attempt(s) as " +
              id.value_or("?"));
        std::lock_guard lock(mutex_);
        ++reconnects_;
        changed_.notify_all();
    }

    void onReconnectFailed(const signalr::Error& error) override {
        print("gave up reconnecting: " + error.message);
        std::lock_guard lock(mutex_);
        failed_ = true;
        changed_.notify_all();
    }

    // Waits for the next reconnect; false if the policy gave up instead.
    bool waitForReconnect(int seen) {
        std::unique_lock lock(mutex_);
        changed_.wait(lock, [&] { return reconnects_ > seen || failed_; });
        return reconnects_ > seen;
    }

private:
    std::mutex mutex_;
    std::condition_variable changed_;
    int reconnects_ = 0;
    bool failed_ = false;
};

} // namespace

int main(int argc, char** argv) {
    if (argc < 2 || argc > 3) {
        std::fprintf(stderr, "usage: signalr-reconnect-example HUB_URL [RECONNECTS]\n");
        return 2;
    }
    const int wanted = argc == 3 ? std::atoi(argv[2]) : 1;

    // Back off from 250 ms up to 5 s, with some jitter so that many clients do not come back in
    // step; give up after 20 attempts.
    signalr::ExponentialBackoff backoff;
    backoff.initialDelay = std::chrono::milliseconds(250);
    backoff.maxDelay = std::chrono::seconds(5);
    backoff.maxAttempts = 20;
    backoff.jitter = 0.2;
    // Calls made while reconnecting wait (up to 10 s) instead of failing at once.
    signalr::InFlightOptions inFlight;
    inFlight.whileReconnecting = signalr::ReconnectingCallPolicy::Wait;
    inFlight.waitTimeout = std::chrono::seconds(10);

    auto built = signalr::HubConnectionBuilder()
                     .withUrl(argv[1])
                     .withAutomaticReconnect(signalr::ReconnectPolicy::exponential(backoff))
                     .withInFlightOptions(inFlight)
                     .configureLogging(signalr::LogLevel::None)
                     .build();
    if (!built) {
        std::fprintf(stderr, "%s\n", built.error().message.c_str());
        return 2;
    }
    signalr::HubConnection connection = std::move(built).value();
    auto events = std::make_shared<EventPrinter>();
    connection.addEventHandler(events);
    connection.onClosed([](const std::optional<signalr::Error>& error) {
        print("closed" + (error ? ": " + error->message : std::string()));
    });

    if (auto started = signalr::wait([&](auto done) { connection.start(done); }); !started) {
        std::fprintf(stderr, "%s\n", started.error().message.c_str());
        return 2;
    }
    for (int seen = 0; seen < wanted; ++seen) {
        if (!events->waitForReconnect(seen)) {
            return 1;
        }
        // Handlers, options and the connection object survive; only the connection id is new.
        auto id = signalr::wait<std::string>(
            [&](auto done) { connection.invoke<std::string>("GetConnectionId", {}, done); });
        print(id ? "the hub sees connection id " + *id : "call failed: " + id.error().message);
    }
    auto stopped = signalr::wait([&](auto done) { connection.stop(done); });
    return stopped ? 0 : 1;
}
