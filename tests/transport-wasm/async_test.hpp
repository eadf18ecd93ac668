#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

// A tiny runner for tests that wait on the browser's event loop: each test gets a `Done` to call
// once, with nullopt (passed) or the failure. gtest cannot wait without blocking, and nothing may
// block here, so the runner starts each test from the event loop and bounds it with a timer.
namespace signalr::test {

using Done = std::function<void(std::optional<std::string> failure)>;
using AsyncBody = std::function<void(Done done)>;

struct AsyncTest {
    std::string name;
    AsyncBody body;
    std::chrono::milliseconds timeout{10'000};
};

/// The tests of this program, in the order they run.
std::vector<AsyncTest>& asyncTests();

/// Registers a test at static-initialization time: `static const bool r = addTest(...)`.
bool addTest(std::string name, AsyncBody body, std::chrono::milliseconds timeout = {});

/// Runs one test; `finished` gets its result exactly once (a timeout is a failure).
void runAsyncTest(const AsyncTest& test, Done finished);

/// Runs every test in order, prints gtest-like lines and "N passed, N failed", then ends the
/// program with status 0 (all passed) or 1. Never returns.
void runAllAndExit();

/// A failure text if `condition` is false.
inline std::optional<std::string> check(bool condition, std::string what) {
    return condition ? std::nullopt : std::optional<std::string>(std::move(what));
}

} // namespace signalr::test
