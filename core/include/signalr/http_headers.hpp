#pragma once

#include <map>
#include <string>

namespace signalr {

/// HTTP header names and values sent on negotiate and on the WebSocket upgrade.
using HttpHeaders = std::map<std::string, std::string>;

} // namespace signalr
