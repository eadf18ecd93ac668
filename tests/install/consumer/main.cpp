// Builds a connection through the installed (or add_subdirectory'd) signalr-cpp and prints its
// state: proves the headers, the libraries and their dependencies link from outside the tree.
#include <cstdio>

#include <signalr/signalr.hpp>

int main() {
    auto connection = signalr::HubConnectionBuilder().withUrl("http://127.0.0.1:1/hub").build();
    if (!connection) {
        std::fprintf(stderr, "build() failed: %s\n", connection.error().toString().c_str());
        return 1;
    }
    const signalr::ConnectionState state = connection->state().state;
    const std::string_view name = signalr::toString(state);
    std::printf("signalr consumer: state %.*s\n", static_cast<int>(name.size()), name.data());
    return state == signalr::ConnectionState::Disconnected ? 0 : 1;
}
