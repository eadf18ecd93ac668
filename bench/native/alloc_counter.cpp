#include "alloc_counter.hpp"

#include <atomic>
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

void countMalloc(std::size_t size) noexcept {
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
AllocCounts allocCounts() noexcept {
    return {gNewCalls.load(std::memory_order_relaxed), gNewBytes.load(std::memory_order_relaxed),
            gMallocCalls.load(std::memory_order_relaxed),
            gMallocBytes.load(std::memory_order_relaxed)};
}
} // namespace bench
