// Counts heap allocations made through operator new (P3) and through malloc (everything,
// libwebsockets included) in this process. The counters are process-wide and relaxed: read them
// around a measured section while the other threads are quiet or doing the measured work.
#pragma once

#include <cstdint>

namespace bench {

struct AllocCounts {
    std::uint64_t newCalls = 0;
    std::uint64_t newBytes = 0;
    std::uint64_t mallocCalls = 0;
    std::uint64_t mallocBytes = 0;

    AllocCounts operator-(const AllocCounts& earlier) const {
        return {newCalls - earlier.newCalls, newBytes - earlier.newBytes,
                mallocCalls - earlier.mallocCalls, mallocBytes - earlier.mallocBytes};
    }
};

AllocCounts allocCounts() noexcept;

/// With SIGNALR_BENCH_ALLOC_TRACE=<file> set, records the size and call stack of every
/// allocation from here to stopAllocTrace() in that file, under the window's name and its number
/// of units (invokes, messages); `python3 bench/alloc_sites.py <file> <binary>` groups and names
/// them. Without the variable both do nothing.
void startAllocTrace(const char* window, std::int64_t units) noexcept;
void stopAllocTrace() noexcept;

} // namespace bench
