// The README's example as a program: `signalr-quickstart http://127.0.0.1:5000/hub`.
#include <cinttypes>
#include <cstdio>
#include <string>

#include <signalr/signalr.hpp>
#include <signalr/wait.hpp> // native only: blocking adaptor for synchronous code

int main(int argc, char** argv) {
    if (argc != 2) {
        std::fprintf(stderr, "usage: signalr-quickstart HUB_URL\n");
        return 2;
    }
    auto built = signalr::HubConnectionBuilder()
                     .withUrl(argv[1])
                     .configureLogging(signalr::LogLevel::Warning)
                     .build();
    if (!built) {
        std::fprintf(stderr, "%s\n", built.error().message.c_str());
        return 2;
    }
    signalr::HubConnection connection = std::move(built).value();

    // Server-to-client calls; the argument types come from the lambda.
    connection.on("Broadcast", [](std::string from, std::string text) {
        std::printf("broadcast from %s: %s\n", from.c_str(), text.c_str());
    });
    connection.onClosed([](const std::optional<signalr::Error>& error) {
        std::printf("closed%s%s\n", error ? ": " : "", error ? error->message.c_str() : "");
    });

    if (auto started = signalr::wait([&](auto done) { connection.start(done); }); !started) {
        std::fprintf(stderr, "%s\n", started.error().message.c_str());
        return 2;
    }

    // Synchronous style (native only; never on the event-loop thread).
    auto sum = signalr::wait<std::int64_t>([&](auto done) {
        connection.invoke<std::int64_t>("Add", {1, 2}, done);
    });
    if (sum) {
        std::printf("Add(1, 2) = %" PRId64 "\n", *sum);
    } else {
        std::fprintf(stderr, "Add failed: %s\n", sum.error().message.c_str());
    }

    // Asynchronous style: the callbacks run on the connection's event loop.
    auto streamed = signalr::wait([&](auto done) {
        connection.stream<int>(
            "Counter", {3, 0}, [](int item) { std::printf("item %d\n", item); }, done);
    });
    if (!streamed) {
        std::fprintf(stderr, "stream failed: %s\n", streamed.error().message.c_str());
    }

    auto sent = signalr::wait([&](auto done) { connection.send("BroadcastAll", {"hello"}, done); });
    (void)sent;
    auto stopped = signalr::wait([&](auto done) { connection.stop(done); });
    return stopped ? 0 : 1;
}
