// P1: the JSON hub protocol's encode and decode of typical messages, against a raw simdjson
// On-Demand walk of the same bytes.
#pragma once

#include <string>

namespace bench {

/// Times every message `iterations` times and returns {"p1":{...}}. Under valgrind, each
/// measured loop is bracketed by callgrind client requests that dump a profile named
/// "<message>:<what>", from which the driver reads instructions per message.
std::string runCodec(long iterations);

} // namespace bench
