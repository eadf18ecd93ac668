// The smallest useful browser app on the C++ API: connect, invoke, and handle a server call.
// Built only to measure what a page pays for the library (the build prints the sizes); opened
// on the hub it logs the sum and the broadcast it receives.
#include <cstdio>
#include <memory>
#include <string>

#include "signalr/signalr.hpp"

namespace {
std::unique_ptr<signalr::HubConnection> connection;
}

int main() {
    auto built = signalr::HubConnectionBuilder().withUrl("/hub").build();
    if (!built) {
        std::printf("%s\n", built.error().message.c_str());
        return 1;
    }
    connection = std::make_unique<signalr::HubConnection>(std::move(built).value());
    connection->on("Broadcast", [](std::string from, std::string text) {
        std::printf("%s: %s\n", from.c_str(), text.c_str());
    });
    connection->start([](signalr::Result<void> started) {
        if (!started) {
            std::printf("%s\n", started.error().message.c_str());
            return;
        }
        connection->invoke<std::int64_t>("Add", {1, 2}, [](signalr::Result<std::int64_t> sum) {
            std::printf("1 + 2 = %lld\n", sum ? static_cast<long long>(*sum) : -1LL);
            connection->send("BroadcastAll", {"hello"});
        });
    });
}
