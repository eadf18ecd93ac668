// signalr-chat: a minimal chat client for the test hub. Start two, type in either:
//
//   signalr-chat http://localhost:5000/hub alice
//   signalr-chat http://localhost:5000/hub bob
//
// Each line you type reaches everyone else as "alice: <text>". End with /quit or Ctrl-D.

#include <iostream>
#include <optional>
#include <string>

#include "signalr/hub_connection_builder.hpp"
#include "signalr/wait.hpp"

int main(int argc, char** argv) {
    if (argc != 3) {
        std::cerr << "usage: signalr-chat URL NAME\n";
        return 2;
    }
    const std::string url = argv[1];
    const std::string name = argv[2];

    auto built = signalr::HubConnectionBuilder().withUrl(url).build();
    if (!built) {
        std::cerr << "error: " << built.error().message << '\n';
        return 2;
    }
    signalr::HubConnection connection = std::move(built).value();

    // The hub calls Broadcast(connectionId, message) on the other clients. Handlers run on the
    // library's event loop thread, so untie cin: reading stdin then never flushes cout from
    // this thread while that one prints.
    std::cin.tie(nullptr);
    connection.on("Broadcast", [](const std::string& /*connectionId*/, const std::string& text) {
        std::cout << text << std::endl;
    });
    connection.onClosed([](const std::optional<signalr::Error>& error) {
        if (error) {
            std::cerr << "connection closed: " << error->message << '\n';
        }
    });

    auto started = signalr::wait([&](auto done) { connection.start(done); });
    if (!started) {
        std::cerr << "error: cannot connect to " << url << ": " << started.error().message << '\n';
        return 2;
    }
    std::cerr << "connected as " << name << "; type a message, /quit to leave\n";

    std::string line;
    while (std::getline(std::cin, line) && line != "/quit") {
        if (line.empty()) {
            continue;
        }
        // The sender's name travels in the text: the hub only adds the connection id.
        auto sent = signalr::wait([&](auto done) {
            connection.invoke<void>("BroadcastOthers", {name + ": " + line}, done);
        });
        if (!sent) {
            std::cerr << "error: " << sent.error().message << '\n';
            return 1;
        }
    }

    auto stopped = signalr::wait([&](auto done) { connection.stop(done); });
    return stopped ? 0 : 1;
}
