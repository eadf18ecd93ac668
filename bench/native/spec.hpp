// The scenario description that bench/driver.py hands to every peer as one JSON argument
// (bench/README.md lists the fields), read with simdjson.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace bench {

struct Spec {
    std::string mode; // "throughput", "idle", "max", "p2"
    std::string url;
    std::int64_t e1Warmup = 100, e1Count = 1000;
    std::int64_t e2Total = 5000;
    std::vector<std::int64_t> e2Outstanding{1, 10, 100};
    std::int64_t e3Count = 20000, e3Payload = 16;
    std::int64_t e4Count = 20000;
    std::int64_t e5Warmup = 2, e5Count = 10;
    std::int64_t e6Connections = 1000;
    std::int64_t e7Target = 10000, e7Seconds = 90;
    std::int64_t p2Count = 1000;
};

/// Parses the driver's JSON; returns false (with `error`) when it is not an object.
bool parseSpec(const std::string& json, Spec& spec, std::string& error);

} // namespace bench
