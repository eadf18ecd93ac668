#pragma once

#include <cstddef>

namespace signalr::detail {

/// Receive buffer per WebSocket wsi: lws hands messages over in pieces of at most this size.
inline constexpr std::size_t kRxBufferSize = 16 * 1024;
/// Largest piece given to one lws_write(). lws buffers (copies) whatever exceeds the protocol's
/// rx_buffer_size, so writing pieces of that size avoids the copy.
inline constexpr std::size_t kWriteChunkSize = kRxBufferSize;
/// lws builds requests (request line + headers) in this per-thread buffer.
inline constexpr unsigned int kServiceBufferSize = 32 * 1024;
/// Per-connection header storage while connecting; holds the URL and the response headers.
inline constexpr unsigned short kMaxHttpHeaderData = 16 * 1024;
/// lws's own fixed timeouts; the library enforces the real deadlines with its timers.
inline constexpr unsigned int kLwsTimeoutSeconds = 3600;
/// How long a clean close may wait for the peer before the socket is dropped.
inline constexpr int kCloseTimeoutMs = 5'000;

} // namespace signalr::detail
