#include "alloc_counter.hpp"

#include <dlfcn.h>
#include <execinfo.h>
#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <new>

// glibc's own entry points, so the interposed malloc family can forward to them.
extern "C" {
void* __libc_malloc(std::size_t size);
void* __libc_calloc(std::size_t count, std::size_t size);
void* __libc_realloc(void* pointer, std::size_t size);
void* __libc_memalign(std::size_t alignment, std::size_t size);
void __libc_free(void* pointer);
}

namespace {
std::atomic<std::uint64_t> gNewCalls{0};
std::atomic<std::uint64_t> gNewBytes{0};
std::atomic<std::uint64_t> gMallocCalls{0};
std::atomic<std::uint64_t> gMallocBytes{0};

// The allocation trace (SIGNALR_BENCH_ALLOC_TRACE): one line per allocation while a window is
// open, "<size> <module>+<offset> ..." for the frames of its stack, for bench/alloc_sites.py.
int gTraceFd = -1;
std::atomic<bool> gTracing{false};
thread_local bool tInTrace = false; // backtrace() and dladdr() may allocate themselves

void traceAllocation(std::size_t size) noexcept {
    if (!gTracing.load(std::memory_order_relaxed) || tInTrace) {
        return;
    }
    tInTrace = true;
    constexpr int kFrames = 40;
    void* frames[kFrames];
    const int count = backtrace(frames, kFrames);
    char line[8192];
    int length = std::snprintf(line, sizeof line, "%zu", size);
    for (int i = 1; i < count && length < static_cast<int>(sizeof line) - 512; ++i) {
        Dl_info info;
        if (dladdr(frames[i], &info) != 0 && info.dli_fname != nullptr) {
            // The return address minus one: the call, not the instruction after it.
            const auto offset = static_cast<unsigned long>(static_cast<char*>(frames[i]) -
                                                           static_cast<char*>(info.dli_fbase)) -
                                1;
            length += std::snprintf(line + length, sizeof line - static_cast<std::size_t>(length),
                                    " %s+%lx", info.dli_fname, offset);
        }
    }
    line[length++] = '\n';
    (void)!::write(gTraceFd, line, static_cast<std::size_t>(length));
    tInTrace = false;
}

void countMalloc(std::size_t size) noexcept {
    traceAllocation(size);
    gMallocCalls.fetch_add(1, std::memory_order_relaxed);
    gMallocBytes.fetch_add(size, std::memory_order_relaxed);
}

void* countedNew(std::size_t size) {
    gNewCalls.fetch_add(1, std::memory_order_relaxed);
    gNewBytes.fetch_add(size, std::memory_order_relaxed);
    void* pointer = std::malloc(size == 0 ? 1 : size);
    if (pointer == nullptr) {
        throw std::bad_alloc();
    }
    return pointer;
}

void* countedAlignedNew(std::size_t size, std::align_val_t alignment) {
    gNewCalls.fetch_add(1, std::memory_order_relaxed);
    gNewBytes.fetch_add(size, std::memory_order_relaxed);
    void* pointer = std::aligned_alloc(static_cast<std::size_t>(alignment),
                                       (size + static_cast<std::size_t>(alignment) - 1) &
                                           ~(static_cast<std::size_t>(alignment) - 1));
    if (pointer == nullptr) {
        throw std::bad_alloc();
    }
    return pointer;
}
} // namespace

extern "C" {
void* malloc(std::size_t size) {
    countMalloc(size);
    return __libc_malloc(size);
}
void* calloc(std::size_t count, std::size_t size) {
    countMalloc(count * size);
    return __libc_calloc(count, size);
}
void* realloc(void* pointer, std::size_t size) {
    countMalloc(size);
    return __libc_realloc(pointer, size);
}
void* aligned_alloc(std::size_t alignment, std::size_t size) {
    countMalloc(size);
    return __libc_memalign(alignment, size);
}
void free(void* pointer) {
    __libc_free(pointer);
}
}

void* operator new(std::size_t size) {
    return countedNew(size);
}
void* operator new[](std::size_t size) {
    return countedNew(size);
}
void* operator new(std::size_t size, const std::nothrow_t&) noexcept {
    gNewCalls.fetch_add(1, std::memory_order_relaxed);
    gNewBytes.fetch_add(size, std::memory_order_relaxed);
    return std::malloc(size == 0 ? 1 : size);
}
void* operator new(std::size_t size, std::align_val_t alignment) {
    return countedAlignedNew(size, alignment);
}
void operator delete(void* pointer) noexcept {
    std::free(pointer);
}
void operator delete[](void* pointer) noexcept {
    std::free(pointer);
}
void operator delete(void* pointer, std::size_t) noexcept {
    std::free(pointer);
}
void operator delete[](void* pointer, std::size_t) noexcept {
    std::free(pointer);
}
void operator delete(void* pointer, std::align_val_t) noexcept {
    std::free(pointer);
}
void operator delete(void* pointer, std::size_t, std::align_val_t) noexcept {
    std::free(pointer);
}

namespace bench {
void startAllocTrace(const char* window, std::int64_t units) noexcept {
    const char* path = std::getenv("SIGNALR_BENCH_ALLOC_TRACE");
    if (path == nullptr) {
        return;
    }
    if (gTraceFd < 0) {
        void* warm[1];
        (void)backtrace(warm, 1); // loads libgcc's unwinder now, outside any window
        gTraceFd = ::open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (gTraceFd < 0) {
            return;
        }
    }
    char line[256];
    const int length =
        std::snprintf(line, sizeof line, "window %s %lld\n", window, static_cast<long long>(units));
    (void)!::write(gTraceFd, line, static_cast<std::size_t>(length));
    gTracing.store(true, std::memory_order_relaxed);
}

void stopAllocTrace() noexcept {
    gTracing.store(false, std::memory_order_relaxed);
}

AllocCounts allocCounts() noexcept {
    return {gNewCalls.load(std::memory_order_relaxed), gNewBytes.load(std::memory_order_relaxed),
            gMallocCalls.load(std::memory_order_relaxed),
            gMallocBytes.load(std::memory_order_relaxed)};
}
} // namespace bench
