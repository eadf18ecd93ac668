#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>

#include <cstdint>

namespace signalr::test {

/// 127.0.0.1:`port` for bind() or connect(); port 0 lets bind() pick a free one.
inline sockaddr_in loopback(int port) {
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<std::uint16_t>(port));
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return address;
}

} // namespace signalr::test
