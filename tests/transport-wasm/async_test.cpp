#include "async_test.hpp"

#include <emscripten/emscripten.h>
#include <emscripten/eventloop.h>

#include <cstdio>
#include <memory>
#include <utility>

namespace signalr::test {

std::vector<AsyncTest>& asyncTests() {
    static std::vector<AsyncTest> tests;
    return tests;
}

bool addTest(std::string name, AsyncBody body, std::chrono::milliseconds timeout) {
    asyncTests().push_back(AsyncTest{std::move(name), std::move(body),
                                     timeout.count() > 0 ? timeout : std::chrono::seconds(10)});
    return true;
}

namespace {

struct Running {
    Done finished;
    long timer = 0;
    bool over = false;

    void finish(std::optional<std::string> failure) {
        if (over) {
            return;
        }
        over = true;
        emscripten_clear_timeout(timer);
        auto done = std::move(finished);
        done(std::move(failure));
    }
};

void onTimeout(void* data) {
    // The shared_ptr below owns the Running; this raw pointer is valid until finish() ran.
    static_cast<Running*>(data)->finish("timed out");
}

struct Summary {
    std::size_t next = 0;
    int passed = 0;
    int failed = 0;
};

Summary& summary() {
    static Summary instance;
    return instance;
}

void runNext(void* = nullptr) {
    auto& tests = asyncTests();
    Summary& totals = summary();
    if (totals.next == tests.size()) {
        std::printf("%d passed, %d failed\n", totals.passed, totals.failed);
        std::fflush(stdout);
        emscripten_force_exit(totals.failed == 0 ? 0 : 1);
        return;
    }
    const AsyncTest& test = tests[totals.next++];
    std::printf("[ RUN      ] %s\n", test.name.c_str());
    const double start = emscripten_get_now();
    runAsyncTest(test, [name = test.name, start](std::optional<std::string> failure) {
        const long ms = static_cast<long>(emscripten_get_now() - start);
        if (failure) {
            ++summary().failed;
            std::printf("%s\n[  FAILED  ] %s (%ld ms)\n", failure->c_str(), name.c_str(), ms);
        } else {
            ++summary().passed;
            std::printf("[       OK ] %s (%ld ms)\n", name.c_str(), ms);
        }
        std::fflush(stdout);
        // The next test starts from a fresh turn of the loop, not inside this one's callback.
        emscripten_set_timeout(&runNext, 0, nullptr);
    });
}

} // namespace

void runAsyncTest(const AsyncTest& test, Done finished) {
    auto running = std::make_shared<Running>();
    running->finished =
        [running, finished = std::move(finished)](std::optional<std::string> failure) mutable {
            // Breaks the cycle (running owns this function, which owns running).
            auto keep = std::move(running);
            finished(std::move(failure));
        };
    running->timer = emscripten_set_timeout(&onTimeout, static_cast<double>(test.timeout.count()),
                                            running.get());
    test.body(
        [running](std::optional<std::string> failure) { running->finish(std::move(failure)); });
}

void runAllAndExit() {
    runNext();
    // main() returns to the event loop here, and the runtime stays up (a WebSocket alone would
    // not keep it) until runNext() calls emscripten_force_exit().
    emscripten_exit_with_live_runtime();
}

} // namespace signalr::test
